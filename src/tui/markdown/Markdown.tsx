import { Box, Text, useStdout } from 'ink';
import { useMemo } from 'react';
import { type Block, lexInline, lexMarkdown, type Span } from './lexer.js';
import { shellLines } from './shell-lines.js';

export function Spans({ spans }: { spans: Span[] }) {
  return (
    <Text>
      {spans.map((span, i) => (
        <Text
          // biome-ignore lint/suspicious/noArrayIndexKey: spans never reorder.
          key={i}
          bold={span.bold}
          italic={span.italic}
          dimColor={span.dim}
          color={span.code ? 'cyan' : undefined}
        >
          {span.text}
        </Text>
      ))}
    </Text>
  );
}

/**
 * Course text drawn in the terminal. Code is printed at the left edge with no prefix or frame, so a
 * learner can copy it straight into a shell.
 */
export function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => lexMarkdown(text), [text]);
  return (
    <Box flexDirection="column" rowGap={1}>
      {blocks.map((block, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blocks never reorder.
        <MarkdownBlock key={i} block={block} />
      ))}
    </Box>
  );
}

function MarkdownBlock({ block }: { block: Block }) {
  switch (block.type) {
    case 'heading':
      return (
        <Text bold underline={block.depth <= 2} color={block.depth <= 2 ? 'magenta' : undefined}>
          <Spans spans={block.spans} />
        </Text>
      );
    case 'paragraph':
      return <Spans spans={block.spans} />;
    case 'code':
      return <Code lines={block.lines} shell={/^(sh|bash|shell|console)$/.test(block.lang)} />;
    case 'list':
      return (
        <Box flexDirection="column">
          {block.items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: items never reorder.
            <Box key={i}>
              <Text>{block.ordered ? `${block.start + i}. ` : '• '}</Text>
              {/* Ink can set a word one column past a narrower box; a column of slack keeps it inside. */}
              <Box flexShrink={1} paddingRight={1}>
                <Spans spans={item} />
              </Box>
            </Box>
          ))}
        </Box>
      );
    case 'quote':
      return (
        <Text italic dimColor>
          <Spans spans={block.spans} />
        </Text>
      );
    case 'table':
      return <Table lines={block.lines} />;
    case 'rule':
      return <Text dimColor>{'─'.repeat(20)}</Text>;
  }
}

/**
 * Commands and code, nothing in front of them. Shell commands (`shell`, or a block marked sh,
 * bash or console) too long for the terminal are broken with a ` \` so that they copy cleanly.
 */
export function Code({ lines, shell = false }: { lines: string[]; shell?: boolean }) {
  const { stdout } = useStdout();
  const width = Math.max(20, (stdout.columns || 80) - 1);
  const shown = shell ? lines.flatMap((line) => shellLines(line, width)) : lines;
  return <Text color="cyan">{shown.join('\n')}</Text>;
}

/**
 * A table in aligned columns, its header bold and without the `| --- |` line, when it fits the
 * terminal; else one line per row, each cell named by its column ("Guaranteed — when: …; under
 * memory pressure: killed last"), so that it wraps readably instead of breaking the columns apart.
 */
function Table({ lines }: { lines: string[] }) {
  const { stdout } = useStdout();
  const columns = stdout.columns || 80;
  const cells = (line: string) =>
    line
      .replace(/^\s*\|/, '')
      .replace(/\|\s*$/, '')
      .split('|')
      .map((c) => c.trim());
  const [header = [], ...rows] = lines.filter((l) => !/^\s*\|?[\s:|-]+\|?\s*$/.test(l)).map(cells);
  const shown = (cell: string) =>
    lexInline(cell)
      .map((span) => span.text)
      .join('');
  const widths = header.map((_, j) =>
    Math.max(...[header, ...rows].map((row) => shown(row[j] ?? '').length)),
  );
  const gap = 3;
  if (widths.reduce((sum, w) => sum + w + gap, 0) - gap < columns) {
    const line = (row: string[], bold: boolean) =>
      row.map((cell, j) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: cells never reorder.
        <Text key={j}>
          <Spans spans={lexInline(cell, { bold })} />
          {j < row.length - 1 ? ' '.repeat(Math.max(0, (widths[j] ?? 0) - shown(cell).length) + gap) : ''}
        </Text>
      ));
    return (
      <Box flexDirection="column">
        <Text>{line(header, true)}</Text>
        {rows.map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows never reorder.
          <Text key={i}>{line(row, false)}</Text>
        ))}
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows never reorder.
        <Box key={i}>
          <Text>• </Text>
          <Box flexShrink={1} paddingRight={1}>
            <Spans
              spans={lexInline(
                `${row[0] ?? ''} — ${row
                  .slice(1)
                  .map((cell, j) => (header[j + 1] ? `${header[j + 1]}: ${cell}` : cell))
                  .join('; ')}`,
              )}
            />
          </Box>
        </Box>
      ))}
    </Box>
  );
}
