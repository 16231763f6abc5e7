import { join } from 'node:path';
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
  // Each wording Docker's CLI uses for a daemon it cannot reach, and the fix that goes with it.
  it.each([
    [
      'new',
      /failed to connect to the docker API at unix:\/\/\/var\/run\/docker\.sock/,
      /sudo systemctl start docker/,
    ],
    ['old', /Cannot connect to the Docker daemon at unix/, /sudo systemctl start docker/],
    [
      'permission',
      /permission denied while trying to connect to the docker API/,
      /sudo usermod -aG docker \$USER/,
    ],
    [
      'desktop',
      /\.docker\/desktop\/docker\.sock/,
      /Start Docker Desktop \(systemctl --user start docker-desktop\)/,
    ],
  ])(
    'sees a Docker daemon that is down although docker info exits 0 (%s wording)',
    async (wording, said, fix) => {
      machine = await createMachine();
      machine.setEnv({ STANDIN_DAEMON: wording });
      machine.fail('daemon-down');
      const { result, events } = await machine.up();
      expect(result).toMatchObject({ ok: false, failedStep: 'preflight' });
      const failed = failure(events);
      expect(failed.detail).toMatch(/The Docker daemon is not reachable: /);
      expect(failed.detail).toMatch(said);
      if (linux) expect(failed.fix).toMatch(fix);
      if (wording === 'permission' || wording === 'desktop')
        expect(failed.fix).not.toMatch(/systemctl start docker/);
      expect(failed.fix).toMatch(/churn-labs start --simulate/);
      const calls = await machine.calls();
      expect(calls.every((c) => ['--version', 'version', 'info'].includes(c.args[0]!))).toBe(true);
    },
  );

  it('says in one sentence that a docker that is Podman is not supported, and what to do', async () => {
    machine = await createMachine();
    machine.setEnv({ STANDIN_DOCKER: 'podman' });
    const { result, events } = await machine.up();
    expect(result).toMatchObject({ ok: false, failedStep: 'preflight' });
    const failed = failure(events);
    expect(failed.detail).toMatch(
      /^docker is Podman 4\.3\.1 \(podman-docker\), and churn-labs runs kind on Docker only\.$/,
    );
    expect(failed.fix).toMatch(/^churn-labs needs Docker, not Podman: install Docker/);
    expect(failed.fix).not.toMatch(/systemctl|Cannot connect/);
    expect(failed.fix?.match(/--simulate/g)).toHaveLength(1);
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

  it.each([
    ['new', 'stopped answering', /^Start the Docker daemon: sudo systemctl start docker/],
    ['old', 'stopped answering', /^Start the Docker daemon: sudo systemctl start docker/],
    ['permission', 'refused to let this user in', /^Let your user talk to Docker: sudo usermod -aG docker/],
  ])(
    'says that the daemon stopped when it dies in the middle of a build (%s wording)',
    async (wording, what, fix) => {
      machine = await createMachine();
      machine.setEnv({ STANDIN_DAEMON: wording });
      machine.fail('build-daemon-dies');
      const sources = machine.sources();
      const context = () => readBuildContext(sources, machine.lab.paths.home);
      const { result, events } = await machine.run([buildImageStep(LAB_IMAGES[0]!, context)]);
      expect(result.ok).toBe(false);
      const failed = failure(events);
      expect(failed.detail).toBe(`The Docker daemon ${what} while building churn-labs/churn-api:0.1.0.`);
      if (linux) expect(failed.fix).toMatch(fix);
      expect(failed.fix).toMatch(/run churn-labs up again: it picks up where it stopped\.$/);
    },
  );

  it("names Docker Hub's pull limit and docker login when the base image is refused", async () => {
    machine = await createMachine();
    machine.fail('pull-limit');
    const sources = machine.sources();
    const context = () => readBuildContext(sources, machine.lab.paths.home);
    const { result, events } = await machine.run([buildImageStep(LAB_IMAGES[0]!, context)]);
    expect(result.ok).toBe(false);
    const failed = failure(events);
    expect(failed.detail).toBe(
      'Docker Hub refused to send node:24.21.0-alpine3.22 while building churn-labs/churn-api:0.1.0: the pull limit for anonymous downloads is reached (toomanyrequests).',
    );
    expect(failed.fix).toMatch(/^Log in to Docker Hub \(docker login: a free account raises the limit\)/);
  });

  it("names Docker Hub's pull limit when kind cannot pull its node image", async () => {
    machine = await createMachine();
    machine.fail('pull-limit');
    const { result, events } = await machine.up();
    expect(result).toMatchObject({ ok: false, failedStep: 'cluster' });
    const failed = failure(events);
    expect(failed.detail).toBe(
      'Docker Hub refused to send kindest/node:v1.32.2 while creating the kind cluster churn-labs: the pull limit for anonymous downloads is reached (toomanyrequests).',
    );
    expect(failed.fix).toMatch(/docker login/);
    expect(failed.outputTail).toMatch(
      /toomanyrequests: You have reached your unauthenticated pull rate limit/,
    );
  });
});

describe('loading images into kind', () => {
  it('says an image is missing from Docker, and that up rebuilds it', async () => {
    machine = await createMachine();
    await machine.clusterIsUp();
    const { result, events } = await machine.run([loadImageStep(LAB_IMAGES[2]!, archives())]);
    expect(result.ok).toBe(false);
    const failed = failure(events);
    expect(failed.detail).toBe(
      'The image churn-labs/churn-ml:0.1.0 is not in Docker (was it removed?), so it cannot be loaded into kind.',
    );
    expect(failed.fix).toBe('Run churn-labs up again: it rebuilds the image, then loads it.');
    expect((await machine.calls()).some((c) => c.tool === 'kind')).toBe(false);
  });

  it('says the node ran out of disk space when kind load does', async () => {
    machine = await createMachine();
    machine.fail('load-failure');
    await loadedOnce();
    const { result, events } = await machine.run([loadImageStep(LAB_IMAGES[2]!, archives())]);
    expect(result.ok).toBe(false);
    const failed = failure(events);
    expect(failed.detail).toBe(
      'The kind node ran out of disk space while loading churn-labs/churn-ml:0.1.0.',
    );
    expect(failed.fix).toMatch(/docker system prune/);
    expect(failed.outputTail).toMatch(/no space left on device/);
  });

  it('names the containerd image store and how to turn it off when an import still fails there', async () => {
    machine = await createMachine();
    machine.setEnv({ STANDIN_STORE: 'containerd' });
    machine.fail('save-incomplete');
    await loadedOnce();
    const { result, events } = await machine.run([loadImageStep(LAB_IMAGES[2]!, archives())]);
    expect(result.ok).toBe(false);
    const failed = failure(events);
    expect(failed.detail).toMatch(
      /^kind could not import churn-labs\/churn-ml:0\.1\.0: Docker's containerd image store wrote an archive that names content it does not hold/,
    );
    if (linux)
      expect(failed.fix).toMatch(
        /"containerd-snapshotter".*\/etc\/docker\/daemon\.json.*sudo systemctl restart docker/,
      );
    expect(failed.outputTail).toMatch(/ctr: content digest sha256:[0-9a-f]{64}: not found/);
  });

  it('saves without --platform where the docker CLI is older than 28 and does not know it', async () => {
    machine = await createMachine();
    machine.setEnv({ STANDIN_STORE: 'containerd' });
    machine.fail('save-no-platform');
    await loadedOnce();
    const { result, events } = await machine.run([loadImageStep(LAB_IMAGES[2]!, archives())]);
    expect(result.ok, JSON.stringify(stepEnds(events))).toBe(true);
    const saves = (await machine.calls()).filter((c) => c.args[0] === 'save').map((c) => c.args.join(' '));
    expect(saves).toEqual([
      expect.stringMatching(/^save --platform linux\/amd64 -o \S+ churn-labs\/churn-ml:0\.1\.0$/),
      expect.stringMatching(/^save -o \S+ churn-labs\/churn-ml:0\.1\.0$/),
    ]);
  });
});

/** A cluster that is up, and the image built once, as up's build step leaves it. */
async function loadedOnce() {
  await machine.clusterIsUp();
  const context = () => readBuildContext(machine.sources(), machine.lab.paths.home);
  const built = await machine.run([buildImageStep(LAB_IMAGES[2]!, context)]);
  expect(built.result.ok).toBe(true);
  await machine.clearCalls();
}

const archives = () => join(machine.lab.paths.home, 'build', 'images');

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
