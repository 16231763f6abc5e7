import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/** kubectl 1.27 reads OpenAPI v2 (protobuf) to learn about server-side validation; the Cloud SDK ships one. */
const KUBECTL_127 = process.env.KUBECTL_127 ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

/** What kubectl learns about the simulated cluster before it does anything: version, discovery, OpenAPI. */
describe('discovery and OpenAPI, read by the real kubectl', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers /version as a 1.32 server', async () => {
    const { stdout, exitCode } = await cluster.kubectl(['version', '-o', 'json']);
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout).serverVersion).toMatchObject({ major: '1', minor: '32' });
  });

  it('lists the resources with short names, verbs and the all category (aggregated discovery)', async () => {
    const { stdout, exitCode } = await cluster.kubectl(['api-resources', '-o', 'wide']);
    expect(exitCode).toBe(0);
    const row = (name: string) => stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(row('deployments')).toMatch(
      /deploy\s+apps\/v1\s+true\s+Deployment\s+create,delete,deletecollection,get,list,patch,update,watch\s+all/,
    );
    expect(row('pods')).toMatch(/po\s+v1\s+true\s+Pod/);
    expect(row('horizontalpodautoscalers')).toMatch(/hpa\s+autoscaling\/v2\s+true/);
    expect(row('cronjobs')).toMatch(/cj\s+batch\/v1/);
    expect(row('storageclasses')).toMatch(/sc\s+storage\.k8s\.io\/v1\s+false/);
    expect(row('endpointslices')).toMatch(/discovery\.k8s\.io\/v1\s+true/);
    expect(stdout).toMatch(/^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\s+get,list/m);
    expect(row('replicationcontrollers')).toMatch(/rc\s+v1\s+true\s+ReplicationController\s.*\sall/);
    expect(row('daemonsets')).toMatch(/ds\s+apps\/v1\s+true\s+DaemonSet\s.*\sall/);
    expect(row('statefulsets')).toMatch(/sts\s+apps\/v1\s+true\s+StatefulSet\s.*\sall/);
    expect(row('ingresses')).toMatch(/ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress\s/);
    for (const short of ['rs', 'svc', 'ep', 'cm', 'pvc', 'pv', 'ns', 'no', 'ev', 'rc', 'ds', 'sts', 'ing'])
      expect(stdout).toMatch(new RegExp(`\\s${short}\\s`));
    const all = await cluster.kubectl(['api-resources', '--categories=all', '-o', 'name']);
    expect(all.stdout.trim().split('\n').sort()).toEqual(
      [
        'cronjobs.batch',
        'daemonsets.apps',
        'deployments.apps',
        'horizontalpodautoscalers.autoscaling',
        'jobs.batch',
        'pods',
        'replicasets.apps',
        'replicationcontrollers',
        'services',
        'statefulsets.apps',
      ].sort(),
    );
  });

  it('serves the legacy discovery documents too (older clients, fallbacks)', async () => {
    const groups = JSON.parse((await cluster.kubectl(['get', '--raw', '/apis'])).stdout);
    expect(groups.kind).toBe('APIGroupList');
    expect(
      groups.groups.find((g: { name: string }) => g.name === 'autoscaling').preferredVersion.version,
    ).toBe('v2');
    const apps = JSON.parse((await cluster.kubectl(['get', '--raw', '/apis/apps/v1'])).stdout);
    const scale = apps.resources.find((r: { name: string }) => r.name === 'deployments/scale');
    expect(scale).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const core = JSON.parse((await cluster.kubectl(['get', '--raw', '/api/v1'])).stdout);
    const names = core.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'pods/log',
        'pods/exec',
        'pods/portforward',
        'pods/proxy',
        'services/proxy',
        'pods/status',
      ]),
    );
    // Each stored resource carries its storage version's hash (not its subresources, not metrics).
    const hash = (list: { resources: { name: string; storageVersionHash?: string }[] }, name: string) =>
      list.resources.find((r) => r.name === name)?.storageVersionHash;
    expect(hash(core, 'configmaps')).toBe('qFsyl6wFWjQ=');
    expect(hash(core, 'pods')).toBe('xPOwRZ+Yhw8=');
    expect(hash(core, 'pods/status')).toBeUndefined();
    expect(hash(apps, 'deployments')).toBe('8aSe+NMegvE=');
    const v1 = JSON.parse((await cluster.kubectl(['get', '--raw', '/apis/autoscaling/v1'])).stdout);
    const v2 = JSON.parse((await cluster.kubectl(['get', '--raw', '/apis/autoscaling/v2'])).stdout);
    expect(hash(v1, 'horizontalpodautoscalers')).toBe(hash(v2, 'horizontalpodautoscalers'));
    const metrics = JSON.parse(
      (await cluster.kubectl(['get', '--raw', '/apis/metrics.k8s.io/v1beta1'])).stdout,
    );
    expect(hash(metrics, 'pods')).toBeUndefined();
  });

  it('publishes OpenAPI v3 so kubectl validates on the server and explain works', async () => {
    const root = JSON.parse((await cluster.kubectl(['get', '--raw', '/openapi/v3'])).stdout);
    expect(Object.keys(root.paths)).toEqual(
      expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/autoscaling/v2']),
    );
    const apps = JSON.parse((await cluster.kubectl(['get', '--raw', '/openapi/v3/apis/apps/v1'])).stdout);
    const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(patch['x-kubernetes-action']).toBe('patch');
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
    const explain = await cluster.kubectl(['explain', 'deployment.spec.strategy']);
    expect(explain.exitCode).toBe(0);
    expect(explain.stdout).toMatch(/FIELD: strategy <DeploymentStrategy>/);
    expect(explain.stdout).toMatch(/rollingUpdate\s+<RollingUpdateDeployment>/);
  });

  it('serves /openapi/v2 as JSON to plain clients: every operation and definition', async () => {
    const raw = await cluster.kubectl(['get', '--raw', '/openapi/v2']);
    const doc = JSON.parse(raw.stdout);
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.api.core.v1.ServiceList'].properties.items).toMatchObject({
      description: 'List of services',
      type: 'array',
      items: { $ref: '#/definitions/io.k8s.api.core.v1.Service' },
    });
    const list = doc.paths['/api/v1/namespaces/{namespace}/services'].get;
    expect(list['x-kubernetes-action']).toBe('list');
    expect(list.responses['200'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.ServiceList' });
    expect(list.parameters.find((p: { name: string }) => p.name === 'watch')).toMatchObject({
      in: 'query',
      type: 'string',
      description: expect.stringMatching(/^Watch for changes to the described resources/),
    });
    const create = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].post;
    expect(create.parameters[0]).toEqual({
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' },
    });
    expect(raw.stdout).not.toContain('#/components/schemas/');
  });

  it('has the objects a fresh kind cluster has', async () => {
    const ns = await cluster.kubectl(['get', 'ns', '-o', 'name']);
    expect(ns.stdout.trim().split('\n')).toEqual([
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
    ]);
    const nodes = await cluster.kubectl(['get', 'nodes']);
    expect(nodes.stdout).toMatch(/churn-labs-control-plane\s+Ready\s+control-plane\s+\S+\s+v1\.32\.2/);
    const sc = await cluster.kubectl(['get', 'sc']);
    expect(sc.stdout).toMatch(
      /standard \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/,
    );
    const svc = await cluster.kubectl(['get', 'svc', 'kubernetes', '-n', 'default']);
    expect(svc.stdout).toMatch(/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
  });

  it('a kind the simulated cluster does not serve gets kubectl\'s usual "no matches for kind" answer', async () => {
    const out = await cluster.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: robot, namespace: default}\n',
    });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('no matches for kind "PodTemplate" in version "v1"');
  });

  it.skipIf(!existsSync(KUBECTL_127))(
    'kubectl 1.27 applies with server-side validation through OpenAPI v2',
    async () => {
      const run = (args: string[], input = '') =>
        execa(
          KUBECTL_127,
          [
            '--kubeconfig',
            cluster.sim.kubeconfig,
            '--context',
            cluster.sim.context,
            '--cache-dir',
            `${cluster.home}/cache-127`,
            ...args,
          ],
          {
            reject: false,
            input,
          },
        );
      const created = await run(
        ['apply', '-f', '-'],
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old-client}\ndata: {a: b}\n',
      );
      expect(created.stdout.trim()).toBe('configmap/old-client created');
      const typo = await run(
        ['apply', '-f', '-'],
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old-typo}\ndta: {a: b}\n',
      );
      expect(typo.stderr).toContain('strict decoding error: unknown field "dta"');
    },
  );
});
