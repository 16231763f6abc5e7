import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkload, runJob, tempVolume, type Volume } from './helpers.js';

let bin: string;
let cleanupBin: () => Promise<void>;
let v: Volume;

beforeAll(async () => {
  ({ bin, cleanup: cleanupBin } = await buildWorkload());
  v = await tempVolume('data:\n  users: 2000\n');
  const seeded = await runJob(bin, ['seed-model'], v.env);
  expect(seeded.exitCode, seeded.stderr).toBe(0);
});
afterAll(async () => {
  await v?.cleanup();
  await cleanupBin();
});

const USERS = 200_000;

/**
 * Watches the volume while jobs are killed, reading every visible file as a learner's `cat` or the
 * API would; anything not whole is recorded. Temporary files (".name.pid.tmp") are not visible names.
 */
function watchVolume(volume: Volume) {
  const problems: string[] = [];
  let looks = 0;
  let stopped = false;
  const check = async (dir: string, validate: (name: string, text: string) => string | undefined) => {
    const names = await readdir(volume.at(dir)).catch(() => [] as string[]);
    for (const name of names.filter((n) => !n.startsWith('.'))) {
      const text = await readFile(join(volume.at(dir), name), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const problem = validate(name, text);
      if (problem) problems.push(`${dir}/${name}: ${problem}`);
    }
  };
  const json = (_: string, text: string) => {
    try {
      JSON.parse(text);
      return undefined;
    } catch {
      return `not whole JSON (${text.length} bytes)`;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      looks++;
      await check('/app/data/predictions', (_, text) => {
        const lines = text.split('\n');
        if (!text.endsWith('\n') || lines.length !== USERS + 2) return `${lines.length - 2} of ${USERS} rows`;
        return lines[0] === 'user_id,churn_probability,will_churn,model_version' ? undefined : 'no header';
      });
      await check('/app/artifacts/models', json);
      await check('/app/artifacts/metrics', json);
      await check('/app/artifacts/registry', json);
      await sleep(1);
    }
  })();
  return {
    problems,
    looks: () => looks,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function killMidRun(args: string[], delayMs: number): Promise<string | undefined> {
  const child = execa(process.execPath, [bin, ...args], { reject: false, env: v.env, timeout: 60_000 });
  await sleep(delayMs);
  child.kill('SIGKILL');
  const result = await child;
  return result.signal ?? undefined;
}

describe('a job killed with SIGKILL', () => {
  it('never leaves a half-written predictions, model, metrics or registry file visible', async () => {
    const watcher = watchVolume(v);
    const killed: string[] = [];
    try {
      // Spread the kills over generating, scoring and writing: fractions of how long a whole run
      // takes on this machine now (half a second on a busy one, much less on an idle one).
      // The fastest of three runs: a cold first run, or one slowed by a busy machine, would put
      // the kills after the end of the faster runs that follow.
      const timed = async (args: string[]) => {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const started = Date.now();
          const run = await runJob(bin, args, v.env);
          expect(run.exitCode, run.stderr).toBe(0);
          times.push(Date.now() - started);
        }
        return Math.min(...times);
      };
      const scoreMs = await timed(['batch-score', '--users', String(USERS)]);
      for (const part of [0.1, 0.17, 0.24, 0.31, 0.38, 0.45, 0.52, 0.6]) {
        if ((await killMidRun(['batch-score', '--users', String(USERS)], part * scoreMs)) === 'SIGKILL')
          killed.push('batch-score');
      }
      const trainMs = await timed(['train-candidate']);
      for (const part of [0.15, 0.3, 0.45, 0.6]) {
        if ((await killMidRun(['train-candidate'], part * trainMs)) === 'SIGKILL')
          killed.push('train-candidate');
      }
      // A whole run still works afterwards and its file is complete.
      const whole = await runJob(bin, ['batch-score', '--users', String(USERS)], v.env);
      expect(whole.exitCode, whole.stderr).toBe(0);
      const trained = await runJob(bin, ['train-candidate'], v.env);
      expect(trained.exitCode, trained.stderr).toBe(0);
    } finally {
      await watcher.stop();
    }
    expect(watcher.problems).toEqual([]);
    expect(killed.filter((job) => job === 'batch-score').length).toBeGreaterThanOrEqual(4);
    expect(watcher.looks()).toBeGreaterThan(50);
    const predictions = await readdir(v.at('/app/data/predictions'));
    expect(predictions.filter((n) => !n.startsWith('.')).length).toBeGreaterThanOrEqual(1);
    // Whatever a kill left behind is a hidden temporary file, never a predictions_*.csv.
    for (const name of predictions.filter((n) => n.startsWith('.')))
      expect(name).toMatch(/^\.predictions_.*\.tmp$/);
    const registry = await v.readJson('/app/artifacts/registry/model_registry.json');
    expect(registry.models.filter((m: { status: string }) => m.status === 'production')).toHaveLength(1);
  }, 90_000);
});
