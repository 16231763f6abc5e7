import { readFile } from 'node:fs/promises';
import { type Builtin, hostPath, Output, parseFlags, statOf } from './builtin-kit.js';
import { df, ls } from './builtin-ls.js';
import type { ExecContext } from './exec.js';

/**
 * The shell-like commands `kubectl exec` can run in a simulated container, on the pod's real files,
 * worded like the busybox tools of the images' node alpine base (docker/Dockerfile). Paths are the
 * container's paths; volume mounts (symlinks on the node) look like the folders they are.
 */
const cat: Builtin = async (args, context) => {
  const output = new Output();
  for (const file of parseFlags(args).operands) {
    const text = await readText(context, file, 'cat', output);
    if (text !== undefined) output.stdout += text;
  }
  return output.result();
};

const headOrTail =
  (which: 'head' | 'tail'): Builtin =>
  async (args, context) => {
    const output = new Output();
    let count = 10;
    let fromLine: number | undefined;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const value =
        arg === '-n'
          ? args[++i]
          : arg.startsWith('-n')
            ? arg.slice(2)
            : /^-\d+$/.test(arg)
              ? arg.slice(1)
              : undefined;
      if (value === undefined) {
        files.push(arg);
        continue;
      }
      if (which === 'tail' && value.startsWith('+')) fromLine = Number(value.slice(1));
      else count = Math.abs(Number(value));
      if (!Number.isFinite(count) || (fromLine !== undefined && !Number.isFinite(fromLine))) {
        return { stdout: '', stderr: `${which}: invalid number '${value}'\n`, exitCode: 1 };
      }
    }
    for (const [i, file] of files.entries()) {
      const text = await readText(context, file, which, output);
      if (text === undefined) continue;
      if (files.length > 1) output.out(`${i > 0 ? '\n' : ''}==> ${file} <==`);
      const lines = text.split('\n');
      const endsWithNewline = text.endsWith('\n');
      if (endsWithNewline) lines.pop();
      const picked =
        which === 'head'
          ? lines.slice(0, count)
          : fromLine !== undefined
            ? lines.slice(Math.max(0, fromLine - 1))
            : count === 0
              ? []
              : lines.slice(-count);
      if (picked.length > 0)
        output.stdout += `${picked.join('\n')}${endsWithNewline || picked.length < lines.length ? '\n' : ''}`;
    }
    return output.result();
  };

const wc: Builtin = async (args, context) => {
  const output = new Output();
  const { flags, operands } = parseFlags(args);
  const wanted = ['l', 'w', 'c'].filter((f) => flags.has(f));
  const columns = wanted.length > 0 ? wanted : ['l', 'w', 'c'];
  for (const file of operands) {
    const text = await readText(context, file, 'wc', output);
    if (text === undefined) continue;
    const counts: Record<string, number> = {
      l: (text.match(/\n/g) ?? []).length,
      w: text.split(/\s+/).filter(Boolean).length,
      c: Buffer.byteLength(text),
    };
    output.out(`${columns.map((c) => String(counts[c])).join(' ')} ${file}`);
  }
  return output.result();
};

const test: Builtin = async (args, context) => {
  const words = args[args.length - 1] === ']' ? args.slice(0, -1) : [...args];
  let negate = false;
  if (words[0] === '!') {
    negate = true;
    words.shift();
  }
  const [a, b, c] = words;
  let ok: boolean;
  if (words.length === 2 && a?.startsWith('-')) {
    const stats = await statOf(hostPath(context, b!));
    const checks: Record<string, () => boolean> = {
      '-e': () => Boolean(stats),
      '-f': () => Boolean(stats?.isFile()),
      '-d': () => Boolean(stats?.isDirectory()),
      '-s': () => Boolean(stats && stats.size > 0),
      '-r': () => Boolean(stats),
      '-w': () => Boolean(stats),
      '-x': () => Boolean(stats && stats.mode & 0o111),
      '-z': () => b === '',
      '-n': () => b !== '',
    };
    const check = checks[a];
    if (!check) return { stdout: '', stderr: `test: ${a}: unknown operand\n`, exitCode: 2 };
    ok = check();
  } else if (words.length === 3 && (b === '=' || b === '!=')) ok = (a === c) === (b === '=');
  else if (words.length === 1) ok = a !== '';
  else ok = false;
  return { stdout: '', stderr: '', exitCode: ok !== negate ? 0 : 1 };
};

const env: Builtin = async (_args, context) => ({
  stdout: Object.entries(context.env)
    .map(([k, v]) => `${k}=${v}\n`)
    .join(''),
  stderr: '',
  exitCode: 0,
});

const printenv: Builtin = async (args, context) => {
  if (args.length === 0) return env(args, context);
  const values = args.map((name) => context.env[name]);
  return {
    stdout: values
      .filter((v) => v !== undefined)
      .map((v) => `${v}\n`)
      .join(''),
    stderr: '',
    exitCode: values.every((v) => v !== undefined) ? 0 : 1,
  };
};

const echo: Builtin = async (args) => {
  const noNewline = args[0] === '-n';
  const words = noNewline ? args.slice(1) : args;
  return { stdout: words.join(' ') + (noNewline ? '' : '\n'), stderr: '', exitCode: 0 };
};

const constant =
  (stdout: (context: ExecContext) => string, exitCode = 0): Builtin =>
  async (_args, context) => ({ stdout: stdout(context), stderr: '', exitCode });

export const builtins: Record<string, Builtin> = {
  ls,
  cat,
  head: headOrTail('head'),
  tail: headOrTail('tail'),
  wc,
  test,
  '[': test,
  env,
  printenv,
  echo,
  df,
  pwd: constant((c) => `${c.cwd}\n`),
  hostname: constant((c) => `${c.hostname}\n`),
  true: constant(() => ''),
  false: constant(() => '', 1),
};

async function readText(
  context: ExecContext,
  file: string,
  tool: string,
  output: Output,
): Promise<string | undefined> {
  const path = hostPath(context, file);
  const stats = await statOf(path);
  if (!stats) {
    output.error(`${tool}: can't open '${file}': No such file or directory`);
    return undefined;
  }
  if (stats.isDirectory()) {
    output.error(`${tool}: read error: Is a directory`);
    return undefined;
  }
  return readFile(path, 'utf8');
}
