import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kindClusterStep } from '../../src/cluster/environment/cluster.js';
import { buildImageStep, loadImageStep, readBuildContext } from '../../src/cluster/environment/images.js';
import { LAB_IMAGES } from '../../src/cluster/environment/sources.js';
import { DEFAULT_TIMEOUTS } from '../../src/cluster/environment.js';
import {
  createMachine,
  FAST,
  notices,
  outcomes,
  stepEnds,
  type TestMachine,
  writePackage,
} from './helpers.js';

const IMAGES = ['churn-labs/churn-api:0.1.0', 'churn-labs/churn-api:0.2.0', 'churn-labs/churn-ml:0.1.0'];

describe.each(['classic', 'containerd'])(
  'up against kind, Docker with its %s image store (stand-in kind and docker, real kubectl, a real HTTP API server)',
  (store) => {
    let machine: TestMachine;
    beforeEach(async () => {
      machine = await createMachine();
      machine.setEnv({ STANDIN_STORE: store });
    });
    afterEach(() => machine.cleanup());

    it('creates the cluster, builds and loads the images, installs metrics-server, copies the workspace and runs the smoke pod, in that order; a second up changes nothing', async () => {
      // The learner works with another cluster; kind will switch their current context away from it.
      const kubectl = (...args: string[]) =>
        execFileSync('kubectl', [...args, '--kubeconfig', machine.kubeconfig]);
      kubectl('config', 'set-cluster', 'work', '--server=https://127.0.0.1:6443');
      kubectl('config', 'set-context', 'work-cluster', '--cluster=work');
      kubectl('config', 'use-context', 'work-cluster');

      const { result, events } = await machine.up();
      const failed = stepEnds(events).find((e) => e.outcome === 'failed');
      expect(failed, JSON.stringify(failed)).toBeUndefined();
      expect(result.ok).toBe(true);

      const starts = events.flatMap((e) => (e.type === 'step-start' ? [e.id] : []));
      expect(starts).toEqual([
        'preflight',
        'cluster',
        'build-churn-api-0.1.0',
        'build-churn-api-0.2.0',
        'build-churn-ml-0.1.0',
        'load-churn-api-0.1.0',
        'load-churn-api-0.2.0',
        'load-churn-ml-0.1.0',
        'metrics-server',
        'workspace',
        'smoke',
      ]);
      expect(Object.values(outcomes(events)).every((o) => o === 'ok')).toBe(true);
      const cluster = events.find((e) => e.type === 'step-start' && e.id === 'cluster');
      expect(cluster).toMatchObject({
        command: expect.stringMatching(
          /^kind create cluster --name churn-labs --config \S+manifests\/platform\/kind-config\.yaml --wait 120s --kubeconfig /,
        ),
      });

      // The commands, in order: kind first makes the cluster, then each image is built, then loaded.
      const calls = (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);
      const index = (pattern: RegExp) => calls.findIndex((c) => pattern.test(c));
      expect(index(/^kind create cluster --name churn-labs/)).toBeGreaterThan(index(/^kind get clusters/));
      const builds = IMAGES.map((ref) => index(new RegExp(`^docker build -t ${ref} `)));
      // Each image is saved for the node's platform, then loaded as an archive: kind's documented way
      // on the containerd store, where kind load docker-image fails.
      const archive = (ref: string) =>
        join(
          machine.lab.paths.home,
          'build',
          'images',
          `${ref.replace(/^churn-labs\//, '').replace(':', '-')}.tar`,
        );
      const platform = store === 'containerd' ? '--platform linux/amd64 ' : '';
      const saves = IMAGES.map((ref) => calls.indexOf(`docker save ${platform}-o ${archive(ref)} ${ref}`));
      const loads = IMAGES.map((ref) =>
        calls.indexOf(`kind load image-archive ${archive(ref)} --name churn-labs`),
      );
      expect(
        saves.every((i) => i > -1),
        calls.join('\n'),
      ).toBe(true);
      expect(loads.every((i, n) => i > saves[n]!)).toBe(true);
      expect(calls.some((c) => c.startsWith('kind load docker-image'))).toBe(false);
      // Docker is asked once what it is (the preflight's doctor); the image steps reuse its answer.
      expect(calls.filter((c) => c.startsWith('docker info'))).toHaveLength(1);
      expect(builds.every((i) => i > index(/^kind create cluster/))).toBe(true);
      expect(Math.min(...loads)).toBeGreaterThan(Math.max(...builds));
      // Only the containerd store needs a single-platform build without attestations.
      const storeFlags =
        store === 'containerd' ? '--platform linux/amd64 --provenance=false --sbom=false ' : '';
      expect(calls.find((c) => c.startsWith('docker build -t churn-labs/churn-api:0.2.0'))).toMatch(
        new RegExp(
          `^docker build -t churn-labs/churn-api:0\\.2\\.0 ${storeFlags}--build-arg APP_VERSION=0\\.2\\.0 --build-arg DEFAULT_COMMAND=api --label io\\.churn-labs\\.context-hash=[0-9a-f]{32} \\S+build/context$`,
        ),
      );
      // The archives are removed once loaded.
      await expect(readFile(archive(IMAGES[0]!))).rejects.toThrow(/ENOENT/);
      expect(calls.find((c) => c.startsWith('docker build -t churn-labs/churn-ml:0.1.0'))).toMatch(
        /DEFAULT_COMMAND=--help/,
      );

      // The build context was assembled in the state folder from the package.
      const context = join(machine.lab.paths.home, 'build', 'context');
      expect(await readFile(join(context, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:24\.21\.0-alpine3\.22/);
      expect(await readFile(join(context, 'churn-mlops.js'), 'utf8')).toMatch(/churn-mlops/);
      expect(await readFile(join(context, '.dockerignore'), 'utf8')).toMatch(/!churn-mlops\.js/);
      await expect(readFile(join(context, 'README.md'))).rejects.toThrow(/ENOENT/);

      // What went through kubectl reached the API server for real.
      const requests = machine.cluster.requests;
      expect(requests).toContain('POST /apis/apps/v1/namespaces/kube-system/deployments');
      expect(requests).toContain('POST /apis/apiregistration.k8s.io/v1/apiservices');
      expect(requests).toContain('GET /apis/metrics.k8s.io/v1beta1/nodes');
      expect(requests).toContain('POST /api/v1/namespaces/churn-labs-smoke/pods');
      expect(requests.at(-1)).toBe('DELETE /api/v1/namespaces/churn-labs-smoke');
      expect(stepEnds(events).find((e) => e.id === 'smoke')?.detail).toMatch(/churn-mlops 0\.1\.0/);

      // The workspace holds the manifests the learner applies, without the platform parts.
      const k8s = join(machine.lab.paths.workspace, 'k8s');
      expect(await readFile(join(k8s, 'namespace.yaml'), 'utf8')).toMatch(/churn-mlops/);
      expect(await readFile(join(k8s, 'hpa', 'api-hpa.yaml'), 'utf8')).toMatch(/HorizontalPodAutoscaler/);
      expect(await readFile(join(k8s, 'exercises', 'broken-probe.yaml'), 'utf8')).toMatch(/broken/);
      await expect(readFile(join(k8s, 'platform', 'kind-config.yaml'))).rejects.toThrow(/ENOENT/);

      expect(notices(events)).toContainEqual(
        expect.stringMatching(
          /kind switched kubectl's current context from work-cluster to kind-churn-labs\..*kubectl config use-context work-cluster$/,
        ),
      );
      // A second up on the ready environment creates, rebuilds and reloads nothing, and says so.
      await machine.clearCalls();
      const second = await machine.up();
      expect(second.result.ok).toBe(true);
      const again = (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);
      expect(again.filter((c) => /^(docker build|kind load|kind create|kind delete)/.test(c))).toEqual([]);
      const ends = outcomes(second.events);
      for (const id of [
        'cluster',
        'build-churn-api-0.1.0',
        'load-churn-ml-0.1.0',
        'metrics-server',
        'workspace',
      ])
        expect(ends[id], id).toBe('skipped');
      expect(ends.smoke).toBe('ok');
      const details = stepEnds(second.events).map((e) => e.detail ?? '');
      expect(details).toContain('kind cluster churn-labs is already running: reused it');
      expect(details).toContain('churn-labs/churn-api:0.1.0 is up to date (same build context)');
      expect(details).toContain('churn-labs/churn-ml:0.1.0 is already on the node (same image digest)');
      // The node was asked once what it holds, in the way that gives the digest Docker's ID matches.
      const asked = again.filter((c) => c.startsWith('docker exec churn-labs-control-plane'));
      expect(asked).toEqual([
        store === 'containerd'
          ? 'docker exec churn-labs-control-plane ctr --namespace=k8s.io images list'
          : 'docker exec churn-labs-control-plane crictl images -o json',
      ]);

      // A new workload bundle changes every image's build context: all three are rebuilt and reloaded.
      await machine.clearCalls();
      await writePackage(machine.packageDir, '0.1.1', {
        'dist/churn-mlops.js': '#!/usr/bin/env node\nconsole.log("churn-mlops 0.1.1");\n',
      });
      const readContext = () => readBuildContext(machine.sources(), machine.lab.paths.home);
      const archives = join(machine.lab.paths.home, 'build', 'images');
      const third = await machine.run([
        ...LAB_IMAGES.map((image) => buildImageStep(image, readContext)),
        ...LAB_IMAGES.map((image) => loadImageStep(image, archives)),
      ]);
      expect(third.result.ok).toBe(true);
      const rebuilt = (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);
      expect(rebuilt.filter((c) => c.startsWith('docker build'))).toHaveLength(3);
      expect(rebuilt.filter((c) => c.startsWith('kind load'))).toHaveLength(3);
      expect(stepEnds(third.events)[0]?.detail).toBe(
        'rebuilt churn-labs/churn-api:0.1.0 (its build context changed)',
      );
    }, 120_000);

    it('recovers a cluster its own interrupted up left half-created (kind lists it, its API never answers): deletes it without asking, says so, creates it again', async () => {
      await machine.writeState({
        clusters: { 'churn-labs': { server: 'http://127.0.0.1:9' } },
        images: {},
        nodeImages: {},
      });
      // up wrote this before running kind create cluster, and never got to say the cluster was made.
      await mkdir(machine.lab.paths.home, { recursive: true });
      await writeFile(
        join(machine.lab.paths.home, 'kind-cluster.json'),
        JSON.stringify({ name: 'churn-labs', state: 'creating', at: new Date().toISOString() }),
      );
      execFileSync(
        'kind',
        ['export', 'kubeconfig', '--name', 'churn-labs', '--kubeconfig', machine.kubeconfig],
        {
          stdio: 'ignore',
        },
      );
      await machine.clearCalls();
      const { result, events } = await machine.run([clusterStep(machine)]);
      expect(result.ok).toBe(true);
      expect(notices(events)).toContainEqual(
        expect.stringMatching(
          /left half-created by an interrupted churn-labs up.*Deleting it and creating it again\./,
        ),
      );
      const calls = (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);
      const deleted = calls.findIndex((c) => c.startsWith('kind delete cluster --name churn-labs'));
      const created = calls.findIndex((c) => c.startsWith('kind create cluster --name churn-labs'));
      expect(deleted).toBeGreaterThan(-1);
      expect(created).toBeGreaterThan(deleted);
      expect(stepEnds(events)[0]?.detail).toBe('re-created the half-created kind cluster churn-labs');
      expect((await machine.state()).clusters['churn-labs']?.server).toBe(machine.cluster.url);
      const marker = JSON.parse(await readFile(join(machine.lab.paths.home, 'kind-cluster.json'), 'utf8'));
      expect(marker.state).toBe('created');
    });

    it('puts back a kubeconfig entry that went missing instead of re-creating a working cluster', async () => {
      await machine.writeState({
        clusters: { 'churn-labs': { server: machine.cluster.url } },
        images: {},
        nodeImages: {},
      });
      const { result, events } = await machine.run([clusterStep(machine)]);
      expect(result.ok).toBe(true);
      const calls = (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);
      expect(calls).toContainEqual(expect.stringMatching(/^kind export kubeconfig --name churn-labs/));
      expect(calls.some((c) => /^kind (delete|create) cluster/.test(c))).toBe(false);
      expect(stepEnds(events)[0]).toMatchObject({
        outcome: 'skipped',
        detail: 'kind cluster churn-labs is already running: reused it',
      });
    });
  },
);

function clusterStep(machine: TestMachine, confirmRecreate?: (question: string) => Promise<boolean>) {
  return kindClusterStep(
    machine.lab.target,
    machine.sources(),
    { ...DEFAULT_TIMEOUTS, ...FAST },
    { home: machine.lab.paths.home, confirmRecreate },
  );
}

describe('after a reboot or a Docker restart', () => {
  let machine: TestMachine;
  const BOOT_MS = 3_000;
  beforeEach(async () => {
    machine = await createMachine();
    // The node's API server answers only once its container has run for BOOT_MS, as a real one
    // comes up some seconds (on a slow laptop, minutes) after its container starts.
    machine.cluster.behaviour.apiState = () => {
      const node = JSON.parse(readFileSync(machine.env.STANDIN_STATE!, 'utf8')).clusters['churn-labs'];
      if (node?.status !== 'running') return 'down';
      return Date.now() - (node.startedAt ?? 0) >= BOOT_MS ? 'up' : 'starting';
    };
  });
  afterEach(() => machine.cleanup());

  const cluster = async (node: { status: string; startedAt?: number }) => {
    await machine.clusterIsUp();
    const state = await machine.state();
    await machine.writeState({
      ...state,
      clusters: { 'churn-labs': { server: machine.cluster.url, ...node } },
    });
    // The learner's work is in it: up made this cluster and saw it answer.
    await mkdir(machine.lab.paths.home, { recursive: true });
    await writeFile(
      join(machine.lab.paths.home, 'kind-cluster.json'),
      JSON.stringify({ name: 'churn-labs', state: 'created', at: new Date().toISOString() }),
    );
    await machine.clearCalls();
  };
  const commands = async () => (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);

  it('starts a stopped node container, waits for its API server with progress shown, and reuses the cluster', async () => {
    await cluster({ status: 'exited' });
    const { result, events } = await machine.run([clusterStep(machine)]);
    expect(result.ok, JSON.stringify(stepEnds(events))).toBe(true);
    const calls = await commands();
    expect(calls).toContain('docker start churn-labs-control-plane');
    expect(calls.some((c) => /^kind (delete|create) cluster/.test(c))).toBe(false);
    expect(notices(events)).toContainEqual(
      expect.stringMatching(/The kind node churn-labs-control-plane was stopped .*starting it again\./),
    );
    const said = events.flatMap((e) => (e.type === 'step-output' ? [e.chunk] : [])).join('');
    expect(said).toMatch(/waiting for the API server of churn-labs to start: \d+ s so far, up to 8 s/);
    expect(stepEnds(events)[0]).toMatchObject({
      outcome: 'skipped',
      detail: 'kind cluster churn-labs is running again (its node was started): reused it',
    });
    expect(machine.cluster.requests).toContain('STARTING GET /readyz');
  });

  it('waits for a node that Docker is bringing back by itself rather than deleting it after a few seconds', async () => {
    await cluster({ status: 'running', startedAt: Date.now() });
    const { result, events } = await machine.run([clusterStep(machine)]);
    expect(result.ok, JSON.stringify(stepEnds(events))).toBe(true);
    const calls = await commands();
    expect(calls.some((c) => /^kind (delete|create) cluster|^docker start/.test(c))).toBe(false);
    expect(stepEnds(events)[0]?.detail).toBe('kind cluster churn-labs is already running: reused it');
  });

  it("never deletes a cluster that may hold the learner's work without asking; says what to run instead", async () => {
    await cluster({ status: 'running', startedAt: Date.now() + 3_600_000 });
    const { result, events } = await machine.run([clusterStep(machine)]);
    expect(result.ok).toBe(false);
    const failed = stepEnds(events).find((e) => e.outcome === 'failed');
    expect(failed?.detail).toMatch(
      /^The kind cluster churn-labs exists, but its API server did not answer \(node running\): .*churn-labs did not delete it, since it may hold your churn-mlops namespace and the volume's data\.$/,
    );
    expect(failed?.fix).toMatch(/docker logs churn-labs-control-plane --tail 30.*churn-labs up --yes\.$/);
    expect((await commands()).some((c) => /^kind (delete|create) cluster/.test(c))).toBe(false);
  }, 30_000);

  it('asks before deleting it, and re-creates it when the learner says yes', async () => {
    await cluster({ status: 'running', startedAt: Date.now() + 3_600_000 });
    const questions: string[] = [];
    // Once re-created the node is new, and its API answers.
    const ask = async (question: string) => {
      questions.push(question);
      machine.cluster.behaviour.apiState = () => 'up';
      return true;
    };
    const { result, events } = await machine.run([clusterStep(machine, ask)]);
    expect(result.ok, JSON.stringify(stepEnds(events))).toBe(true);
    expect(questions).toEqual([
      expect.stringMatching(
        /loses everything in it, your churn-mlops namespace and the volume's data included\. Delete it and create it again\?$/,
      ),
    ]);
    const calls = await commands();
    expect(calls.findIndex((c) => c.startsWith('kind create cluster'))).toBeGreaterThan(
      calls.findIndex((c) => c.startsWith('kind delete cluster')),
    );
  }, 30_000);
});
