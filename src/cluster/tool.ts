import { execa } from 'execa';

/**
 * The one place that starts the outside tools (kubectl, kind, docker, a learner-style shell).
 * A failed run is data, never an exception: callers read `ok`, `exitCode`, `stderr`.
 */
export interface ToolResult {
  ok: boolean;
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** The tool is not installed (not found on PATH). */
  missing: boolean;
  timedOut: boolean;
  canceled: boolean;
  command: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each chunk of output as it arrives (for "do it for me" screens). */
  onOutput?: (chunk: string) => void;
  /**
   * Runs the tool in a process group of its own and ends the whole group when it is cancelled,
   * times out or finishes: a shell's children (a `kubectl wait` in a solution) end with it rather
   * than living on. Ending only the shell would leave them running, holding their watches open.
   */
  group?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export async function runTool(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ToolResult> {
  const subprocess = execa(file, args, {
    reject: false,
    input: options.input,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    cancelSignal: options.signal,
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    stripFinalNewline: false,
    // Outputs like `kubectl get -o json` of a busy namespace run to megabytes.
    maxBuffer: 256 * 1024 * 1024,
    forceKillAfterDelay: 2_000,
    detached: options.group,
  });
  const endGroup = () => {
    if (!options.group || subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, 'SIGTERM');
    } catch {
      // The group has ended already.
    }
  };
  options.signal?.addEventListener('abort', endGroup, { once: true });
  // When the shell itself exits: what it left behind would hold its output open, and the run with it.
  subprocess.once('exit', endGroup);
  if (options.onOutput) {
    subprocess.stdout?.on('data', (chunk: Buffer) => options.onOutput?.(chunk.toString()));
    subprocess.stderr?.on('data', (chunk: Buffer) => options.onOutput?.(chunk.toString()));
  }
  const result = await subprocess;
  options.signal?.removeEventListener('abort', endGroup);
  const missing = (result as { code?: string }).code === 'ENOENT';
  return {
    ok: !result.failed,
    exitCode: result.exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: missing ? `${file}: not found on PATH` : typeof result.stderr === 'string' ? result.stderr : '',
    missing,
    timedOut: Boolean(result.timedOut),
    canceled: Boolean(result.isCanceled),
    command: [file, ...args].join(' '),
  };
}

/** The last lines of a failed run's output, for an error message. */
export function outputTail(result: Pick<ToolResult, 'stdout' | 'stderr'>, lines = 12): string {
  const text = `${result.stdout}\n${result.stderr}`.trim();
  return text.split('\n').slice(-lines).join('\n');
}

/** A tool that runs until stopped (a `kubectl get --watch`), read line by line. */
export interface LongRunningTool {
  readonly pid: number | undefined;
  /** Settles when the process has ended, however it ended. */
  readonly ended: Promise<{ exitCode: number | undefined; stderr: string; missing: boolean }>;
  /** Ends the process (SIGTERM, then SIGKILL after 2 s) and waits for it. */
  stop(): Promise<void>;
}

export interface LongRunningOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** Called with each complete line of standard output. */
  onLine: (line: string) => void;
}

export function startTool(
  file: string,
  args: readonly string[],
  options: LongRunningOptions,
): LongRunningTool {
  const subprocess = execa(file, args, {
    reject: false,
    cancelSignal: options.signal,
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    maxBuffer: { stderr: 64 * 1024 },
    forceKillAfterDelay: 2_000,
  });
  let partial = '';
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  });
  const ended = subprocess.then((result) => ({
    exitCode: result.exitCode,
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    missing: (result as { code?: string }).code === 'ENOENT',
  }));
  return {
    pid: subprocess.pid,
    ended,
    async stop() {
      subprocess.kill('SIGTERM');
      await ended;
    },
  };
}

/**
 * Runs a program with this terminal handed over (an editor): it reads the keyboard and draws on
 * the screen until it exits. The caller must have released the terminal first.
 */
export async function runAttached(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ ok: boolean; exitCode: number | undefined; missing: boolean }> {
  const result = await execa(file, args, {
    reject: false,
    stdio: 'inherit',
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
  });
  return {
    ok: !result.failed,
    exitCode: result.exitCode,
    missing: (result as { code?: string }).code === 'ENOENT',
  };
}
