import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach } from 'vitest';

/** Where a tool is on this machine's PATH. */
export const which = async (tool: string) => (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();

/**
 * A scripts/*.sh run where the real tools are not: each test gets a temporary folder whose bin/ is
 * the whole PATH, with only dirname and grep (and node, if asked) until a test adds a stand-in; each
 * stand-in logs its arguments. TMPDIR is the folder's tmp/, so a test can see nothing was made.
 * Call it inside a describe: it registers the beforeEach and afterEach that make and remove the folder.
 */
export function scriptBench(script: string, options: { node?: boolean } = {}) {
  const path = join(process.cwd(), 'scripts', script);
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), `churn-labs-${basename(script, '.sh')}-`));
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'tmp'));
    for (const tool of ['dirname', 'grep']) await symlink(await which(tool), join(dir, 'bin', tool));
    if (options.node) await symlink(process.execPath, join(dir, 'bin', 'node'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const log = () => join(dir, 'calls.log');
  return {
    /** The test's TMPDIR. */
    tmp: () => join(dir, 'tmp'),
    /** A stand-in executable that logs its arguments, then runs `body` (sh). */
    async standIn(name: string, body: string): Promise<void> {
      const file = join(dir, 'bin', name);
      await writeFile(file, `#!/bin/sh\necho "${name} $*" >> "$CALLS_LOG"\n${body}\n`);
      await chmod(file, 0o755);
    },
    /** The stand-ins' calls so far, in order. */
    calls: async () => (existsSync(log()) ? (await readFile(log(), 'utf8')).trim().split('\n') : []),
    /** The script, run by bash in the folder with only the stand-ins' PATH. */
    run: async (env: Record<string, string> = {}) =>
      execa(await which('bash'), [path], {
        cwd: dir,
        reject: false,
        timeout: 20_000,
        extendEnv: false,
        env: { PATH: join(dir, 'bin'), TMPDIR: join(dir, 'tmp'), HOME: dir, CALLS_LOG: log(), ...env },
      }),
  };
}
