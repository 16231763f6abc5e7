import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProgress } from '../../src/files/progress-store.js';
import type { Lab } from '../../src/lab.js';
import { tempLab } from './fixtures.js';
import { doctorReport, KEYS, renderApp, TestCluster, until } from './harness.js';

let lab: Lab;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ lab, cleanup } = await tempLab());
});
afterEach(async () => cleanup());

const saveProgress = (progress: object) =>
  writeFile(lab.paths.progress, JSON.stringify({ version: 1, exercises: {}, quizzes: {}, ...progress }));

describe('the welcome screen', () => {
  it('shows the course map with progress and the best quiz score', async () => {
    await saveProgress({
      exercises: { 'deploy-system': { steps: { namespace: 'x', apply: 'y' }, hints: {} } },
      quizzes: { 'section-19': { best: 3, max: 4, attempts: 2, lastScore: 2, lastAt: 'x' } },
    });
    const app = renderApp(lab, new TestCluster().services());
    const frame = await app.waitForText('1 of 2 exercises done');
    expect(frame).toContain('Section 19');
    expect(frame).toMatch(/✓\s+1\. Deploy the churn-mlops system · done/);
    expect(frame).toMatch(/○\s+2\. Test the API · todo/);
    expect(frame).toContain('quiz best 3/4');
    expect(frame).toContain('Quiz: Section 19 assessment · best 3/4 (2 attempts)');
    // The cursor rests on the first exercise not done.
    expect(frame).toMatch(/› ○\s+2\. Test the API/);
    await app.close();
  });

  it('rests on a quiz left half-way, with how far the learner got', async () => {
    await saveProgress({
      exercises: { 'deploy-system': { steps: { namespace: 'x' }, hints: {} } },
      quizAnswers: { 'section-19': { q1: 'B', q2: true } },
      position: { quiz: 'section-19' },
    });
    const app = renderApp(lab, new TestCluster().services());
    const frame = await app.waitForText('Enter: carry on with the quiz');
    expect(frame).toMatch(/› \? Quiz: Section 19 assessment · in progress: 2 of 4 questions answered/);
    await app.close();
  });

  it('moves with the arrows, shows the keys on ?, and quits with q', async () => {
    const cluster = new TestCluster();
    const app = renderApp(lab, cluster.services());
    await app.waitFor((f) => /› ○\s+1\. Deploy/.test(f), 'the cursor on exercise 1');
    app.press(KEYS.down);
    await app.waitFor((f) => /› ○\s+2\. Test the API/.test(f), 'the cursor on exercise 2');
    app.press(KEYS.down);
    await app.waitFor((f) => /› \? Quiz/.test(f), 'the cursor on the quiz');
    app.press(KEYS.down);
    await app.waitFor((f) => /› \? Quiz/.test(f), 'the cursor staying on the last line');
    expect(app.lastFrame()).toContain(`${'░'.repeat(30)}  0 of 2 exercises done`);
    app.press('?');
    await app.waitForText('Any key closes this.');
    expect(app.lastFrame()).not.toContain('exercises done');
    app.press('x');
    await app.waitFor(
      (f) => !f.includes('Any key closes this.') && f.includes('exercises done'),
      'the map again',
    );
    // The progress bar is drawn again too, not left empty by having been hidden.
    expect(app.lastFrame()).toContain(`${'░'.repeat(30)}  0 of 2 exercises done`);
    app.press('q');
    await until(() => app.exits.length > 0, 'the app to quit');
    expect(app.exits).toEqual([0]);
  });

  it('resumes at the saved position', async () => {
    await saveProgress({ position: { exercise: 'test-api', step: 'health' } });
    const app = renderApp(lab, new TestCluster().services());
    await app.waitFor((f) => /› ○\s+2\. Test the API/.test(f), 'the cursor on the saved exercise');
    expect(app.lastFrame()).toContain('Enter: open Test the API');
    await app.close();
  });

  it('after an exercise finished where the learner left off, rests on the next one', async () => {
    await saveProgress({
      exercises: {
        'deploy-system': { steps: { namespace: 'x', apply: 'y' }, completedAt: 'y', hints: {} },
      },
      position: { exercise: 'deploy-system', step: 'apply' },
    });
    const app = renderApp(lab, new TestCluster().services());
    await app.waitFor((f) => /› ○\s+2\. Test the API/.test(f), 'the cursor on the next exercise');
    await app.close();
  });

  it('shows a footer with the keys that apply', async () => {
    const app = renderApp(lab, new TestCluster().services());
    const frame = await app.waitForText('exercises done');
    expect(frame).toMatch(/↑↓ move · Enter open · q quit · \? keys · Ctrl-C quit/);
    await app.close();
  });
});

describe('from the map to an exercise', () => {
  it('runs the preflight and the simulated cluster, then opens the exercise and saves the position', async () => {
    const cluster = new TestCluster();
    cluster.upEvents = [
      {
        type: 'step-start',
        id: 'manifests',
        title: 'Copy the manifests',
        command: 'cp manifests/ workspace/',
      },
      { type: 'step-end', id: 'manifests', outcome: 'ok', ms: 1200, detail: '4 files' },
    ];
    const app = renderApp(lab, cluster.services(), { simulate: true });
    await app.waitForText('exercises done');
    app.press(KEYS.enter);
    await app.waitForText('✓ Preflight: node, kubectl ok');
    await app.waitForText('✓ Start the simulated cluster');
    await app.waitForText('✓ Copy the manifests 1.2s · 4 files');
    const ready = await app.waitForText('Enter start: Deploy the churn-mlops system');
    expect(ready).toContain(`export KUBECONFIG=${lab.paths.home}/sim/kubeconfig`);
    expect(ready).toContain(`cd ${lab.paths.workspace}`);
    expect(cluster.upCalls[0]?.lab.target.context).toBe('churn-labs-sim');
    app.press(KEYS.enter);
    await app.waitForText('step 1 of 2: Create the namespace');
    await until(
      async () => (await loadProgress(lab.paths.progress)).progress.position?.step === 'namespace',
      'the position to be saved',
    );
    // q goes back to the map; the environment stays up for the next exercise.
    app.press('q');
    await app.waitFor((f) => f.trimEnd().endsWith('Ctrl-C quit') && f.includes('exercises done'), 'the map');
    app.press(KEYS.down);
    app.press(KEYS.enter);
    await app.waitForText('Exercise 2 of 2: Test the API');
    expect(cluster.upCalls).toHaveLength(1);
    expect(cluster.simulatorStarts).toBe(1);
    app.press(KEYS.ctrlC);
    await until(() => app.exits.length > 0, 'the app to quit');
    expect(cluster.simulatorStops).toBe(1);
    expect(cluster.activeWatches).toBe(0);
  });

  it('offers the simulated cluster when Docker is missing', async () => {
    const cluster = new TestCluster();
    cluster.doctorReport = doctorReport({ docker: true, 'docker-daemon': true });
    const app = renderApp(lab, cluster.services(), { simulate: false });
    await app.waitForText('exercises done');
    app.press(KEYS.enter);
    const frame = await app.waitForText('continue on the built-in simulated cluster');
    expect(frame).toContain('✗ docker');
    expect(frame).toContain('fix: install docker');
    app.press('s');
    await app.waitForText('✓ Start the simulated cluster');
    expect(cluster.simulatorStarts).toBe(1);
    await app.close();
  });

  it('does not offer the simulated cluster when kubectl is missing', async () => {
    const cluster = new TestCluster();
    cluster.doctorReport = doctorReport({ kubectl: true });
    const app = renderApp(lab, cluster.services(), { simulate: true });
    await app.waitForText('exercises done');
    app.press(KEYS.enter);
    const frame = await app.waitForText('press r to check again');
    expect(frame).toContain('fix: install kubectl');
    expect(frame).not.toContain('use the simulated cluster');
    app.press('s');
    app.press('q');
    await app.waitForText('exercises done');
    expect(cluster.simulatorStarts).toBe(0);
    await app.close();
  });
});
