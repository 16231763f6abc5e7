import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { type Simulator, startSimulator } from '../../../src/sim/main.js';
import { kubectlOf, simKubectl } from './helpers.js';

/**
 * ReplicationControllers, DaemonSets and Ingresses through the real kubectl on the whole simulated
 * cluster: `kubectl get all`, scale, rollout status/history/undo, cascading deletes, validation in
 * the API server's words, and `kubectl apply --prune` with its default allowlist.
 */
let home: string;
let sim: Simulator;

const kubectl = kubectlOf(() => ({ kubeconfig: sim.kubeconfig, context: sim.context, home }), 90_000);

const items = async (...args: string[]) =>
  JSON.parse((await kubectl('get', ...args, '-o', 'json')).out).items as KubeObject[];
const names = async (...args: string[]) => (await items(...args)).map((o) => o.metadata.name).sort();

const rc = `apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy
spec:
  replicas: 2
  template:
    metadata:
      labels: { app: legacy }
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: { app: agent }
  template:
    metadata:
      labels: { app: agent }
    spec:
      containers:
        - name: agent
          image: nginx:1.27
`;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'churn-labs-kinds-'));
  sim = await startSimulator({ home });
  writeFileSync(join(home, 'rc.yaml'), rc);
  writeFileSync(join(home, 'ds.yaml'), ds);
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('ReplicationControllers', () => {
  it('keeps its replicas, defaults its selector and labels from the template, scales, and orphans or cascades on delete', async () => {
    expect((await kubectl('apply', '-f', join(home, 'rc.yaml'))).out).toBe(
      'replicationcontroller/legacy created',
    );
    const [object] = await items('rc', '--field-selector', 'metadata.name=legacy');
    expect(object!.spec.selector).toEqual({ app: 'legacy' });
    expect(object!.metadata.labels).toEqual({ app: 'legacy' });
    await expect
      .poll(async () => (await kubectl('get', 'rc', 'legacy')).out, { timeout: 30_000 })
      .toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nlegacy\s+2\s+2\s+2\s+\d+s$/);
    const wide = await kubectl('get', 'rc', 'legacy', '-o', 'wide');
    expect(wide.out.split('\n')[0]).toMatch(
      /NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/,
    );
    expect(wide.out.split('\n')[1]).toMatch(/\sweb\s+nginx:1\.27\s+app=legacy$/);
    const pods = await items('pods', '-l', 'app=legacy');
    expect(pods).toHaveLength(2);
    expect(pods[0]!.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: 'v1',
        kind: 'ReplicationController',
        name: 'legacy',
        controller: true,
      }),
    ]);

    expect((await kubectl('scale', 'rc', 'legacy', '--replicas=3')).out).toBe(
      'replicationcontroller/legacy scaled',
    );
    await expect
      .poll(async () => (await names('pods', '-l', 'app=legacy')).length, { timeout: 30_000 })
      .toBe(3);
    await expect
      .poll(async () => (await items('rc'))[0]?.status, { timeout: 30_000 })
      .toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 2 });

    expect((await kubectl('delete', 'rc', 'legacy', '--cascade=orphan')).out).toBe(
      'replicationcontroller "legacy" deleted',
    );
    const orphans = await items('pods', '-l', 'app=legacy');
    expect(orphans).toHaveLength(3);
    expect(orphans.every((p) => !p.metadata.ownerReferences)).toBe(true);

    // A new controller adopts the orphans; a background delete takes them with it.
    expect((await kubectl('apply', '-f', join(home, 'rc.yaml'))).code).toBe(0);
    await expect
      .poll(async () => (await names('pods', '-l', 'app=legacy')).length, { timeout: 30_000 })
      .toBe(2);
    expect((await kubectl('delete', 'rc', 'legacy')).code).toBe(0);
    await expect.poll(async () => names('pods', '-l', 'app=legacy'), { timeout: 30_000 }).toEqual([]);
  }, 120_000);

  it('refuses a controller whose selector does not match its template, in the API server words', async () => {
    const bad = rc.replace('  replicas: 2\n', '  replicas: 2\n  selector: { app: other }\n');
    const result = await kubectlInput(bad, '--dry-run=server');
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'The ReplicationController "legacy" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"legacy"}: `selector` does not match template `labels`',
    );
  });
});

const createFromInput = simKubectl(
  () => ({ kubeconfig: sim.kubeconfig, context: sim.context, home }),
  30_000,
);
const kubectlInput = (input: string, ...args: string[]) =>
  createFromInput(['-n', 'default', 'create', '-f', '-', ...args], input);

describe('DaemonSets', () => {
  it('runs one pod on the node, rolls out a new template, shows history and rolls back', async () => {
    expect((await kubectl('apply', '-f', join(home, 'ds.yaml'))).out).toBe('daemonset.apps/agent created');
    const first = await kubectl('rollout', 'status', 'ds/agent', '--timeout=60s');
    expect(first.code).toBe(0);
    expect(first.out.split('\n').at(-1)).toBe('daemon set "agent" successfully rolled out');
    const [object] = await items('ds');
    expect(object!.metadata.annotations?.['deprecated.daemonset.template.generation']).toBe('1');
    expect(object!.spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(object!.status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberMisscheduled: 0,
      observedGeneration: 1,
    });
    const table = await kubectl('get', 'ds', 'agent');
    expect(table.out).toMatch(
      /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+1\s+1\s+1\s+1\s+1\s+<none>\s+\d+s$/,
    );
    const [pod] = await items('pods', '-l', 'app=agent');
    expect(pod!.metadata.labels).toMatchObject({ 'pod-template-generation': '1' });
    expect(pod!.spec.nodeName).toBe('churn-labs-control-plane');

    expect((await kubectl('set', 'image', 'ds/agent', 'agent=nginx:1.28')).out).toBe(
      'daemonset.apps/agent image updated',
    );
    expect((await kubectl('rollout', 'status', 'ds/agent', '--timeout=60s')).code).toBe(0);
    await expect
      .poll(async () => (await items('pods', '-l', 'app=agent')).map((p) => p.spec.containers[0].image), {
        timeout: 30_000,
      })
      .toEqual(['nginx:1.28']);
    const history = await kubectl('rollout', 'history', 'ds/agent');
    expect(history.out).toMatch(/^daemonset\.apps\/agent \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const revision1 = await kubectl('rollout', 'history', 'ds/agent', '--revision=1');
    expect(revision1.out).toMatch(/Image:\s+nginx:1\.27/);

    expect((await kubectl('rollout', 'undo', 'ds/agent')).out).toBe('daemonset.apps/agent rolled back');
    expect((await kubectl('rollout', 'status', 'ds/agent', '--timeout=60s')).code).toBe(0);
    await expect
      .poll(async () => (await items('pods', '-l', 'app=agent')).map((p) => p.spec.containers[0].image), {
        timeout: 30_000,
      })
      .toEqual(['nginx:1.27']);
    expect((await kubectl('rollout', 'history', 'ds/agent')).out).toMatch(/\n2\s+<none>\n3\s+<none>/);
    const skipped = await kubectl('rollout', 'undo', 'ds/agent', '--to-revision=3');
    expect(skipped.out).toBe(
      'daemonset.apps/agent skipped rollback (current template already matches revision 3)',
    );

    // Foreground: the DaemonSet stays until its pod is gone.
    expect((await kubectl('delete', 'ds', 'agent', '--cascade=foreground')).code).toBe(0);
    expect(await names('pods', '-l', 'app=agent')).toEqual([]);
    expect(await names('ds')).toEqual([]);
  }, 120_000);

  it('gives a new revision the annotations its DaemonSet or StatefulSet has then: history shows the change cause', async () => {
    // pkg/controller/daemon/update.go snapshot and statefulset's newRevision copy the owner's
    // annotations; test/cmd/apps.sh finds `apply --record` there.
    const withCause = (text: string, name: string, cause: string) =>
      text.replace(
        `name: ${name}\n`,
        `name: ${name}\n  annotations:\n    kubernetes.io/change-cause: ${cause}\n`,
      );
    const sts = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cause
spec:
  replicas: 0
  serviceName: cause
  selector:
    matchLabels: { app: cause }
  template:
    metadata:
      labels: { app: cause }
    spec:
      containers:
        - name: main
          image: nginx:1.27
`;
    writeFileSync(join(home, 'ds-cause.yaml'), withCause(ds.replace(/agent/g, 'cause'), 'cause', 'first ds'));
    writeFileSync(join(home, 'sts-cause.yaml'), withCause(sts, 'cause', 'first sts'));
    for (const kind of ['ds', 'sts']) {
      expect((await kubectl('apply', '-f', join(home, `${kind}-cause.yaml`))).code).toBe(0);
      await expect
        .poll(async () => (await items('controllerrevisions', '-l', 'app=cause')).length, { timeout: 30_000 })
        .toBe(1);
      const [revision] = await items('controllerrevisions', '-l', 'app=cause');
      expect(revision!.metadata.annotations?.['kubernetes.io/change-cause']).toBe(`first ${kind}`);
      expect((await kubectl('rollout', 'history', `${kind}/cause`)).out).toMatch(
        new RegExp(`\\n1\\s+first ${kind}\\s*$`),
      );
      expect((await kubectl('delete', '-f', join(home, `${kind}-cause.yaml`))).code).toBe(0);
      await expect
        .poll(async () => (await items('controllerrevisions', '-l', 'app=cause')).length, { timeout: 30_000 })
        .toBe(0);
    }
  }, 120_000);

  it('refuses an update strategy with both maxSurge and maxUnavailable, in the API server words', async () => {
    const bad = ds.replace(
      'spec:\n  selector',
      'spec:\n  updateStrategy:\n    rollingUpdate: { maxSurge: 1, maxUnavailable: 1 }\n  selector',
    );
    const result = await kubectlInput(bad, '--dry-run=server');
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'The DaemonSet "agent" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
    );
  });
});

describe('kubectl get all and apply --prune', () => {
  it('lists the new kinds under all, and prunes what left the folder with the default allowlist', async () => {
    const dir = join(home, 'app');
    mkdirSync(dir);
    const labelled = (text: string) =>
      text.replace(/metadata:\n {2}name: (\w+)\n/, 'metadata:\n  name: $1\n  labels: { part-of: shop }\n');
    writeFileSync(join(dir, 'rc.yaml'), labelled(rc));
    writeFileSync(join(dir, 'ds.yaml'), labelled(ds));
    writeFileSync(
      join(dir, 'ing.yaml'),
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  labels: { part-of: shop }
spec:
  ingressClassName: nginx
  tls:
    - hosts: [shop.example.com]
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: shop
                port: { number: 80 }
`,
    );
    const first = await kubectl('apply', '--prune', '-l', 'part-of=shop', '-f', dir);
    expect(first.code).toBe(0);
    expect(first.out.split('\n').sort()).toEqual([
      'daemonset.apps/agent created',
      'ingress.networking.k8s.io/shop created',
      'replicationcontroller/legacy created',
    ]);
    await expect
      .poll(async () => (await kubectl('get', 'all')).out, { timeout: 30_000 })
      .toMatch(/replicationcontroller\/legacy\s+2\s+2\s+2\s/);
    const all = (await kubectl('get', 'all')).out;
    expect(all).toMatch(/^NAME\s+READY\s+STATUS/m);
    expect(all).toMatch(/\ndaemonset\.apps\/agent\s+1\s+1\s+1\s+1\s+1\s+<none>\s/);
    expect(all).toMatch(/\npod\/agent-[a-z0-9]{5}\s+1\/1\s+Running/);
    expect((await kubectl('get', 'ing')).out).toMatch(
      /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nshop\s+nginx\s+shop\.example\.com\s+80, 443\s+\d+s$/,
    );

    unlinkSync(join(dir, 'ds.yaml'));
    const second = await kubectl('apply', '--prune', '-l', 'part-of=shop', '-f', dir);
    expect(second.code).toBe(0);
    expect(second.out.split('\n')).toContain('daemonset.apps/agent pruned');
    expect(await names('ds')).toEqual([]);
    expect(await names('rc')).toEqual(['legacy']);
    expect(await names('ing')).toEqual(['shop']);
  }, 120_000);

  it('refuses an Ingress path without a pathType, in the API server words', async () => {
    const result = await kubectlInput(
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: bad }
spec:
  rules:
    - http:
        paths:
          - path: /
            backend: { service: { name: shop, port: { number: 80 } } }
`,
      '--dry-run=server',
    );
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'The Ingress "bad" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    );
  });
});
