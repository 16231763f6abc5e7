/**
 * The plain (non-Ink) printer: colour and symbols only on a terminal, never under NO_COLOR or CI,
 * and `--json` prints one document on stdout and nothing else there.
 */
export interface Output {
  color: boolean;
  line: (text?: string) => void;
  error: (text: string) => void;
  json: (value: unknown) => void;
  green: (text: string) => string;
  red: (text: string) => string;
  yellow: (text: string) => string;
  dim: (text: string) => string;
  bold: (text: string) => string;
  ok: (passed: boolean) => string;
}

export function wantsColor(
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function isInteractive(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !ci;
}

export function createOutput(color = wantsColor()): Output {
  const paint = (code: number, reset: number) => (text: string) =>
    color ? `\u001b[${code}m${text}\u001b[${reset}m` : text;
  const green = paint(32, 39);
  const red = paint(31, 39);
  return {
    color,
    line: (text = '') => process.stdout.write(`${text}\n`),
    error: (text) => process.stderr.write(`${text}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    green,
    red,
    yellow: paint(33, 39),
    dim: paint(2, 22),
    bold: paint(1, 22),
    ok: (passed) => (passed ? green('✓') : red('✗')),
  };
}
