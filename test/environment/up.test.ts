import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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

describe('up against kind (stand-in kind and docker, real kubectl, a real HTTP API server)', () => {
  let machine: TestMachine;
  beforeEach(async () => {
    machine = await createMachine();
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
    const loads = IMAGES.map((ref) => index(new RegExp(`^kind load docker-image ${ref} --name churn-labs$`)));
    expect(builds.every((i) => i > index(/^kind create cluster/))).toBe(true);
    expect(Math.min(...loads)).toBeGreaterThan(Math.max(...builds));
    expect(calls.find((c) => c.startsWith('docker build -t churn-labs/churn-api:0.2.0'))).toMatch(
      /--build-arg APP_VERSION=0\.2\.0 --build-arg DEFAULT_COMMAND=api --label io\.churn-labs\.context-hash=[0-9a-f]{32} \S+build\/context$/,
    );
    expect(calls.find((c) => c.startsWith('docker build -t churn-labs/churn-ml:0.1.0'))).toMatch(
      /DEFAULT_COMMAND=--help/,
    );

    // The build context was assembled in the state folder from the package.
    const context = join(machine.lab.paths.home, 'build', 'context');
    expect(await readFile(join(context, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20-alpine/);
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
    expect(details).toContain('churn-labs/churn-ml:0.1.0 is already on the node (same image ID)');

    // A new workload bundle changes every image's build context: all three are rebuilt and reloaded.
    await machine.clearCalls();
    await writePackage(machine.packageDir, '0.1.1', {
      'dist/churn-mlops.js': '#!/usr/bin/env node\nconsole.log("churn-mlops 0.1.1");\n',
    });
    const readContext = () => readBuildContext(machine.sources(), machine.lab.paths.home);
    const third = await machine.run([
      ...LAB_IMAGES.map((image) => buildImageStep(image, readContext)),
      ...LAB_IMAGES.map((image) => loadImageStep(image)),
    ]);
    expect(third.result.ok).toBe(true);
    const rebuilt = (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);
    expect(rebuilt.filter((c) => c.startsWith('docker build'))).toHaveLength(3);
    expect(rebuilt.filter((c) => c.startsWith('kind load'))).toHaveLength(3);
    expect(stepEnds(third.events)[0]?.detail).toBe(
      'rebuilt churn-labs/churn-api:0.1.0 (its build context changed)',
    );
  }, 120_000);

  it('recovers a half-created cluster (kind lists it, its API never answers): deletes it, says so, creates it again', async () => {
    await machine.writeState({
      clusters: { 'churn-labs': { server: 'http://127.0.0.1:9' } },
      images: {},
      nodeImages: {},
    });
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
      expect.stringMatching(/exists but its API does not answer .*Deleting it and creating it again\./),
    );
    const calls = (await machine.calls()).map((c) => `${c.tool} ${c.args.join(' ')}`);
    const deleted = calls.findIndex((c) => c.startsWith('kind delete cluster --name churn-labs'));
    const created = calls.findIndex((c) => c.startsWith('kind create cluster --name churn-labs'));
    expect(deleted).toBeGreaterThan(-1);
    expect(created).toBeGreaterThan(deleted);
    expect(stepEnds(events)[0]?.detail).toBe('re-created the half-created kind cluster churn-labs');
    expect((await machine.state()).clusters['churn-labs']?.server).toBe(machine.cluster.url);
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
});

function clusterStep(machine: TestMachine) {
  return kindClusterStep(machine.lab.target, machine.sources(), { ...DEFAULT_TIMEOUTS, ...FAST });
}
