import { afterEach, describe, expect, it } from 'vitest';
import { buildImageStep, loadImageStep, readBuildContext } from '../../src/cluster/environment/images.js';
import { metricsServerStep } from '../../src/cluster/environment/metrics.js';
import { smokeStep } from '../../src/cluster/environment/smoke.js';
import { LAB_IMAGES } from '../../src/cluster/environment/sources.js';
import { DEFAULT_TIMEOUTS } from '../../src/cluster/environment.js';
import type { UpEvent } from '../../src/cluster/environment-api.js';
import { createMachine, FAST, stepEnds, type TestMachine } from './helpers.js';

const linux = process.platform === 'linux';
let machine: TestMachine;
afterEach(() => machine?.cleanup());

const failure = (events: UpEvent[]) => {
  const ends = stepEnds(events);
  const failed = ends.find((e) => e.outcome === 'failed');
  if (!failed) throw new Error(`no step failed: ${JSON.stringify(ends)}`);
  return failed;
};
const timeouts = (extra: Partial<typeof FAST> = {}) => ({ ...DEFAULT_TIMEOUTS, ...FAST, ...extra });

describe('up stops at once with the fix when the machine cannot run kind', () => {
  it('sees a Docker daemon that is down although docker info exits 0', async () => {
    machine = await createMachine();
    machine.fail('daemon-down');
    const { result, events } = await machine.up();
    expect(result).toMatchObject({ ok: false, failedStep: 'preflight' });
    const failed = failure(events);
    expect(failed.detail).toMatch(/The Docker daemon is not reachable: Cannot connect to the Docker daemon/);
    if (linux) expect(failed.fix).toMatch(/sudo systemctl start docker/);
    expect(failed.fix).toMatch(/churn-labs start --simulate/);
    const calls = await machine.calls();
    expect(calls.every((c) => ['version', 'info'].includes(c.args[0]!))).toBe(true);
  });

  it('names a missing kind, with its install command and the simulated alternative', async () => {
    machine = await createMachine({ tools: ['docker'] });
    const { result, events } = await machine.up();
    expect(result).toMatchObject({ ok: false, failedStep: 'preflight' });
    const failed = failure(events);
    expect(failed.detail).toBe('kind is not installed.');
    expect(failed.fix).toMatch(
      /Install kind: .*Then run churn-labs up again\. .*churn-labs start --simulate\.$/,
    );
  });

  it('says which port is taken when kind cannot publish it', async () => {
    machine = await createMachine();
    machine.fail('port-taken');
    const { result, events } = await machine.up();
    expect(result).toMatchObject({ ok: false, failedStep: 'cluster' });
    const failed = failure(events);
    expect(failed.detail).toBe(
      'Port 30080 on this machine is already taken, so kind could not publish it for the cluster.',
    );
    expect(failed.fix).toMatch(/docker ps --filter publish=30080.*lsof -i :30080.*churn-labs up again/);
    expect(failed.outputTail).toMatch(/port is already allocated/);
  });

  it('says that the daemon stopped when it dies in the middle of a build', async () => {
    machine = await createMachine();
    machine.fail('build-daemon-dies');
    const sources = machine.sources();
    const context = () => readBuildContext(sources, machine.lab.paths.home);
    const { result, events } = await machine.run([buildImageStep(LAB_IMAGES[0]!, context)]);
    expect(result.ok).toBe(false);
    const failed = failure(events);
    expect(failed.detail).toBe(
      'The Docker daemon stopped answering while building churn-labs/churn-api:0.1.0.',
    );
    if (linux) expect(failed.fix).toMatch(/^Start the Docker daemon: sudo systemctl start docker/);
    expect(failed.fix).toMatch(/run churn-labs up again: it picks up where it stopped\.$/);
  });
});

describe('loading images into kind', () => {
  it('says an image is missing from Docker, and that up rebuilds it', async () => {
    machine = await createMachine();
    await machine.clusterIsUp();
    const { result, events } = await machine.run([loadImageStep(LAB_IMAGES[2]!)]);
    expect(result.ok).toBe(false);
    const failed = failure(events);
    expect(failed.detail).toBe(
      'The image churn-labs/churn-ml:0.1.0 is not in Docker (was it removed?), so it cannot be loaded into kind.',
    );
    expect(failed.fix).toBe('Run churn-labs up again: it rebuilds the image, then loads it.');
    expect((await machine.calls()).some((c) => c.tool === 'kind')).toBe(false);
  });

  it('shows the output of a failed kind load', async () => {
    machine = await createMachine();
    await machine.clusterIsUp({ 'churn-labs/churn-ml:0.1.0': { id: 'sha256:abc', hash: 'h' } });
    machine.fail('load-failure');
    const { result, events } = await machine.run([loadImageStep(LAB_IMAGES[2]!)]);
    expect(result.ok).toBe(false);
    const failed = failure(events);
    expect(failed.detail).toBe(
      'Loading churn-labs/churn-ml:0.1.0 into the kind cluster failed (exit code 1).',
    );
    expect(failed.outputTail).toMatch(/no space left on device/);
  });
});

describe('the smoke test diagnoses a pod that does not run', () => {
  const smoke = (extra = {}) => [smokeStep(machine.lab.target, timeouts(extra))];

  it('ImagePullBackOff: the image is not loaded into kind', async () => {
    machine = await createMachine({ behaviour: { pod: 'image-pull' } });
    await machine.clusterIsUp();
    const { result, events } = await machine.run(smoke());
    expect(result).toMatchObject({ ok: false, failedStep: 'smoke' });
    const failed = failure(events);
    expect(failed.detail).toBe(
      'The pod smoke cannot get its image churn-labs/churn-ml:0.1.0 (ImagePullBackOff): the image is not loaded into the cluster.',
    );
    expect(failed.fix).toMatch(
      /churn-labs up again.*kind load docker-image churn-labs\/churn-ml:0\.1\.0 --name churn-labs$/,
    );
    expect(failed.outputTail).toMatch(/Warning Failed: Failed to pull image "churn-labs\/churn-ml:0\.1\.0"/);
  });

  it('Pending for lack of memory: give Docker more memory', async () => {
    machine = await createMachine({ behaviour: { pod: 'insufficient-memory' } });
    await machine.clusterIsUp();
    const { events } = await machine.run(smoke());
    const failed = failure(events);
    expect(failed.detail).toMatch(
      /^The pod smoke cannot be scheduled: 0\/1 nodes are available: 1 Insufficient memory\./,
    );
    if (linux) expect(failed.fix).toMatch(/^Docker uses this machine's memory/);
    expect(failed.outputTail).toMatch(/FailedScheduling/);
  });

  it('a crashing container: its last log lines', async () => {
    machine = await createMachine({ behaviour: { pod: 'crash' } });
    await machine.clusterIsUp();
    const { events } = await machine.run(smoke());
    const failed = failure(events);
    expect(failed.detail).toBe('The pod smoke failed: its container exited with code 2 (Error).');
    expect(failed.outputTail).toMatch(/Last log lines of pod smoke:\n.*\n.*bad indentation/);
  });

  it('a pod that never finishes: a timeout that says what it last saw', async () => {
    machine = await createMachine({ behaviour: { pod: 'pending' } });
    await machine.clusterIsUp();
    const { events } = await machine.run(smoke({ smokeMs: 1_500 }));
    const failed = failure(events);
    expect(failed.detail).toBe(
      'The smoke-test pod did not finish within 2 s (last seen: Pending, ContainerCreating).',
    );
    expect(failed.fix).toMatch(/kubectl describe pod smoke -n churn-labs-smoke --context kind-churn-labs$/);
  });

  it('clears a smoke namespace left by an interrupted run, then passes', async () => {
    machine = await createMachine({ behaviour: { pod: 'pending' } });
    await machine.clusterIsUp();
    await machine.run(smoke({ smokeMs: 500 }));
    machine.cluster.behaviour.pod = 'succeed';
    machine.cluster.requests.length = 0;
    const { result, events } = await machine.run(smoke());
    expect(result.ok).toBe(true);
    const requests = machine.cluster.requests;
    const firstDelete = requests.indexOf('DELETE /api/v1/namespaces/churn-labs-smoke');
    expect(firstDelete).toBeGreaterThan(-1);
    expect(requests.indexOf('POST /api/v1/namespaces/churn-labs-smoke/pods')).toBeGreaterThan(firstDelete);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'step-output',
        chunk: expect.stringMatching(/left from an earlier run/),
      }),
    );
  });
});

describe('metrics-server', () => {
  it('says which part did not come up: the Deployment (with its pod diagnosed)', async () => {
    machine = await createMachine({ behaviour: { deploymentsAvailable: false, pod: 'image-pull' } });
    await machine.clusterIsUp();
    const step = metricsServerStep(machine.lab.target, machine.sources(), timeouts({ metricsMs: 1_500 }));
    const { events } = await machine.run([step]);
    const failed = failure(events);
    expect(failed.detail).toMatch(
      /^metrics-server did not become available: The pod metrics-server-\S+ cannot download its image registry\.k8s\.io\/metrics-server\/metrics-server:v0\.7\.2 \(ImagePullBackOff\)\.$/,
    );
    expect(failed.fix).toMatch(/internet/);
  });

  it('says which part did not come up: the metrics API', async () => {
    machine = await createMachine({ behaviour: { metricsApi: false } });
    await machine.clusterIsUp();
    const step = metricsServerStep(machine.lab.target, machine.sources(), timeouts({ metricsMs: 1_500 }));
    const { events } = await machine.run([step]);
    const failed = failure(events);
    expect(failed.detail).toBe(
      'metrics-server is running, but the metrics API (/apis/metrics.k8s.io/v1beta1/nodes) did not answer within 2 s.',
    );
    expect(failed.fix).toMatch(
      /kubectl logs -n kube-system deployment\/metrics-server --context kind-churn-labs$/,
    );
    expect(failed.outputTail).toMatch(/ServiceUnavailable|unable to handle the request/);
  });
});
