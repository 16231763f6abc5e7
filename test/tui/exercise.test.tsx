import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordHint, resetExercise } from '../../src/course/progress.js';
import { loadProgress, updateProgress } from '../../src/files/progress-store.js';
import type { Lab } from '../../src/lab.js';
import { shellLines } from '../../src/tui/markdown/shell-lines.js';
import { tempLab } from './fixtures.js';
import { configMap, KEYS, namespaceObject, renderApp, TestCluster, until } from './harness.js';

let lab: Lab;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ lab, cleanup } = await tempLab());
});
afterEach(async () => cleanup());

const open = (cluster: TestCluster, exercise = 'deploy-system') =>
  renderApp(lab, cluster.services(), { only: { screen: 'exercise', exercise } });

const progress = async () => (await loadProgress(lab.paths.progress)).progress;

describe('an exercise', () => {
  it('prints the intro, the differences and the step, with commands that copy cleanly', async () => {
    const app = open(new TestCluster());
    const frame = await app.waitForText('✗ namespace churn-mlops exists');
    expect(frame).toContain('Exercise 1 of 2: Deploy the churn-mlops system');
    expect(frame).toContain('Bring the whole system up in namespace churn-mlops.');
    expect(frame).toContain('Where this lab departs from the course text');
    expect(frame).toContain('• The Service is ClusterIP, not LoadBalancer');
    expect(frame).toContain('step 1 of 2: Create the namespace');
    // The command stands alone on its line: nothing in front of it to trip a copy and paste.
    expect(frame.split('\n')).toContain('kubectl create namespace churn-mlops');
    expect(frame).toContain('No Namespace churn-mlops.');
    expect(frame).toContain('h hint · s do it for me · n/p step · i intro · q map');
    await app.close();
  });

  it('turns a check green when the cluster changes, then moves on to the next step', async () => {
    const cluster = new TestCluster();
    const app = open(cluster);
    await app.waitForText('✗ namespace churn-mlops exists');
    const before = cluster.evaluations;
    cluster.add(namespaceObject());
    cluster.change();
    await app.waitForText('✓ Step 1 passed: Create the namespace');
    const frame = await app.waitForText('step 2 of 2: Apply the manifests');
    expect(frame).toContain('✗ ConfigMap churn-mlops-config exists');
    expect(cluster.evaluations).toBeGreaterThan(before);
    await until(async () => (await progress()).position?.step === 'apply', 'the position to move to step 2');
    cluster.add(configMap());
    cluster.change();
    await app.waitForText('★ Deploy the churn-mlops system: every step passes. Exercise complete.');
    await app.waitForText('Enter: next exercise');
    app.press(KEYS.enter);
    await app.waitForText('Exercise 2 of 2: Test the API');
    await app.close();
  });

  it('shows what a step asks when its checks hold before it comes on screen', async () => {
    const cluster = new TestCluster();
    const app = open(cluster);
    await app.waitForText('✗ namespace churn-mlops exists');
    cluster.add(namespaceObject());
    cluster.add(configMap());
    cluster.change();
    const frame = await app.waitForText('★ Deploy the churn-mlops system: every step passes.');
    const after = frame.slice(frame.indexOf('✓ Step 2 passed: Apply the manifests'));
    expect(after).toContain('Its checks held before you got to it. It asks you to run these');
    expect(after.split('\n')).toContain('kubectl apply -f manifests/ -n churn-mlops');
    // Step 1 was on screen: no such note for it.
    const first = frame.slice(frame.indexOf('✓ Step 1 passed'), frame.indexOf('✓ Step 2 passed'));
    expect(first).not.toContain('Its checks held');
    await app.close();
  });

  it('shows the first step whole when it holds as the exercise opens (a classroom namespace)', async () => {
    const cluster = new TestCluster();
    cluster.add(namespaceObject());
    const app = open(cluster);
    const frame = await app.waitForText('step 2 of 2: Apply the manifests');
    const first = frame.slice(frame.indexOf('✓ Step 1 passed: Create the namespace'));
    // It moved on before the learner could read it: what it says, and what it asks to run.
    expect(first).toContain('Everything lives in one namespace:');
    expect(first).toContain('Its checks held before you got to it. It asks you to run these');
    expect(first.split('\n')).toContain('kubectl create namespace churn-mlops');
    await app.close();
  });

  it('gathers a burst of changes into one evaluation', async () => {
    const cluster = new TestCluster();
    const app = open(cluster);
    await app.waitForText('✗ namespace churn-mlops exists');
    await until(() => cluster.evaluations === 1, 'the first evaluation');
    for (let i = 0; i < 10; i++) cluster.change();
    await until(() => cluster.evaluations === 2, 'one evaluation for the burst');
    await app.waitForText('namespace churn-mlops');
    expect(cluster.evaluations).toBe(2);
    await app.close();
  });

  it('shows the hints one at a time and records them', async () => {
    const app = open(new TestCluster());
    await app.waitForText('hints 0/2');
    app.press('h');
    await app.waitForText('Hint 1 of 2 · Create the namespace');
    // In the live part, under the step (not in the transcript above, off a short terminal's screen).
    const live = (app.lastFrame() ?? '').slice(app.lastFrame()!.lastIndexOf('step 1 of 2'));
    expect(live).toContain('Hint 1 of 2 · Create the namespace');
    expect(live).toContain('Namespaces are created with kubectl create.');
    expect(app.lastFrame()).not.toContain('Hint 2 of 2');
    await until(
      async () => (await progress()).exercises['deploy-system']?.hints.namespace === 1,
      'hint 1 saved',
    );
    app.press('h');
    await app.waitForText('Hint 2 of 2 · Create the namespace');
    await app.waitForText('That was the last hint: s runs the reference solution.');
    await app.waitForText('hints 2/2');
    app.press('h');
    await app.waitForText('No more hints for this step');
    await until(
      async () => (await progress()).exercises['deploy-system']?.hints.namespace === 2,
      'hint 2 saved',
    );
    await app.close();
  });

  it('steps with n and p, and goes to the next exercise past the last step', async () => {
    const app = open(new TestCluster());
    await app.waitForText('step 1 of 2: Create the namespace');
    app.press('n');
    await app.waitForText('step 2 of 2: Apply the manifests');
    await app.waitForText(`Apply every manifest in ${lab.paths.workspace}/manifests:`);
    expect(app.lastFrame()).toContain('• the ConfigMap');
    app.press('p');
    await app.waitFor(
      (f) =>
        f
          .trimEnd()
          .split('\n')
          .some((l) => l.includes('step 1 of 2: Create the namespace')) &&
        f.lastIndexOf('step 1 of 2') > f.lastIndexOf('step 2 of 2'),
      'step 1 again',
    );
    app.press('n');
    app.press('n');
    await app.waitForText('Exercise 2 of 2: Test the API');
    expect(app.lastFrame()).toContain('This exercise starts from the state deploy-system leaves behind');
    app.press('p');
    await app.waitFor(
      (f) => f.lastIndexOf('Exercise 1 of 2') > f.lastIndexOf('Exercise 2 of 2'),
      'exercise 1 again',
    );
    await app.close();
  });

  it('resumes on the saved step', async () => {
    await writeFile(
      lab.paths.progress,
      JSON.stringify({
        version: 1,
        exercises: {
          'deploy-system': { steps: { namespace: '2026-01-01T00:00:00.000Z' }, hints: { apply: 1 } },
        },
        quizzes: {},
        position: { exercise: 'deploy-system', step: 'apply' },
      }),
    );
    const cluster = new TestCluster();
    const app = open(cluster);
    const frame = await app.waitForText('step 2 of 2: Apply the manifests · hints 1/1');
    expect(frame).not.toContain('step 1 of 2: Create the namespace');
    app.press('p');
    // A step recorded as passed stays passed, whatever the cluster shows now.
    await app.waitForText('This step has passed; it stays passed, whatever the cluster shows now.');
    await app.close();
  });

  it('does it for me: shows each command and its output, and re-checks', async () => {
    const cluster = new TestCluster();
    cluster.solution = [
      { type: 'command', step: 'namespace', command: 'kubectl create namespace churn-mlops' },
      { type: 'output', chunk: 'namespace/churn-mlops created\n' },
      { type: 'result', command: 'kubectl create namespace churn-mlops', ok: true, exitCode: 0 },
      { type: 'command', step: 'apply', command: 'kubectl apply -f manifests/ -n churn-mlops' },
      { type: 'output', chunk: 'error: the path "manifests/" does not exist\n' },
      { type: 'result', command: 'kubectl apply -f manifests/ -n churn-mlops', ok: false, exitCode: 1 },
    ];
    cluster.solutionOk = false;
    const app = open(cluster);
    await app.waitForText('✗ namespace churn-mlops exists');
    const before = cluster.evaluations;
    app.press('s');
    const frame = await app.waitForText('The solution stopped at the failing command above.');
    expect(frame).toContain('Doing it for you: the reference solution of Deploy the churn-mlops system');
    expect(frame).toContain('  namespace/churn-mlops created');
    expect(frame).toContain('  error: the path "manifests/" does not exist');
    expect(frame).toContain('✗ failed (exit code 1)');
    await until(() => cluster.evaluations >= before + 2, 'a check after each command');
    await app.close();
  });

  it('breaks a long solution command between words with a trailing backslash, so that it copies as it ran', async () => {
    const cluster = new TestCluster();
    const services = cluster.services();
    const command =
      'kubectl rollout undo deployment/churn-api -n churn-mlops --to-revision="$(kubectl get replicasets -n churn-mlops -l app=churn-api -o name)"';
    services.runSolution = async (_lab, _exercise, onEvent) => {
      onEvent({ type: 'command', step: 'namespace', command });
      onEvent({ type: 'result', command, ok: true, exitCode: 0 });
      return true;
    };
    const app = renderApp(lab, services, { only: { screen: 'exercise', exercise: 'deploy-system' } });
    await app.waitForText('✗ namespace churn-mlops exists');
    app.press('s');
    const frame = await app.waitForText('--to-revision');
    const lines = frame.split('\n');
    const first = lines.findIndex((l) => l.startsWith('kubectl rollout undo'));
    expect(lines.slice(first, first + shellLines(command, 99).length)).toEqual(shellLines(command, 99));
    expect(shellLines(command, 99).length).toBeGreaterThan(1);
    await app.close();
  });

  it("keeps the step on screen below the solution's output, the next one as soon as it is current", async () => {
    const cluster = new TestCluster();
    const services = cluster.services();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    services.runSolution = async (_lab, _exercise, onEvent) => {
      const command = 'kubectl create namespace churn-mlops';
      onEvent({ type: 'command', step: 'namespace', command });
      cluster.add(namespaceObject());
      onEvent({ type: 'result', command, ok: true, exitCode: 0 });
      // Step 1 passes now, while its last command is still to run.
      await gate;
      const check = 'kubectl get namespace churn-mlops';
      onEvent({ type: 'command', step: 'namespace', command: check });
      onEvent({ type: 'output', chunk: 'churn-mlops   Active   1s\n' });
      onEvent({ type: 'result', command: check, ok: true, exitCode: 0 });
      onEvent({ type: 'command', step: 'apply', command: 'kubectl apply -f manifests/ -n churn-mlops' });
      onEvent({
        type: 'result',
        command: 'kubectl apply -f manifests/ -n churn-mlops',
        ok: true,
        exitCode: 0,
      });
      return true;
    };
    const app = renderApp(lab, services, { only: { screen: 'exercise', exercise: 'deploy-system' } });
    await app.waitForText('✗ namespace churn-mlops exists');
    app.press('s');
    await app.waitForText('✓ Step 1 passed: Create the namespace');
    await app.waitForText('step 2 of 2: Apply the manifests');
    release();
    const frame = await app.waitForText('churn-mlops   Active   1s');
    // The step is the live part, under what the solution printed.
    expect(frame.indexOf('churn-mlops   Active   1s')).toBeLessThan(
      frame.indexOf('step 2 of 2: Apply the manifests'),
    );
    expect(frame.indexOf('churn-mlops   Active   1s')).toBeLessThan(
      frame.indexOf('Type in your other terminal:'),
    );
    await app.close();
  });

  it('stops a running solution when the learner leaves', async () => {
    const cluster = new TestCluster();
    cluster.solution = Array.from({ length: 200 }, () => ({
      type: 'output' as const,
      chunk: 'still going\n',
    }));
    const app = open(cluster);
    await app.waitForText('✗ namespace churn-mlops exists');
    app.press('s');
    await app.waitForText('still going');
    app.press('q');
    await until(() => app.exits.length > 0, 'the app to end');
    expect(cluster.solutionSignal?.aborted).toBe(true);
    expect(cluster.activeWatches).toBe(0);
  });

  for (const [how, key] of [
    ['Esc', KEYS.escape],
    ['a first Ctrl-C', KEYS.ctrlC],
  ] as const)
    it(`stops only the running solution on ${how}, says so, and can run it again`, async () => {
      const cluster = new TestCluster();
      cluster.solution = [
        { type: 'command', step: 'create-namespace', command: 'kubectl rollout status deployment/churn-api' },
        ...Array.from({ length: 400 }, () => ({ type: 'output' as const, chunk: 'still going\n' })),
      ];
      const app = open(cluster);
      await app.waitForText('✗ namespace churn-mlops exists');
      app.press('s');
      await app.waitForText('still going');
      expect(app.lastFrame()).toContain('Esc stop the solution');
      app.press(key);
      const frame = await app.waitForText('Stopped "do it for me" while it ran: kubectl rollout status');
      expect(frame).toContain('Press s to run the solution again');
      expect(cluster.solutionSignal?.aborted).toBe(true);
      expect(app.exits).toEqual([]);
      await app.waitFor((f) => f.includes('s do it for me'), 'the key to run it again');
      // Running again works; and a Ctrl-C with nothing running quits.
      const first = cluster.solutionSignal;
      app.press('s');
      await until(() => cluster.solutionSignal !== first, 'the solution to start again');
      app.press(KEYS.ctrlC);
      await app.waitFor((f) => f.split('Stopped "do it for me"').length === 3, 'the second stop');
      expect(app.exits).toEqual([]);
      app.press(KEYS.ctrlC);
      await until(() => app.exits.length > 0, 'the app to quit on the second Ctrl-C');
      expect(app.exits).toEqual([0]);
    });

  it('shows progress changed in another terminal within 2 s: hints taken there, a reset', async () => {
    const cluster = new TestCluster();
    const app = open(cluster);
    await app.waitForText('step 1 of 2: Create the namespace · hints 0/2');
    // `churn-labs hint deploy-system` in the other terminal.
    await updateProgress(lab.paths.progress, (p) => recordHint(p, 'deploy-system', 'namespace', 1));
    await app.waitForText('step 1 of 2: Create the namespace · hints 1/2', 2_000);
    cluster.add(namespaceObject());
    cluster.change();
    await app.waitForText('step 2 of 2: Apply the manifests');
    // `churn-labs reset deploy-system` there.
    await updateProgress(lab.paths.progress, (p) => resetExercise(p, 'deploy-system'));
    await app.waitForText('was reset in another terminal: back to step 1.', 2_000);
    // Back on step 1, the app saves its place: let that write land before the folder goes.
    await until(async () => (await progress()).position?.step === 'namespace', 'the position to be saved');
    await app.close();
  });

  it('says once when the cluster cannot be reached', async () => {
    const cluster = new TestCluster();
    cluster.reachable = false;
    const app = open(cluster);
    const frame = await app.waitForText('The cluster of context churn-labs-sim is not reachable.');
    expect(frame).not.toContain('No Namespace');
    await app.close();
  });

  it('shows the namespace: deployments, pods with their status, jobs and autoscalers', async () => {
    const cluster = new TestCluster();
    cluster.add(namespaceObject());
    cluster.add({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'churn-api', namespace: 'churn-mlops' },
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: 'api', image: 'churn-labs/churn-api:0.1.0' }] } },
      },
      status: { readyReplicas: 2 },
    });
    cluster.add({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'churn-api-abc', namespace: 'churn-mlops' },
      spec: { containers: [{ name: 'api' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'api', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    });
    cluster.add({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'churn-api', namespace: 'churn-mlops' },
      spec: {
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
      status: {
        currentReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } },
        ],
      },
    });
    const app = open(cluster);
    const frame = await app.waitForText('deployment churn-api 2/3 ready');
    expect(frame).toContain('hpa churn-api cpu: 35%/70% · 3 replicas (2–10)');
    expect(frame).toMatch(/pod churn-api-abc 0\/1 CrashLoopBackOff 4 restarts/);
    await app.close();
  });
});

describe('probe checks', () => {
  it('re-evaluates on a timer only while the step on screen has probe checks', async () => {
    const cluster = new TestCluster();
    const app = open(cluster, 'test-api');
    await app.waitForText('✗ the API answers /health');
    const seen = cluster.evaluations;
    await until(() => cluster.evaluations >= seen + 3, 'the probe timer to re-evaluate');
    cluster.httpStatus = 200;
    await app.waitForText('✓ Step 1 passed: Call /health');
    await app.close();
  });
});
