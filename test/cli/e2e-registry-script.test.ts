import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// scripts/e2e-registry.sh where the real run cannot or must not happen: it skips (exit 0) without
// kind or a Docker daemon, and refuses (exit 1) to touch a cluster or registry container that is
// already there, which it would delete at the end. The stand-ins log every call.
const SCRIPT = join(process.cwd(), 'scripts', 'e2e-registry.sh');
const which = async (tool: string) => (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();

describe('scripts/e2e-registry.sh where it cannot or must not run', () => {
  let dir: string;
  let bin: string;
  let log: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-e2e-registry-'));
    bin = join(dir, 'bin');
    log = join(dir, 'calls.log');
    await mkdir(bin);
    for (const tool of ['dirname', 'grep']) await symlink(await which(tool), join(bin, tool));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const standIn = async (name: string, body: string) => {
    const file = join(bin, name);
    await writeFile(file, `#!/bin/sh\necho "${name} $*" >> "$CALLS_LOG"\n${body}\n`);
    await chmod(file, 0o755);
  };
  const calls = async () => (existsSync(log) ? (await readFile(log, 'utf8')).trim().split('\n') : []);
  const run = async () =>
    execa(await which('bash'), [SCRIPT], {
      cwd: dir,
      reject: false,
      timeout: 20_000,
      extendEnv: false,
      env: { PATH: bin, HOME: dir, CALLS_LOG: log },
    });

  it('skips without kind', async () => {
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('e2e-registry: skipped: kind is not installed.');
  });

  it('refuses an existing cluster churn-class, and a registry container of its name, touching nothing', async () => {
    await standIn('kind', 'echo churn-class');
    await standIn('docker', '[ "$1" = info ] && echo 29.1.2; exit 0');
    await standIn('kubectl', 'exit 0');
    const cluster = await run();
    expect(cluster.exitCode).toBe(1);
    expect(cluster.stderr).toMatch(/a kind cluster churn-class already exists/);
    await standIn('kind', 'exit 0');
    const registry = await run();
    expect(registry.exitCode).toBe(1);
    expect(registry.stderr).toMatch(/a container churn-class-registry already exists/);
    expect((await calls()).filter((c) => /^(kind create|kind delete|docker run|docker rm)/.test(c))).toEqual(
      [],
    );
  });
});
