import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, standIn, tempHome } from './helpers.js';

/** `churn-labs solve` stopped with Ctrl-C leaves nothing of the solution running. */
describe('solve, interrupted', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  beforeEach(async () => {
    env = await tempHome();
  });
  afterEach(() => env.cleanup());

  const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(safeStatus(pid));

  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    it(`on ${signal} ends the running command and every process it started, then exits`, async () => {
      const pids = join(env.home, 'pids');
      // A kubectl that hangs, as `kubectl rollout status` does while a rollout waits.
      await standIn(
        env.bin,
        'kubectl',
        `require('node:fs').appendFileSync(${JSON.stringify(pids)}, process.pid + '\\n');
setTimeout(() => {}, 120000);`,
      );
      const solve = execa(process.execPath, [CLI, 'solve', 'deploy-system', '--yes'], {
        reject: false,
        env: { CHURN_LABS_HOME: env.home, NO_COLOR: '1', PATH: `${env.bin}:${process.env.PATH}` },
        timeout: 60_000,
      });
      const deadline = Date.now() + 20_000;
      while (!existsSync(pids) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const started = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
      // At least one kubectl of the solution runs when the signal comes. Twice, in a full suite on a
      // loaded machine, one of the pids read was already gone before the signal; the cause is not
      // found yet. What this test is for holds either way: after the signal, none is left.
      expect(started.some(alive), `kubectl processes ${started.join(', ')}: none alive`).toBe(true);
      solve.kill(signal);
      const result = await solve;
      expect(result.exitCode).toBe(130);
      expect(result.stderr).toContain('Stopped: the solution and every command it started have ended.');
      for (let i = 0; i < 100 && started.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
      expect(started.filter(alive)).toEqual([]);
    });
});

function safeStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}
