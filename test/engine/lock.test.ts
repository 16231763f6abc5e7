import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/files/atomic.js';
import { withLock } from '../../src/files/lock.js';

/** The pid of a process that has ended. */
const deadPid = () =>
  Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));

/** The lock a process killed with kill -9 leaves: its folder, naming an owner that is gone. */
async function staleLock(path: string, pid = deadPid()) {
  await mkdir(`${path}.lock`, { recursive: true });
  await writeFile(join(`${path}.lock`, 'owner'), JSON.stringify({ pid, host: hostname(), token: 'old' }));
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'churn-labs-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the file lock', () => {
  it('takes over a lock whose owner is gone at once, without waiting for it to age', async () => {
    const file = join(dir, 'progress.json');
    await staleLock(file);
    const told: string[] = [];
    const result = await withLock(file, async () => 'done', { onWait: (m) => told.push(m) });
    expect(result).toBe('done');
    expect(told).toEqual([]);
    expect(existsSync(`${file}.lock`)).toBe(false);
    // A lock only goes stale by age after 10 s: taken over sooner means its owner was asked.
  }, 5_000);

  it('says which process it waits for when the owner is alive', async () => {
    const file = join(dir, 'progress.json');
    const told: string[] = [];
    let release!: () => void;
    const held = withLock(file, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 50));
    const waiting = withLock(file, async () => 'second', { onWait: (m) => told.push(m) });
    await new Promise((r) => setTimeout(r, 1_300));
    release();
    await held;
    expect(await waiting).toBe('second');
    expect(told).toEqual([
      `waiting for another churn-labs process (pid ${process.pid}) that is updating progress.json…`,
    ]);
  });

  it('gives up after waitMs with a sentence naming the owner and the lock to delete', async () => {
    const file = join(dir, 'progress.json');
    // An owner on another machine (a shared folder) cannot be asked: its lock only ages.
    await mkdir(`${file}.lock`);
    await writeFile(join(`${file}.lock`, 'owner'), JSON.stringify({ pid: 1, host: 'elsewhere', token: 'x' }));
    await expect(withLock(file, async () => 0, { waitMs: 200 })).rejects.toThrow(
      `stayed locked by another churn-labs process (pid 1) for 0 s. If no other churn-labs command is running, delete ${file}.lock and try again.`,
    );
  });

  it('loses no update when eight writers find the same stale lock together (70 rounds)', async () => {
    const file = join(dir, 'counter');
    let lost = 0;
    const dead = deadPid();
    for (let round = 0; round < 70; round++) {
      await writeFile(file, '0');
      await staleLock(file, dead);
      await Promise.all(
        Array.from({ length: 8 }, () =>
          withLock(file, async () => {
            const n = Number(await readFile(file, 'utf8'));
            await new Promise((r) => setImmediate(r));
            await writeFile(file, String(n + 1));
          }),
        ),
      );
      lost += 8 - Number(await readFile(file, 'utf8'));
    }
    expect(lost).toBe(0);
  });

  it('loses no update across processes that find the same stale lock together', async () => {
    const file = join(dir, 'counter');
    const script = join(dir, 'writer.mjs');
    // The lock module as plain JavaScript, for processes of their own.
    const lockModule = join(dir, 'lock.mjs');
    await build({
      entryPoints: [new URL('../../src/files/lock.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: lockModule,
      logLevel: 'silent',
    });
    await writeFile(
      script,
      `import { readFile, writeFile } from 'node:fs/promises';
const { withLock } = await import(${JSON.stringify(lockModule)});
await withLock(process.argv[2], async () => {
  const n = Number(await readFile(process.argv[2], 'utf8'));
  await new Promise((r) => setTimeout(r, 5));
  await writeFile(process.argv[2], String(n + 1));
});`,
    );
    for (let round = 0; round < 3; round++) {
      await writeFile(file, '0');
      await staleLock(file);
      await Promise.all(Array.from({ length: 8 }, () => execa(process.execPath, [script, file])));
      expect(Number(await readFile(file, 'utf8'))).toBe(8);
    }
  });
});

describe('atomic writes', () => {
  it('clean up the temporary files of a write that was killed halfway', async () => {
    const file = join(dir, 'progress.json');
    const dead = join(dir, `.progress.json.${deadPid()}.0123abcd.tmp`);
    // A writer that is still alive (pid 1 always is) is not interfered with.
    const live = join(dir, '.progress.json.1.4567cdef.tmp');
    const other = join(dir, `.other.json.${deadPid()}.89abcdef.tmp`);
    for (const f of [dead, live, other]) await writeFile(f, 'half');
    await writeFileAtomic(file, '{}');
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('{}');
  });
});
