import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ExecContext, ExecResult } from './exec.js';

/** What the exec builtins share: their output, flags, and the mapping of container paths to the pod's root. */
export type Builtin = (args: string[], context: ExecContext) => Promise<ExecResult>;

export class Output {
  stdout = '';
  stderr = '';
  exitCode = 0;
  out(line: string): void {
    this.stdout += `${line}\n`;
  }
  error(line: string): void {
    this.stderr += `${line}\n`;
    this.exitCode = 1;
  }
  result(): ExecResult {
    return { stdout: this.stdout, stderr: this.stderr, exitCode: this.exitCode };
  }
}

/** A container path (absolute, or relative to the working directory) as a path on this machine. */
export const hostPath = (context: ExecContext, path: string) =>
  join(context.rootDir, posix.resolve(context.cwd, path).replace(/^\/+/, ''));

/** Follows symlinks: volume mounts are symlinks on the node and must look like the folders they are. */
export async function statOf(path: string): Promise<Stats | undefined> {
  return stat(path).catch(() => undefined);
}

/** Splits `-la` style flags from operands; `--` ends flags. */
export function parseFlags(args: string[]): { flags: Set<string>; operands: string[] } {
  const flags = new Set<string>();
  const operands: string[] = [];
  let done = false;
  for (const arg of args) {
    if (!done && arg === '--') done = true;
    else if (!done && arg.startsWith('-') && arg.length > 1) for (const f of arg.slice(1)) flags.add(f);
    else operands.push(arg);
  }
  return { flags, operands };
}

export function humanSize(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? String(value) : `${value < 10 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}
