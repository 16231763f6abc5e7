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
  });
  if (options.onOutput) {
    subprocess.stdout?.on('data', (chunk: Buffer) => options.onOutput?.(chunk.toString()));
    subprocess.stderr?.on('data', (chunk: Buffer) => options.onOutput?.(chunk.toString()));
  }
  const result = await subprocess;
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
