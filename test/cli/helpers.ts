import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type Result } from 'execa';

export const CLI = join(process.cwd(), 'dist', 'cli.js');

/** A temporary CHURN_LABS_HOME (and a folder for stand-in executables), removed by `cleanup`. */
export async function tempHome(): Promise<{ home: string; bin: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'churn-labs-cli-'));
  const bin = join(home, 'bin');
  await execa('mkdir', ['-p', bin]);
  return { home, bin, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** Writes an executable Node script standing in for a tool (docker, kind) into `bin`. */
export async function standIn(bin: string, name: string, body: string): Promise<void> {
  const file = join(bin, name);
  await writeFile(file, `#!${process.execPath}\nconst args = process.argv.slice(2);\n${body}\n`);
  await chmod(file, 0o755);
}

/** Links the real kubectl into `bin`, so a PATH of only `bin` still has it. */
export async function linkKubectl(bin: string): Promise<void> {
  const real = (await execa('sh', ['-c', 'command -v kubectl'])).stdout.trim();
  await symlink(real, join(bin, 'kubectl'));
}

export interface RunOptions {
  home: string;
  /** PATH for the CLI; defaults to the real PATH. */
  path?: string;
  env?: Record<string, string>;
  input?: string;
}

/** Runs the built CLI as a learner's shell would, without a terminal. */
export function churnLabs(args: string[], options: RunOptions): Promise<Result> {
  return execa(process.execPath, [CLI, ...args], {
    reject: false,
    env: {
      CHURN_LABS_HOME: options.home,
      NO_COLOR: '1',
      ...(options.path ? { PATH: options.path } : {}),
      ...options.env,
    },
    extendEnv: true,
    input: options.input ?? '',
    timeout: 60_000,
  });
}
