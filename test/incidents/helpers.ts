import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ExerciseResult } from '../../src/course/judge.js';
import { breakSystem, findIncident, healthNow, restoreSystem } from '../../src/incidents.js';
import { checkExercise, closeLab, type Lab, openLab, type SolutionEvent } from '../../src/lab.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';
import { checkUntil, makeWorkspace, solve, summary } from '../labs/helpers.js';

/**
 * One simulated cluster per test file, driven by the real kubectl, with Exercise 1 solved once:
 * each incident breaks it, is checked red (its workarounds too), solved, and reset to health.
 */
export interface OnCall {
  lab: Lab;
  stop: () => Promise<void>;
}

export async function healthyCluster(): Promise<OnCall> {
  const home = await mkdtemp(join(tmpdir(), 'churn-labs-incidents-'));
  // The CronJob clock runs 10,000 times slower than real time: no schedule fires during a test.
  const sim: Simulator = await startSimulator({ home, timeScale: 1 / 10_000 });
  const lab = await openLab({ context: sim.context, kubeconfig: sim.kubeconfig, home, warn: () => {} });
  await makeWorkspace(lab.paths.workspace);
  const deployed = await solve(lab, 'deploy-system', 150);
  expect(deployed.passed, summary(deployed)).toBe(true);
  return {
    lab,
    stop: async () => {
      await closeLab();
      await sim.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

const logInto = (log: string[]) => (event: SolutionEvent) => {
  if (event.type === 'command') log.push(`$ ${event.command}\n`);
  else if (event.type === 'output') log.push(event.chunk);
};

/** `churn-labs incident <id>`: the break, on a healthy system. */
export async function breakIt(lab: Lab, id: string): Promise<void> {
  const health = await healthNow(lab);
  expect(health.passed, `the system is not healthy before ${id}:\n${summary(health)}`).toBe(true);
  const log: string[] = [];
  expect(await breakSystem(lab, findIncident(lab, id), logInto(log)), log.join('')).toBe(true);
}

/** `churn-labs reset <id>`: Exercise 1's checks green again, evaluated afresh. */
export async function resetIt(lab: Lab, id: string): Promise<void> {
  const log: string[] = [];
  expect(await restoreSystem(lab, findIncident(lab, id), logInto(log)), log.join('')).toBe(true);
  const deadline = Date.now() + 120_000;
  let health = await healthNow(lab);
  while (!health.passed && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    health = await healthNow(lab);
  }
  expect(health.passed, `after reset of ${id}:\n${summary(health)}`).toBe(true);
}

export const check = (lab: Lab, id: string) => checkExercise(lab, findIncident(lab, id));

/** Every failing check's message, for asserting that none names the cause. */
export const messages = (result: ExerciseResult): string =>
  result.steps.flatMap((s) => s.checks.map((c) => `${c.title}: ${c.passed ? '' : c.message}`)).join('\n');

/** The incident stays red, and the failing checks are the ones listed (by id). */
export function redWith(result: ExerciseResult, failing: string[]): void {
  expect(result.passed, summary(result)).toBe(false);
  const red = result.steps.flatMap((s) => s.checks.filter((c) => !c.passed).map((c) => c.id));
  expect(red.sort(), summary(result)).toEqual([...failing].sort());
}

export async function checkRedUntil(lab: Lab, id: string, failing: string[], seconds: number) {
  const same = (r: ExerciseResult) => {
    const red = r.steps.flatMap((s) => s.checks.filter((c) => !c.passed).map((c) => c.id));
    return red.sort().join() === [...failing].sort().join();
  };
  const result = await checkUntil(lab, id, same, seconds);
  redWith(result, failing);
  return result;
}

/** What no message before the fix may say: the words that would name the cause. */
export function namesNoCause(result: ExerciseResult, words: RegExp): void {
  expect(messages(result)).not.toMatch(words);
}
