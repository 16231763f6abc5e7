/**
 * A shell command laid out for a terminal of `width` columns, so that it copies cleanly: a line too
 * long is broken between words with a trailing ` \` (the shell's line continuation) and the rest
 * indented, never inside quotes, where a backslash-newline would change the command. Ink would
 * otherwise break it wherever the column ends, and the copied command would fail.
 * Multi-line commands (a heredoc) are left as they are: their lines are data, not words.
 */
export function shellLines(command: string, width: number): string[] {
  if (command.includes('\n') || command.length <= width) return command.split('\n');
  const words = splitOutsideQuotes(command);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const room = width - 2; // for the " \" at the end of the line
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(`${line} \\`);
      line = `  ${word}`;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** The command's words: split at spaces that are not inside quotes or escaped. */
function splitOutsideQuotes(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      word += c;
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
    } else if (c === ' ') {
      if (word !== '') words.push(word);
      word = '';
    } else {
      word += c;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < command.length) word += command[++i];
    }
  }
  if (word !== '') words.push(word);
  return words;
}
