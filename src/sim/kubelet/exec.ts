import { join, posix } from 'node:path';
import { builtins } from './builtins.js';
import type { ProcessSupervisor } from './processes.js';

/**
 * `kubectl exec` (and exec probes) into a simulated container. The node has no container image to
 * run programs from, so it offers what the course needs, for real, on the pod's files: the
 * `churn-mlops` workload (run with the container's environment) and a few shell-like builtins
 * that read the pod's root folder (ls, cat, head, tail, wc, test, env, printenv, echo, pwd,
 * hostname, df, true, false). `sh -c "<one simple command>"` is accepted too. Anything else ends
 * with exit code 127 and a sentence saying what the node can run.
 */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecContext {
  /** The host folder standing for the container's `/`. */
  rootDir: string;
  /** The container's working directory, as the container sees it. */
  cwd: string;
  env: Record<string, string>;
  hostname: string;
  /** Container path => host folder, for df. */
  mounts: { path: string; dir: string }[];
  /** Runs `churn-mlops <args>` for real with the container's environment. */
  runWorkload(args: string[]): Promise<ExecResult>;
}

export const CAN_RUN =
  'the simulated node runs `churn-mlops ...` and the builtins ls, cat, head, tail, wc, test, env, printenv, echo, pwd, hostname, df';

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

/**
 * The words of what a command runs: `sh -c "<one simple command>"` unwrapped, any other command as
 * it is; undefined for a shell the node cannot stand in for (interactive, or a script).
 */
export function simpleCommand(command: string[], env: Record<string, string>): string[] | undefined {
  const [program, ...args] = command;
  if (!program || !SHELLS.has(posix.basename(program))) return command;
  return args[0] === '-c' && args[1] !== undefined ? splitSimpleCommand(args[1], env) : undefined;
}

export async function execInContainer(context: ExecContext, command: string[]): Promise<ExecResult> {
  const [program, ...args] = command;
  if (!program) return fail(`no command given; ${CAN_RUN}`, 127);
  const name = posix.basename(program);
  if (name === 'churn-mlops') return context.runWorkload(args);
  if (SHELLS.has(name)) {
    const words = simpleCommand(command, context.env);
    if (words) return execInContainer(context, words);
    return fail(
      args[0] !== '-c' || args[1] === undefined
        ? `${program}: the simulated node has no interactive shell; run one command instead, e.g. kubectl exec POD -- ls /app/data (${CAN_RUN})`
        : `${program}: the simulated node runs one simple command, without pipes, redirections, globs or ';' (${CAN_RUN})`,
      127,
    );
  }
  const builtin = builtins[name];
  if (builtin) return builtin(args, context);
  return fail(`${program}: not found; ${CAN_RUN}`, 127);
}

/** Splits `ls -l '/app/data'` into words, expanding $VAR; undefined for anything needing a real shell. */
export function splitSimpleCommand(script: string, env: Record<string, string>): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  const text = script.trim();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '$' && quote === '"') {
        const expanded = expandVariable(text, i, env);
        if (!expanded) return undefined;
        word = (word ?? '') + expanded.value;
        i = expanded.end;
      } else word = (word ?? '') + ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === '$') {
      const expanded = expandVariable(text, i, env);
      if (!expanded) return undefined;
      word = (word ?? '') + expanded.value;
      i = expanded.end;
    } else if ('|&;<>`()*?[]{}\\'.includes(ch)) {
      return undefined;
    } else word = (word ?? '') + ch;
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  return words.length > 0 ? words : undefined;
}

function expandVariable(
  text: string,
  at: number,
  env: Record<string, string>,
): { value: string; end: number } | undefined {
  const braced = text.slice(at).match(/^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/);
  const plain = text.slice(at).match(/^\$([A-Za-z_][A-Za-z0-9_]*)/);
  const match = braced ?? plain;
  if (!match) return undefined;
  return { value: env[match[1]!] ?? '', end: at + match[0].length - 1 };
}

/** The ExecContext of a running container; `churn-mlops` runs through the node's shim, with a time limit. */
export function containerExecContext(options: {
  rootDir: string;
  cwd: string;
  env: Record<string, string>;
  hostname: string;
  mounts: { path: string; dir: string }[];
  supervisor: ProcessSupervisor;
  shim: string;
  timeoutMs: number;
}): ExecContext {
  const { supervisor, shim, timeoutMs, ...context } = options;
  const runWorkload = async (args: string[]): Promise<ExecResult> => {
    const limit = 8 * 1024 * 1024;
    const output = { stdout: '', stderr: '' };
    const process = supervisor.spawn({
      argv: [shim, ...args],
      env: context.env,
      cwd: join(context.rootDir, context.cwd.replace(/^\/+/, '')),
      timeoutMs,
      onOutput: (stream, chunk) => {
        if (output[stream].length < limit) output[stream] += chunk.toString();
      },
    });
    const exit = await process.exited;
    return exit.startError
      ? { stdout: output.stdout, stderr: `${output.stderr}${exit.startError}\n`, exitCode: 126 }
      : { ...output, exitCode: exit.exitCode };
  };
  return { ...context, runWorkload };
}

function fail(message: string, exitCode: number): ExecResult {
  return { stdout: '', stderr: `${message}\n`, exitCode };
}
