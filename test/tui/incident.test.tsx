import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { incidentExercise, incidentSchema } from '../../src/course/incident.js';
import type { ExerciseResult } from '../../src/course/judge.js';
import { type Progress, recordBreak, recordPassedSteps } from '../../src/course/progress.js';
import { loadProgress, updateProgress } from '../../src/files/progress-store.js';
import type { Lab } from '../../src/lab.js';
import { type MapItem, resumeIndex } from '../../src/tui/screens/welcome/map.js';
import { tempLab } from './fixtures.js';
import { configMap, KEYS, namespaceObject, renderApp, TestCluster } from './harness.js';

/** An incident of the small course: the ConfigMap is gone, and the page says only what users see. */
const incident = incidentExercise(
  incidentSchema.parse({
    id: 'incident-config-gone',
    title: 'The API forgot its settings',
    page: { symptom: '**PAGE.** The API answers with **default settings**.', since: 'ten minutes ago' },
    break: ['kubectl delete configmap churn-mlops-config -n {{namespace}}'],
    reset: ['kubectl apply -f k8s/ -n {{namespace}}'],
    steps: [
      {
        id: 'heal',
        title: 'Find what is missing, and fix it',
        instructions: 'You are on call.',
        checks: [
          {
            id: 'back',
            title: 'The settings are back',
            type: 'exists',
            kind: 'ConfigMap',
            name: 'churn-mlops-config',
          },
        ],
        hints: ['Look at what the pods mount.', 'It was deleted.', 'Re-apply k8s/configmap.yaml.'],
        solution: ['kubectl apply -f k8s/configmap.yaml -n {{namespace}}'],
      },
    ],
  }),
);

let lab: Lab;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ lab, cleanup } = await tempLab());
  lab = { ...lab, course: { ...lab.course, exercises: [...lab.course.exercises, incident] } };
});
afterEach(async () => cleanup());

const saveProgress = (progress: object) =>
  writeFile(lab.paths.progress, JSON.stringify({ version: 1, exercises: {}, quizzes: {}, ...progress }));
const exerciseOneDone = { 'deploy-system': { steps: { namespace: 'x', apply: 'y' }, hints: {} } };
const healthy: ExerciseResult = { exercise: 'deploy-system', passed: true, steps: [] };

function onCall(cluster: TestCluster, health: ExerciseResult = healthy) {
  const calls = { breaks: 0, restores: 0 };
  const services = cluster.services({
    incidents: {
      health: async () => health,
      breakSystem: async (l, i) => {
        calls.breaks++;
        cluster.objects = cluster.objects.filter((o) => o.kind !== 'ConfigMap');
        await updateProgress(l.paths.progress, (p) => recordBreak(p, i.id));
        return true;
      },
      restore: async () => {
        calls.restores++;
        return true;
      },
    },
  });
  return { services, calls };
}

describe('incidents in the app', () => {
  it('come after the exercises on the map, locked until Exercise 1 is done', async () => {
    const app = renderApp(lab, new TestCluster().services());
    const frame = await app.waitForText('On call: incidents');
    expect(frame).toMatch(/· +1\. The API forgot its settings · locked until Exercise 1 is done/);
    expect(frame.indexOf('Test the API')).toBeLessThan(frame.indexOf('On call: incidents'));
    expect(frame).toContain('0 of 2 exercises done');
    for (let i = 0; i < 2; i++) app.press(KEYS.down);
    await app.waitForText('Enter: nothing yet: incidents open once Exercise 1 is done');
    app.press(KEYS.enter);
    await new Promise((r) => setTimeout(r, 100));
    expect(app.lastFrame()).toContain('On call: incidents');
    await app.close();
  });

  it('show the page, start on Enter, then the checks, a clock and hints; the fix turns them green', async () => {
    await saveProgress({ exercises: exerciseOneDone });
    const cluster = new TestCluster();
    cluster.add(namespaceObject());
    cluster.add(configMap());
    const { services, calls } = onCall(cluster);
    const app = renderApp(lab, services, { only: { screen: 'exercise', exercise: incident.id } });
    let frame = await app.waitForText('Enter starts it');
    expect(frame).toContain('On call · incident 1 of 1: The API forgot its settings');
    expect(frame).toContain('PAGE. The API answers with default settings.');
    expect(frame).toContain('Since: ten minutes ago');
    expect(calls.breaks).toBe(0);
    app.press(KEYS.enter);
    frame = await app.waitForText('✗ The settings are back');
    expect(calls.breaks).toBe(1);
    expect(frame).toMatch(/⏱ on call for 00:0\d · 0 hints/);
    expect((await loadProgress(lab.paths.progress)).progress.exercises[incident.id]?.brokenAt).toBeDefined();
    app.press('h');
    await app.waitForText('Look at what the pods mount.');
    await app.waitFor((f) => /on call for 00:\d\d · 1 hint\b/.test(f), 'the clock to count the hint');
    cluster.add(configMap());
    cluster.change();
    frame = await app.waitForText('Incident solved: the system is healthy and the cause is fixed.');
    expect(frame).toContain('★ The API forgot its settings: incident solved.');
    // As checkExercise records it in the real app: the clock stops at the fix.
    await updateProgress(lab.paths.progress, (p) => recordPassedSteps(p, incident, ['heal']));
    await app.waitFor((f) => /✓ solved in 00:\d\d · 1 hint/.test(f), 'the clock to stop');
    await app.close();
  });

  it('refuse to start on an unhealthy system, and put it back on r', async () => {
    await saveProgress({ exercises: exerciseOneDone });
    const sick: ExerciseResult = {
      exercise: 'deploy-system',
      passed: false,
      steps: [
        {
          id: 'healthy',
          title: 'healthy',
          passed: false,
          recorded: false,
          checks: [
            { id: 'rolled-out', title: 'churn-api is fully rolled out', passed: false, message: 'waiting' },
          ],
        },
      ],
    };
    const { services, calls } = onCall(new TestCluster(), sick);
    const app = renderApp(lab, services, { only: { screen: 'exercise', exercise: incident.id } });
    await app.waitForText('Enter starts it');
    app.press(KEYS.enter);
    const frame = await app.waitForText('The system is not healthy now');
    expect(frame).toContain('✗ churn-api is fully rolled out: waiting');
    expect(calls.breaks).toBe(0);
    app.press('r');
    await app.waitForText('Enter starts it');
    expect(calls.restores).toBe(1);
    await app.close();
  });
});

describe('the map after an incident', () => {
  const item = (id: string, done: boolean, incident?: boolean): MapItem => ({
    type: 'exercise',
    id,
    title: id,
    done,
    passed: done ? 1 : 0,
    steps: 1,
    ...(incident ? { incident: { locked: false, open: false } } : {}),
  });
  const position = (exercise: string) =>
    ({ version: 1, exercises: {}, quizzes: {}, position: { exercise, step: 'heal' } }) as Progress;

  it('rests on the next incident still to do after one is solved, not on the first exercise', () => {
    const items = [
      item('deploy-system', true),
      item('test-api', false),
      item('incident-a', true, true),
      item('incident-b', true, true),
      item('incident-c', false, true),
    ];
    expect(resumeIndex(items, position('incident-b'))).toBe(4);
    // None after it: the first before it; none at all: the first exercise not done.
    items[2] = item('incident-a', false, true);
    items[4] = item('incident-c', true, true);
    expect(resumeIndex(items, position('incident-b'))).toBe(2);
    items[2] = item('incident-a', true, true);
    expect(resumeIndex(items, position('incident-b'))).toBe(1);
    // After an exercise, as before.
    expect(resumeIndex(items, position('deploy-system'))).toBe(1);
  });
});
