import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubectlShell } from '../../src/cluster/kubectl.js';
import { exerciseSchema } from '../../src/course/schema.js';
import { checkExercise, type Lab, runSolution, type SolutionEvent } from '../../src/lab.js';
import { homePaths } from '../../src/paths.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';

/**
 * `solve` must let the checks see each step pass before the next step's solution runs: a later
 * step may undo what an earlier one shows (in the labs: resume after suspend, heal after drain).
 * Against the simulated cluster's API server (no controllers needed) with the real kubectl.
 */
const setState = (state: string) =>
  `printf '%s' '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"switch"},"data":{"state":"${state}"}}' | kubectl apply -n default -f -`;

const switchIs = (state: string) => ({
  id: `is-${state}`,
  title: `the switch is ${state}`,
  type: 'fields',
  kind: 'ConfigMap',
  name: 'switch',
  fields: [{ path: '.data.state', equals: state }],
});

const exercise = exerciseSchema.parse({
  id: 'flip',
  title: 'Flip a switch on, then off',
  seed: 'test',
  intro: 'A step that a later step undoes.',
  namespace: 'default',
  steps: [
    {
      id: 'on',
      title: 'Switch on',
      instructions: 'On.',
      checks: [switchIs('on')],
      hints: ['on'],
      solution: [setState('on')],
    },
    {
      id: 'off',
      title: 'Switch off',
      instructions: 'Off.',
      checks: [switchIs('off')],
      hints: ['off'],
      solution: [setState('off')],
    },
  ],
});

let home: string;
let sim: Simulator;
let lab: Lab;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'churn-labs-solve-'));
  sim = await startSimulator({ home, controllers: false });
});

afterAll(async () => {
  await sim?.stop();
  await rm(home, { recursive: true, force: true });
});

beforeEach(async () => {
  // A fresh progress file and no switch, for each case.
  lab = {
    course: { exercises: [exercise], quizzes: [] },
    target: { context: sim.context, kubeconfig: sim.kubeconfig },
    paths: homePaths(await mkdtemp(join(home, 'lab-'))),
    namespace: 'churn-mlops',
    simulated: true,
    warn: () => {},
  };
  await kubectlShell(lab.target, 'kubectl delete configmap switch -n default --ignore-not-found');
});

describe('runSolution between steps', () => {
  it('red without the wait: running both steps back to back leaves step 1 unseen, so it never counts', async () => {
    for (const step of exercise.steps) {
      const result = await kubectlShell(lab.target, step.solution[0]!);
      expect(result.ok, result.stderr).toBe(true);
    }
    const result = await checkExercise(lab, exercise);
    expect(result.steps.map((s) => s.passed)).toEqual([false, false]);
    expect(result.steps[1]!.waiting).toBe(true);
  });

  it('green with it: each step is seen passing (and recorded) before the next one runs', async () => {
    const events: SolutionEvent[] = [];
    expect(
      await runSolution(lab, exercise, (e) => events.push(e), undefined, { stepSettleSeconds: 30 }),
    ).toBe(true);
    const result = await checkExercise(lab, exercise);
    expect(result.passed).toBe(true);
    expect(result.steps[0]!.recorded).toBe(true);
    expect(events.filter((e) => e.type === 'command').map((e) => (e as { step: string }).step)).toEqual([
      'on',
      'off',
    ]);
  });

  it('goes on after the wait when a step never passes, and says so', async () => {
    const stuck = exerciseSchema.parse({
      ...exercise,
      steps: [{ ...exercise.steps[0]!, solution: [setState('sideways')] }, exercise.steps[1]!],
    });
    const events: SolutionEvent[] = [];
    const started = Date.now();
    expect(await runSolution(lab, stuck, (e) => events.push(e), undefined, { stepSettleSeconds: 2 })).toBe(
      true,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const output = events.flatMap((e) => (e.type === 'output' ? [e.chunk] : [])).join('');
    expect(output).toContain('(waiting up to 2 s for the checks of "Switch on" to pass)');
    expect(output).toContain(
      'The checks of "Switch on" did not pass within 2 s; going on with the next step.',
    );
    expect(events.filter((e) => e.type === 'command')).toHaveLength(2);
  });
});
