/**
 * The little of the shell that upstream's test/cmd scripts lean on, so their commands can be kept as
 * written: word splitting with quotes, and grep's and bash's regular expressions.
 */

/** Splits a command line into words as sh does: single and double quotes, backslash escapes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${line}`);
  if (inWord) words.push(word);
  return words;
}

const CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: '\\s',
  xdigit: '0-9a-fA-F',
  punct: '!-\\/:-@\\[-`{-~',
};

function posixClasses(source: string): string {
  return source.replace(/\[:([a-z]+):\]/g, (whole, name: string) => CLASSES[name] ?? whole);
}

/**
 * `[[ "$res" =~ ^$expected$ ]]`: a POSIX extended expression anchored at both ends of the whole
 * output, where `.` also matches a newline (bash compiles it without REG_NEWLINE).
 */
export function bashMatch(text: string, expected: string): boolean {
  return new RegExp(`^(?:${posixClasses(expected)})$`, 's').test(text);
}

/**
 * `grep PATTERN <<< "$text"` (GNU basic expressions): true when some line matches. In a basic
 * expression `+ ? ( ) { } |` are literal and their backslashed forms are the operators.
 */
export function grepMatch(text: string, pattern: string): boolean {
  let js = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[++i]!;
      js += '+?(){}|'.includes(n) ? n : `\\${n}`;
    } else if ('+?(){}|'.includes(c)) {
      js += `\\${c}`;
    } else if (c === '[') {
      // A bracket expression is copied as it is, up to its closing bracket.
      const end = bracketEnd(pattern, i);
      if (end < 0) {
        js += '\\[';
        continue;
      }
      js += posixClasses(pattern.slice(i, end + 1).replace(/\\/g, '\\\\'));
      i = end;
    } else {
      js += c;
    }
  }
  const re = new RegExp(js);
  return text.split('\n').some((line) => re.test(line));
}

/** Where the bracket expression opened at `start` closes, or -1. */
function bracketEnd(pattern: string, start: number): number {
  let j = start + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  while (j < pattern.length) {
    if (pattern.startsWith('[:', j)) {
      const close = pattern.indexOf(':]', j + 2);
      if (close < 0) return -1;
      j = close + 2;
    } else if (pattern[j] === ']') return j;
    else j++;
  }
  return -1;
}
