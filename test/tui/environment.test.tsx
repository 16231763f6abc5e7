import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../src/lab.js';
import { tempLab } from './fixtures.js';
import { KEYS, renderApp, TestCluster, until } from './harness.js';

let lab: Lab;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ lab, cleanup } = await tempLab());
});
afterEach(async () => cleanup());

/** Opens exercise 1 from the map, which brings the lab up first. */
async function bringUp(cluster: TestCluster, simulate = true) {
  const target = simulate ? lab.target : { context: 'kind-churn-labs' };
  const app = renderApp({ ...lab, target, simulated: simulate }, cluster.services(), { simulate });
  await app.waitForText('exercises done');
  app.press(KEYS.enter);
  if (!simulate) {
    await app.waitForText('Enter bring the lab up');
    app.press(KEYS.enter);
  }
  return app;
}

describe('bringing the lab up', () => {
  it('shows the running step with its command, and finished steps once', async () => {
    const cluster = new TestCluster();
    let open: () => void = () => {};
    cluster.upGate = new Promise<void>((resolve) => {
      open = resolve;
    });
    cluster.upEvents = [
      {
        type: 'step-start',
        id: 'cluster',
        title: 'Create the kind cluster churn-labs',
        command: 'kind create cluster --name churn-labs',
      },
      {
        type: 'step-output',
        id: 'cluster',
        chunk: 'Creating cluster "churn-labs" ...\n • Ensuring node image\n',
      },
      { type: 'step-end', id: 'cluster', outcome: 'skipped', ms: 300, detail: 'already there' },
      { type: 'notice', message: 'Using the images already loaded.' },
      {
        type: 'step-start',
        id: 'apply',
        title: 'Apply the manifests',
        command: 'kubectl apply -f workspace/manifests',
      },
    ];
    const app = await bringUp(cluster, false);
    const running = await app.waitForText('kubectl apply -f workspace/manifests');
    expect(running).toMatch(/Apply the manifests \d+\.\ds/);
    expect(running).toContain('– Create the kind cluster churn-labs 0.3s · already there');
    expect(running).toContain('Using the images already loaded.');
    // The title comes first, above the steps as they finish.
    expect(running.indexOf('The lab environment (kind, context kind-churn-labs)')).toBeLessThan(
      running.indexOf('Create the kind cluster churn-labs'),
    );
    open();
    const ready = await app.waitForText('Press Enter to start.');
    expect(ready).toContain('kubectl config use-context kind-churn-labs');
    expect(ready.split('The lab is up.').length - 1).toBe(1);
    expect(cluster.simulatorStarts).toBe(0);
    await app.close();
  });

  it('shows what failed, the fix and the tail of the output, and tries again on r', async () => {
    const cluster = new TestCluster();
    cluster.upEvents = [
      {
        type: 'step-start',
        id: 'images',
        title: 'Build the images',
        command: 'docker build -t churn-labs/churn-api:0.1.0 .',
      },
      {
        type: 'step-end',
        id: 'images',
        outcome: 'failed',
        ms: 4000,
        detail: 'docker build failed',
        fix: 'Start Docker and run churn-labs up again.',
        outputTail: 'step 3/7\nERROR: Cannot connect to the Docker daemon',
      },
    ];
    cluster.upResult = { ok: false, failedStep: 'images' };
    const app = await bringUp(cluster);
    const frame = await app.waitForText('Build the images failed: docker build failed');
    expect(frame).toContain('What to do: Start Docker and run churn-labs up again.');
    expect(frame).toContain('ERROR: Cannot connect to the Docker daemon');
    expect(frame).toContain('r try again');
    cluster.upEvents = [];
    cluster.upResult = { ok: true };
    app.press('r');
    await app.waitForText('Press Enter to start.');
    expect(cluster.upCalls).toHaveLength(2);
    // The simulated cluster started once, and is reused by the second try.
    expect(cluster.simulatorStarts).toBe(1);
    await app.close();
  });

  it('asks before overwriting files the learner changed', async () => {
    const cluster = new TestCluster();
    const answers: boolean[] = [];
    const services = cluster.services({
      up: async (_lab, options) => {
        answers.push((await options.confirmOverwrite?.(['manifests/api-deployment.yaml'])) ?? false);
        answers.push((await options.confirmOverwrite?.(['manifests/config.yaml'])) ?? false);
        return { ok: true };
      },
    });
    const app = renderApp(lab, services, { simulate: true });
    await app.waitForText('exercises done');
    app.press(KEYS.enter);
    await app.waitForText('manifests/api-deployment.yaml');
    expect(app.lastFrame()).toContain("Overwrite them with the course's versions? y/N");
    app.press('y');
    await app.waitForText('manifests/config.yaml');
    app.press(KEYS.enter);
    await app.waitForText('The lab is up.');
    expect(answers).toEqual([true, false]);
    await app.close();
  });

  it('asks before up deletes a kind cluster whose API does not answer, and passes on the answer', async () => {
    const cluster = new TestCluster();
    const answers: boolean[] = [];
    const question =
      "The kind cluster churn-labs exists, but its API server has not answered (EOF). Deleting and re-creating it loses everything in it, your churn-mlops namespace and the volume's data included. Delete it and create it again?";
    const services = cluster.services({
      up: async (_lab, options) => {
        answers.push((await options.confirmRecreate?.(question)) ?? false);
        answers.push((await options.confirmRecreate?.(question)) ?? false);
        return { ok: true };
      },
    });
    const app = renderApp(lab, services, { simulate: true });
    await app.waitForText('exercises done');
    app.press(KEYS.enter);
    await app.waitForText('Delete it and create it again?');
    expect(app.lastFrame()).toMatch(/y delete and re-create/);
    app.press('n');
    await until(() => answers.length === 1, 'the first answer');
    await app.waitForText('Delete it and create it again?');
    app.press('y');
    await app.waitForText('The lab is up.');
    expect(answers).toEqual([false, true]);
    await app.close();
  });

  it('stops up and the simulated cluster on Ctrl-C', async () => {
    const cluster = new TestCluster();
    cluster.upGate = new Promise<void>(() => {});
    cluster.upEvents = [{ type: 'step-start', id: 'apply', title: 'Apply the manifests' }];
    const app = await bringUp(cluster);
    await app.waitForText('Apply the manifests');
    app.press(KEYS.ctrlC);
    await until(() => app.exits.length > 0, 'the app to quit');
    expect(cluster.upCalls[0]?.options.signal?.aborted).toBe(true);
    expect(cluster.simulatorStops).toBe(1);
  });

  it('says plainly when the simulated cluster cannot start', async () => {
    const cluster = new TestCluster();
    const services = cluster.services({
      startSimulator: async () => {
        throw new Error('This build of churn-labs does not include the simulated cluster yet.');
      },
    });
    const app = renderApp(lab, services, { simulate: true });
    await app.waitForText('exercises done');
    app.press(KEYS.enter);
    await app.waitForText('Start the simulated cluster failed: This build of churn-labs does not include');
    expect(cluster.upCalls).toHaveLength(0);
    app.press('q');
    await app.waitForText('exercises done');
    await app.close();
  });
});

describe("a classroom learner's lab (start --kubeconfig)", () => {
  it('goes from the map to the environment without the preflight of Docker and kind, and says which namespace and kubeconfig', async () => {
    const cluster = new TestCluster();
    cluster.upEvents = [
      { type: 'step-start', id: 'classroom', title: 'Your namespace churn-mlops-ada' },
      {
        type: 'step-end',
        id: 'classroom',
        outcome: 'ok',
        ms: 100,
        detail: 'namespace churn-mlops-ada is there',
      },
    ];
    const classroom: Lab = {
      ...lab,
      target: { context: 'churn-labs-ada', kubeconfig: '/class/ada.kubeconfig' },
      simulated: false,
      namespace: 'churn-mlops-ada',
      classroom: { learner: 'ada' },
    };
    const app = renderApp(classroom, cluster.services(), { simulate: false });
    const map = await app.waitForText('exercises done');
    expect(map).toContain('Cluster: the class cluster, context churn-labs-ada, namespace churn-mlops-ada');
    app.press(KEYS.enter);
    const ready = await app.waitForText('Press Enter to start.');
    expect(ready).not.toContain('bring the lab up');
    expect(ready).toContain(
      'The lab environment (classroom: namespace churn-mlops-ada, context churn-labs-ada)',
    );
    expect(ready).toContain('Your lab is ready: namespace churn-mlops-ada');
    expect(ready).toContain('export KUBECONFIG=/class/ada.kubeconfig');
    expect(cluster.simulatorStarts).toBe(0);
    await app.close();
  });
});
