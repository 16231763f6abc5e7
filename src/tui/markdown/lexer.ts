/**
 * A small Markdown reader for what the course files use: headings, paragraphs, fenced code, lists,
 * quotes, tables (kept as written) and inline code, bold, italics and links. It turns text into
 * blocks of styled spans; the terminal view (Markdown.tsx) only draws them.
 */
export interface Span {
  text: string;
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
  dim?: boolean;
}

export type Block =
  | { type: 'heading'; depth: number; spans: Span[] }
  | { type: 'paragraph'; spans: Span[] }
  | { type: 'code'; lang: string; lines: string[] }
  | { type: 'list'; ordered: boolean; start: number; items: Span[][] }
  | { type: 'quote'; spans: Span[] }
  | { type: 'table'; lines: string[] }
  | { type: 'rule' };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const ITEM = /^ {0,3}([-*+]|(\d{1,9})[.)])\s+(.*)$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;

export function lexMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  const isBlank = (line: string | undefined) => line === undefined || line.trim() === '';
  const startsBlock = (line: string) =>
    FENCE.test(line) || HEADING.test(line) || ITEM.test(line) || /^\s*>/.test(line) || /^\s*\|/.test(line);

  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const indent = line.length - line.trimStart().length;
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(marker)) {
        code.push(lines[i]!.slice(Math.min(indent, lines[i]!.length - lines[i]!.trimStart().length)));
        i++;
      }
      i++; // the closing fence
      blocks.push({ type: 'code', lang: fence[2] ?? '', lines: code });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', depth: heading[1]!.length, spans: lexInline(heading[2]!) });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      i++;
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const table: string[] = [];
      while (i < lines.length && /^\s*\|/.test(lines[i]!)) table.push(lines[i++]!.trim());
      blocks.push({ type: 'table', lines: table });
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) quoted.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      blocks.push({ type: 'quote', spans: lexInline(quoted.join(' ')) });
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const ordered = item[2] !== undefined;
      const items: string[] = [];
      while (i < lines.length) {
        const current = ITEM.exec(lines[i]!);
        if (current && (current[2] !== undefined) === ordered) {
          items.push(current[3]!);
          i++;
        } else if (!isBlank(lines[i]) && /^\s{2,}\S/.test(lines[i]!) && items.length > 0) {
          // An indented line continues the item above it.
          items[items.length - 1] += ` ${lines[i]!.trim()}`;
          i++;
        } else if (isBlank(lines[i]) && ITEM.exec(lines[i + 1] ?? '')) {
          i++;
        } else break;
      }
      blocks.push({
        type: 'list',
        ordered,
        start: ordered ? Number(item[2]) : 1,
        items: items.map((text) => lexInline(text)),
      });
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (paragraph.length === 0 || !startsBlock(lines[i]!))) {
      paragraph.push(lines[i]!.trim());
      i++;
    }
    blocks.push({ type: 'paragraph', spans: lexInline(paragraph.join(' ')) });
  }
  return blocks;
}

const INLINE =
  /`([^`]+)`|\*\*(.+?)\*\*|__(.+?)__|(?<![\w*])\*([\w`(](?:[^*]*[\w`).!?])?)\*(?![\w*])|(?<![\w])_([^_\s](?:[^_]*[^_\s])?)_(?![\w])|\[([^\]]+)\]\(([^)\s]+)\)/g;

/**
 * Inline code, bold, italics and links; bold and italics may hold inline code. A `*` opens
 * italics only before a word and closes only after one, so cron schedules ("0 6 * * *", or
 * every 6 minutes written with a slash) and arithmetic keep their stars.
 */
export function lexInline(text: string, style: Omit<Span, 'text'> = {}): Span[] {
  const spans: Span[] = [];
  let last = 0;
  const push = (span: Span) => {
    if (span.text !== '') spans.push(span);
  };
  for (const match of text.matchAll(INLINE)) {
    push({ ...style, text: text.slice(last, match.index) });
    const [, code, strong, strong2, em, em2, linkText, url] = match;
    if (code !== undefined) push({ ...style, code: true, text: code });
    else if (strong !== undefined || strong2 !== undefined)
      spans.push(...lexInline((strong ?? strong2)!, { ...style, bold: true }));
    else if (em !== undefined || em2 !== undefined)
      spans.push(...lexInline((em ?? em2)!, { ...style, italic: true }));
    else if (linkText !== undefined) {
      spans.push(...lexInline(linkText, style));
      if (url !== linkText) push({ ...style, dim: true, text: ` (${url})` });
    }
    last = match.index + match[0].length;
  }
  push({ ...style, text: text.slice(last) });
  return spans;
}
