import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { type Simulator, startSimulator } from '../../../src/sim/main.js';
import { kubectlOf } from './helpers.js';

/**
 * StatefulSets through the real kubectl, on the whole simulated cluster (API server, controllers,
 * node): ordered pods `<name>-<ordinal>`, claims from volumeClaimTemplates that outlive the pods,
 * scaling down from the top, rolling updates, history and undo.
 */
let home: string;
let sim: Simulator;

const kubectl = kubectlOf(() => ({ kubeconfig: sim.kubeconfig, context: sim.context, home }), 90_000);

const json = async (...args: string[]) => JSON.parse((await kubectl(...args, '-o', 'json')).out);

/** The StatefulSet's events in the order they were recorded. */
async function stsEvents(): Promise<{ message: string }[]> {
  const list = await json('get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet');
  return (list.items as { message: string; metadata: { resourceVersion: string } }[]).sort(
    (a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion),
  );
}

const statefulSet = (replicas: number, policy = 'OrderedReady') => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: ${replicas}
  podManagementPolicy: ${policy}
  selector:
    matchLabels: { app: db }
  template:
    metadata:
      labels: { app: db }
    spec:
      containers:
        - name: db
          image: nginx:1.27
          volumeMounts:
            - { name: data, mountPath: /data }
  volumeClaimTemplates:
    - metadata: { name: data }
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests: { storage: 1Gi }
`;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'churn-labs-sts-'));
  sim = await startSimulator({ home });
  writeFileSync(join(home, 'db.yaml'), statefulSet(3));
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('StatefulSets through kubectl', () => {
  it('creates pods in order with their claims, scales down from the top and keeps the claims', async () => {
    expect((await kubectl('apply', '-f', join(home, 'db.yaml'))).out).toBe('statefulset.apps/db created');
    const status = await kubectl('rollout', 'status', 'sts/db', '--timeout=60s');
    expect(status.code).toBe(0);
    // With the defaulted partition (0), kubectl words it as a partitioned roll out, as on a real cluster.
    expect(status.out.split('\n').at(-1)).toBe(
      'partitioned roll out complete: 3 new pods have been updated...',
    );

    const pods = (await json('get', 'pods', '-l', 'app=db')).items as KubeObject[];
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    const db1 = byName.get('db-1')!;
    expect(db1.metadata.labels).toMatchObject({
      app: 'db',
      'statefulset.kubernetes.io/pod-name': 'db-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    expect(db1.metadata.labels?.['controller-revision-hash']).toMatch(/^db-[a-z0-9]+$/);
    expect(db1.spec).toMatchObject({ hostname: 'db-1', subdomain: 'db' });
    expect(db1.spec.volumes[0]).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });

    // OrderedReady: each pod was made after the one before it was Ready.
    const events = await stsEvents();
    const created = events.map((e) => e.message).filter((m) => m.startsWith('create Pod'));
    expect(created).toEqual([
      'create Pod db-0 in StatefulSet db successful',
      'create Pod db-1 in StatefulSet db successful',
      'create Pod db-2 in StatefulSet db successful',
    ]);
    expect(events.map((e) => e.message)).toContain(
      'create Claim data-db-0 Pod db-0 in StatefulSet db success',
    );

    const claims = (await json('get', 'pvc', '-l', 'app=db')).items as {
      metadata: { name: string };
      status: { phase: string };
    }[];
    expect(claims.map((c) => `${c.metadata.name}=${c.status.phase}`).sort()).toEqual([
      'data-db-0=Bound',
      'data-db-1=Bound',
      'data-db-2=Bound',
    ]);

    const table = await kubectl('get', 'sts', 'db');
    expect(table.out).toMatch(/^NAME\s+READY\s+AGE\ndb\s+3\/3\s+\d+s$/);

    expect((await kubectl('scale', 'sts/db', '--replicas=1')).out).toBe('statefulset.apps/db scaled');
    await expect
      .poll(
        async () =>
          (await json('get', 'pods', '-l', 'app=db')).items.map(
            (p: { metadata: { name: string } }) => p.metadata.name,
          ),
        { timeout: 30_000 },
      )
      .toEqual(['db-0']);
    const deleted = (await stsEvents())
      .map((e) => e.message)
      .filter((m: string) => m.startsWith('delete Pod'));
    expect(deleted).toEqual([
      'delete Pod db-2 in StatefulSet db successful',
      'delete Pod db-1 in StatefulSet db successful',
    ]);
    const kept = (await json('get', 'pvc', '-l', 'app=db')).items.map(
      (c: { metadata: { name: string } }) => c.metadata.name,
    );
    expect(kept.sort()).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
  }, 120_000);

  it('rolls out a new template from the highest ordinal, shows history and rolls back', async () => {
    expect((await kubectl('scale', 'sts/db', '--replicas=2')).code).toBe(0);
    expect((await kubectl('rollout', 'status', 'sts/db', '--timeout=60s')).code).toBe(0);
    const before = await json('get', 'sts', 'db');
    expect((await kubectl('set', 'image', 'sts/db', 'db=nginx:1.28')).out).toBe(
      'statefulset.apps/db image updated',
    );
    const rolled = await kubectl('rollout', 'status', 'sts/db', '--timeout=60s');
    expect(rolled.code).toBe(0);
    const after = await json('get', 'sts', 'db');
    expect(after.status.updateRevision).not.toBe(before.status.updateRevision);
    expect(after.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      currentRevision: after.status.updateRevision,
    });
    expect(rolled.out.split('\n').at(-1)).toBe(
      'partitioned roll out complete: 2 new pods have been updated...',
    );
    const images = (await json('get', 'pods', '-l', 'app=db')).items.map(
      (p: { spec: { containers: { image: string }[] } }) => p.spec.containers[0]!.image,
    );
    expect(images).toEqual(['nginx:1.28', 'nginx:1.28']);

    const history = await kubectl('rollout', 'history', 'sts/db');
    expect(history.out).toMatch(/^statefulset\.apps\/db \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect((await kubectl('rollout', 'undo', 'sts/db')).out).toBe('statefulset.apps/db rolled back');
    expect((await kubectl('rollout', 'status', 'sts/db', '--timeout=60s')).code).toBe(0);
    const back = (await json('get', 'pods', '-l', 'app=db')).items.map(
      (p: { spec: { containers: { image: string }[] } }) => p.spec.containers[0]!.image,
    );
    expect(back).toEqual(['nginx:1.27', 'nginx:1.27']);
    expect((await kubectl('rollout', 'history', 'sts/db')).out).toMatch(/\n2\s+<none>\n3\s+<none>/);
  }, 120_000);

  it('refuses changes to fields a StatefulSet cannot change, in the API server words', async () => {
    const result = await kubectl('patch', 'sts', 'db', '-p', '{"spec":{"serviceName":"other"}}');
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `The StatefulSet "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`,
    );
  });
});
