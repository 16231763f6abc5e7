import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { registryHost, registryProblem } from '../../src/cluster/environment/registry.js';
import { defaultStorageClass } from '../../src/cluster/environment/storage.js';
import { startSimulator } from '../../src/sim/main.js';
import {
  type Call,
  createMachine,
  notices,
  outcomes,
  stepEnds,
  type TestMachine,
  writePackage,
} from './helpers.js';

/**
 * `up --context NAME --registry R` on a cluster that is not kind: the simulated cluster reached
 * under another context name (as a GKE or k3s context would be), the stand-in docker building and
 * pushing, the real kubectl reading nodes, classes and the metrics API. The fake API server stands
 * in where the simulated cluster cannot be made to lack something (the metrics API, one platform).
 */
let machine: TestMachine;
let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
  await machine?.cleanup();
});

const REGISTRY = 'localhost:5001';
const IMAGES = ['churn-api:0.1.0', 'churn-api:0.2.0', 'churn-ml:0.1.0'].map(
  (i) => `${REGISTRY}/churn-labs/${i}`,
);

/** Manifests shaped like the course's: the images and the claim's class to render. */
async function writeCourseLikePackage(dir: string) {
  await writePackage(dir, '0.1.0', {
    'manifests/api-deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: churn-api',
      '  namespace: churn-mlops',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: api',
      '          image: churn-labs/churn-api:0.1.0',
      '',
    ].join('\n'),
    'manifests/pvc.yaml': [
      'apiVersion: v1',
      'kind: PersistentVolumeClaim',
      'metadata:',
      '  name: churn-mlops-pvc',
      '  namespace: churn-mlops',
      'spec:',
      "  # kind's default class",
      '  storageClassName: standard',
      '',
    ].join('\n'),
  });
}

/** The simulated cluster under the context `gke-class`, in a kubeconfig of its own. */
async function simulatedClass(): Promise<string> {
  machine = await createMachine();
  await writeCourseLikePackage(machine.packageDir);
  simulator = await startSimulator({ home: machine.lab.paths.home });
  const config = YAML.parse(await readFile(simulator.kubeconfig, 'utf8'));
  config.contexts[0].name = 'gke-class';
  config['current-context'] = 'gke-class';
  const kubeconfig = join(machine.dir, 'class-kubeconfig');
  await writeFile(kubeconfig, YAML.stringify(config));
  machine.lab = { ...machine.lab, target: { context: 'gke-class', kubeconfig } };
  return kubeconfig;
}

/** kubectl against the in-process simulated cluster: never synchronous, or it could not answer. */
const kubectl = (kubeconfig: string, args: string[], input = '') =>
  new Promise<string>((resolve, reject) => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--context', 'gke-class', ...args],
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
    child.stdin?.end(input);
  });

const docker = (calls: Call[]) => calls.filter((c) => c.tool === 'docker').map((c) => c.args);

describe('up --context gke-class --registry localhost:5001 (the simulated cluster under another name)', () => {
  it('builds each image for the nodes, pushes it, renders the workspace for the registry, and runs the smoke pod from it', async () => {
    await simulatedClass();
    const { result, events } = await machine.up({ registry: REGISTRY, timeouts: { smokeMs: 60_000 } });
    const failed = stepEnds(events).find((e) => e.outcome === 'failed');
    expect(failed, JSON.stringify(failed)).toBeUndefined();
    expect(result).toMatchObject({ ok: true, lab: { registry: REGISTRY, storageClass: 'standard' } });
    expect(outcomes(events)).toMatchObject({
      preflight: 'ok',
      cluster: 'skipped',
      'build-churn-api-0.1.0': 'ok',
      'push-churn-api-0.1.0': 'ok',
      'push-churn-ml-0.1.0': 'ok',
      storage: 'skipped',
      'metrics-server': 'skipped',
      workspace: 'ok',
      smoke: 'ok',
    });
    expect(stepEnds(events).find((e) => e.id === 'cluster')?.detail).toBe(
      '1 node (linux/amd64); images are built for it',
    );
    const calls = await machine.calls();
    expect(calls.some((c) => c.tool === 'kind')).toBe(false);
    const builds = docker(calls).filter((a) => a[0] === 'build');
    expect(builds.map((a) => [a[1], a[2], a[3], a[4]])).toEqual(
      IMAGES.map((ref) => ['--platform', 'linux/amd64', '-t', ref]),
    );
    expect(docker(calls).filter((a) => a[0] === 'push')).toEqual(IMAGES.map((ref) => ['push', ref]));
    const deployment = await readFile(
      join(machine.lab.paths.workspace, 'k8s', 'api-deployment.yaml'),
      'utf8',
    );
    expect(deployment).toContain(`          image: ${REGISTRY}/churn-labs/churn-api:0.1.0\n`);
    expect(await readFile(join(machine.lab.paths.workspace, 'k8s', 'pvc.yaml'), 'utf8')).toContain(
      '  storageClassName: standard\n',
    );
    expect(stepEnds(events).find((e) => e.id === 'smoke')?.detail).toMatch(
      new RegExp(`^${REGISTRY}/churn-labs/churn-ml:0\\.1\\.0 ran in the cluster`),
    );

    // Again: nothing to build, the registry has every layer.
    await machine.clearCalls();
    const again = await machine.up({ registry: REGISTRY, timeouts: { smokeMs: 60_000 } });
    expect(again.result.ok).toBe(true);
    expect(outcomes(again.events)).toMatchObject({
      'build-churn-api-0.1.0': 'skipped',
      'push-churn-api-0.1.0': 'skipped',
      workspace: 'skipped',
    });
    expect(docker(await machine.calls()).filter((a) => a[0] === 'build')).toEqual([]);
  }, 150_000);

  it('uses the default class where the cluster has no class standard, and says so in one line', async () => {
    const kubeconfig = await simulatedClass();
    await kubectl(kubeconfig, ['delete', 'storageclass', 'standard']);
    await kubectl(
      kubeconfig,
      ['apply', '-f', '-'],
      [
        'apiVersion: storage.k8s.io/v1',
        'kind: StorageClass',
        'metadata:',
        '  name: premium-rwo',
        '  annotations: {storageclass.kubernetes.io/is-default-class: "true"}',
        'provisioner: pd.csi.storage.gke.io',
        '',
      ].join('\n'),
    );
    const { result, events } = await machine.up({ registry: REGISTRY, timeouts: { smokeMs: 60_000 } });
    expect(result).toMatchObject({ ok: true, lab: { storageClass: 'premium-rwo' } });
    expect(notices(events)).toContain(
      "This cluster has no StorageClass standard (kind's): the claims in your manifests use its default class, premium-rwo.",
    );
    expect(await readFile(join(machine.lab.paths.workspace, 'k8s', 'pvc.yaml'), 'utf8')).toContain(
      "  # kind's default class\n  storageClassName: premium-rwo\n",
    );
  }, 150_000);

  it('with no class standard and no default: says which exercises cannot pass and how to name a class', async () => {
    const kubeconfig = await simulatedClass();
    await kubectl(kubeconfig, ['delete', 'storageclass', 'standard']);
    const { result, events } = await machine.up({ registry: REGISTRY, timeouts: { smokeMs: 60_000 } });
    expect(result.ok).toBe(true);
    expect(outcomes(events).storage).toBe('skipped');
    const said = notices(events).find((n) => n.includes('no default class'));
    expect(said).toMatch(/persistent-storage and incident-volume-pending cannot pass/);
    expect(said).toMatch(/churn-labs up --context gke-class --registry localhost:5001 --storage-class CLASS/);
  }, 150_000);

  it('--storage-class that the cluster lacks fails with its classes listed', async () => {
    await simulatedClass();
    const { result, events } = await machine.up({ registry: REGISTRY, storageClass: 'gold' });
    expect(result).toMatchObject({ ok: false, failedStep: 'storage' });
    expect(stepEnds(events).at(-1)?.detail).toBe('This cluster has no StorageClass gold (it has: standard).');
  }, 150_000);

  it('a push the registry refuses says to log in to it', async () => {
    await simulatedClass();
    machine.fail('push-unauthorized');
    const { result, events } = await machine.up({ registry: REGISTRY });
    expect(result).toMatchObject({ ok: false, failedStep: 'push-churn-api-0.1.0' });
    const failed = stepEnds(events).at(-1);
    expect(failed?.detail).toBe(
      `${REGISTRY} refused to take ${REGISTRY}/churn-labs/churn-api:0.1.0: this machine is not logged in to it, or the account may not push there.`,
    );
    expect(failed?.fix).toMatch(/^Log in with docker login localhost:5001 /);
    expect(failed?.outputTail).toContain('unauthorized: authentication required');
  }, 150_000);

  it('a plain-HTTP registry: says where to mark it insecure', async () => {
    await simulatedClass();
    machine.fail('push-http');
    const { events } = await machine.up({ registry: REGISTRY });
    const failed = stepEnds(events).at(-1);
    expect(failed?.detail).toMatch(/speaks plain HTTP/);
    expect(failed?.fix).toMatch(/"insecure-registries": \["localhost:5001"\]/);
  }, 150_000);
});

/** The fake API server with nodes of the given architectures and a class `standard`. */
async function fakeClass(architectures: string[], behaviour = {}, tools?: ('docker' | 'kind')[]) {
  machine = await createMachine({ behaviour, tools });
  await writeCourseLikePackage(machine.packageDir);
  const { kindKubeconfig } = await import('./helpers.js');
  await writeFile(machine.kubeconfig, kindKubeconfig('k3s-lab', machine.cluster.url));
  machine.lab = { ...machine.lab, target: { context: 'k3s-lab', kubeconfig: machine.kubeconfig } };
  for (const [i, architecture] of architectures.entries())
    machine.cluster.objects.set(`nodes||node-${i}`, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${i}` },
      status: { nodeInfo: { architecture, operatingSystem: 'linux' } },
    });
  machine.cluster.objects.set('storageclasses||standard', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard' },
  });
}

describe('up --context on nodes of other platforms, and without the metrics API', () => {
  it('nodes of two platforms: one docker buildx build --platform a,b --push per image', async () => {
    await fakeClass(['amd64', 'arm64']);
    machine.setEnv({ STANDIN_STORE: 'containerd' });
    const { result, events } = await machine.up({
      registry: 'ghcr.io/acme',
      confirmInstall: async () => true,
    });
    const failed = stepEnds(events).find((e) => e.outcome === 'failed');
    expect(failed, JSON.stringify(failed)).toBeUndefined();
    expect(result.ok).toBe(true);
    const builds = docker(await machine.calls()).filter((a) => a[0] === 'buildx');
    expect(builds.map((a) => a.slice(0, 6))).toEqual(
      ['churn-api:0.1.0', 'churn-api:0.2.0', 'churn-ml:0.1.0'].map((i) => [
        'buildx',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '-t',
        `ghcr.io/acme/churn-labs/${i}`,
      ]),
    );
    expect(builds.every((a) => a.includes('--push'))).toBe(true);
    expect(docker(await machine.calls()).filter((a) => a[0] === 'push')).toEqual([]);
    expect(stepEnds(events).find((e) => e.id === 'push-churn-ml-0.1.0')).toMatchObject({
      outcome: 'skipped',
      detail: 'pushed by docker buildx build --push (linux/amd64, linux/arm64)',
    });
  }, 60_000);

  it("two platforms on Docker's classic store: says how to get a builder that can", async () => {
    await fakeClass(['amd64', 'arm64']);
    const { result, events } = await machine.up({ registry: 'ghcr.io/acme' });
    expect(result).toMatchObject({ ok: false, failedStep: 'build-churn-api-0.1.0' });
    expect(stepEnds(events).at(-1)?.fix).toMatch(
      /docker buildx create --name churn-labs --driver docker-container --use/,
    );
  }, 60_000);

  it('arm64 nodes from an amd64 machine without emulation: says to set up QEMU', async () => {
    await fakeClass(['arm64']);
    machine.fail('no-binfmt');
    const { events } = await machine.up({ registry: 'ghcr.io/acme' });
    const failed = stepEnds(events).at(-1);
    expect(failed?.id).toBe('build-churn-api-0.1.0');
    expect(failed?.detail).toMatch(/building for another CPU needs emulation/);
    expect(failed?.fix).toMatch(/tonistiigi\/binfmt --install all/);
    const build = docker(await machine.calls()).find((a) => a[0] === 'build');
    expect(build?.slice(0, 3)).toEqual(['build', '--platform', 'linux/arm64']);
  }, 60_000);

  it('no metrics API and no terminal to ask: says which exercises cannot pass, installs nothing', async () => {
    await fakeClass(['amd64']);
    const { result, events } = await machine.up({ registry: REGISTRY });
    expect(result.ok).toBe(true);
    expect(outcomes(events)['metrics-server']).toBe('skipped');
    expect(notices(events)).toContain(
      "This cluster has no metrics API (/apis/metrics.k8s.io/v1beta1/nodes does not answer): the autoscaling exercises (scale-api's HPA, autoscale-load) and incident-hpa-blind cannot pass until metrics-server is installed. Install it with churn-labs up --context k3s-lab --registry localhost:5001 --yes, or with your cluster's own add-on.",
    );
    expect(
      machine.cluster.requests.some((r) => r.includes('deployments/metrics-server') && r.startsWith('PATCH')),
    ).toBe(false);
    expect([...machine.cluster.objects.keys()].some((k) => k.includes('metrics-server'))).toBe(false);
  }, 60_000);

  it('no metrics API, allowed (--yes): installs metrics-server without --kubelet-insecure-tls, and waits for the API', async () => {
    await fakeClass(['amd64']);
    // The package's own manifest, which carries the flag for kind.
    const manifest = await readFile(
      join(process.cwd(), 'manifests', 'platform', 'metrics-server.yaml'),
      'utf8',
    );
    expect(manifest).toMatch(/^\s+- --kubelet-insecure-tls/m);
    await writePackage(machine.packageDir, '0.1.0', { 'manifests/platform/metrics-server.yaml': manifest });
    const asked: string[] = [];
    const { result, events } = await machine.up({
      registry: REGISTRY,
      confirmInstall: async (question) => {
        asked.push(question);
        return true;
      },
    });
    expect(result.ok).toBe(true);
    expect(asked[0]).toMatch(/^The cluster of context k3s-lab has no metrics API/);
    expect(stepEnds(events).find((e) => e.id === 'metrics-server')).toMatchObject({
      outcome: 'ok',
      detail: 'metrics-server installed; the metrics API answers',
    });
    const deployment = [...machine.cluster.objects.values()].find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'metrics-server',
    );
    expect(JSON.stringify(deployment?.spec)).not.toContain('kubelet-insecure-tls');
  }, 60_000);

  it('without options (the terminal app): takes the registry and class up was given last for this context', async () => {
    await fakeClass(['amd64']);
    const { writeLastLab } = await import('../../src/files/last-lab.js');
    await writeLastLab(machine.lab.paths.lastLab, {
      context: 'k3s-lab',
      registry: 'ghcr.io/acme',
      storageClass: 'standard',
    });
    const { result } = await machine.up();
    expect(result).toMatchObject({ ok: true, lab: { registry: 'ghcr.io/acme', storageClass: 'standard' } });
    expect(
      docker(await machine.calls())
        .filter((a) => a[0] === 'push')
        .map((a) => a[1]),
    ).toContain('ghcr.io/acme/churn-labs/churn-api:0.1.0');
  }, 60_000);

  it('Podman where there is no docker: podman build --platform and podman push; a refused push says podman login', async () => {
    await fakeClass(['amd64'], {}, []);
    const file = join(machine.bin, 'podman');
    await writeFile(
      file,
      `#!${process.execPath}\nrequire(${JSON.stringify(join(process.cwd(), 'test/environment/bin/standin.cjs'))})('podman', process.argv.slice(2));\n`,
    );
    await chmod(file, 0o755);
    const { result, events } = await machine.up({ registry: REGISTRY });
    const failed = stepEnds(events).find((e) => e.outcome === 'failed');
    expect(failed, JSON.stringify(failed)).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(stepEnds(events)[0]?.detail).toMatch(/^Podman 4\.3\.1; kubectl v1\./);
    const calls = await machine.calls();
    expect(calls.every((c) => c.tool === ('podman' as Call['tool']))).toBe(true);
    expect(calls.filter((c) => c.args[0] === 'build').map((c) => c.args.slice(0, 5))).toEqual(
      IMAGES.map((ref) => ['build', '--platform', 'linux/amd64', '-t', ref]),
    );
    expect(calls.filter((c) => c.args[0] === 'push').map((c) => c.args)).toEqual(
      IMAGES.map((ref) => ['push', ref]),
    );

    const again = await machine.up({ registry: REGISTRY });
    expect(outcomes(again.events)).toMatchObject({
      'push-churn-api-0.1.0': 'skipped',
      'build-churn-ml-0.1.0': 'skipped',
    });

    await machine.writeState({ clusters: {}, images: {}, nodeImages: {} });
    machine.fail('push-unauthorized');
    const refused = await machine.up({ registry: REGISTRY });
    expect(refused.result).toMatchObject({ ok: false, failedStep: 'push-churn-api-0.1.0' });
    expect(stepEnds(refused.events).at(-1)?.fix).toMatch(/^Log in with podman login localhost:5001 /);
  }, 60_000);

  it('the metrics API already there: nothing is asked or installed', async () => {
    await fakeClass(['amd64']);
    machine.cluster.objects.set('deployments|kube-system|metrics-server', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'metrics-server', namespace: 'kube-system' },
    });
    let asked = false;
    const { events } = await machine.up({
      registry: REGISTRY,
      confirmInstall: async () => {
        asked = true;
        return true;
      },
    });
    expect(stepEnds(events).find((e) => e.id === 'metrics-server')).toMatchObject({
      outcome: 'skipped',
      detail: 'the cluster serves the metrics API already',
    });
    expect(asked).toBe(false);
  }, 60_000);
});

describe('registry names and default classes', () => {
  it('takes a host with an optional port and path, and refuses a scheme', () => {
    for (const good of ['localhost:5001', 'ghcr.io/acme', 'europe-docker.pkg.dev/proj/repo', 'docker.io/me'])
      expect(registryProblem(good), good).toBeUndefined();
    expect(registryProblem('https://ghcr.io/acme')).toBe('give the registry without a scheme: ghcr.io/acme');
    expect(registryProblem('GHCR.io/Acme')).toMatch(/lowercase/);
    expect(registryHost('ghcr.io/acme')).toBe('ghcr.io');
    expect(registryHost('docker.io/me')).toBeUndefined();
    expect(registryHost('localhost:5001')).toBe('localhost:5001');
  });

  it('chooses the default class as the admission plugin does: either annotation, newest, then by name', () => {
    const sc = (name: string, created: string, annotation?: string) => ({
      metadata: {
        name,
        creationTimestamp: created,
        annotations: annotation ? { [annotation]: 'true' } : {},
      },
    });
    const ga = 'storageclass.kubernetes.io/is-default-class';
    const beta = 'storageclass.beta.kubernetes.io/is-default-class';
    expect(defaultStorageClass([sc('a', '2024-01-01T00:00:00Z')])).toBeUndefined();
    expect(
      defaultStorageClass([sc('old', '2023-01-01T00:00:00Z', beta), sc('x', '2024-01-01T00:00:00Z')]),
    ).toBe('old');
    expect(
      defaultStorageClass([sc('old', '2023-01-01T00:00:00Z', ga), sc('new', '2024-01-01T00:00:00Z', beta)]),
    ).toBe('new');
    expect(
      defaultStorageClass([sc('b', '2024-01-01T00:00:00Z', ga), sc('a', '2024-01-01T00:00:00Z', ga)]),
    ).toBe('a');
    expect(
      defaultStorageClass([{ metadata: { name: 'no', annotations: { [ga]: 'True' } } }]),
    ).toBeUndefined();
  });
});
