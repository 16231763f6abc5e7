import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { startControlPlane } from '../../../src/sim/controllers/control-plane.js';
import { Store } from '../../../src/sim/store.js';
import {
  apply,
  autoNode,
  clusterStore,
  deploymentObject,
  fakeMetrics,
  NS,
  onStop,
  podsOf,
  settle,
  startPlane,
  stopAll,
  waitFor,
} from './helpers.js';

afterEach(stopAll);

function podObject(name: string, memory: string, claim?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'churn-labs/churn-api:0.1.0',
          resources: { requests: { cpu: '100m', memory } },
        },
      ],
      ...(claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } : {}),
    },
  };
}

const pvcObject = (name: string, storageClassName = 'standard'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: NS },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName },
});

const scheduledCondition = (store: Store, name: string) =>
  (store.require('Pod', NS, name).status?.conditions ?? []).find(
    (c: { type: string }) => c.type === 'PodScheduled',
  );
const eventsAbout = (store: Store, name: string) =>
  store
    .list('Event', NS)
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.type} ${e.reason}: ${e.message}`);

describe('scheduler', () => {
  it('binds pods that fit and leaves the rest Pending for lack of memory, retrying when room frees up', async () => {
    const store = clusterStore({ memory: '1Gi' });
    startPlane(store);
    apply(store, 'Pod', podObject('first', '600Mi'));
    await waitFor(() => store.require('Pod', NS, 'first').spec.nodeName === 'churn-labs-control-plane');
    expect(scheduledCondition(store, 'first')).toMatchObject({ status: 'True' });
    expect(eventsAbout(store, 'first')).toContain(
      'Normal Scheduled: Successfully assigned churn-mlops/first to churn-labs-control-plane',
    );

    apply(store, 'Pod', podObject('second', '600Mi'));
    const waiting = await waitFor(() => scheduledCondition(store, 'second'));
    expect(waiting).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message:
        '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    });
    expect(store.require('Pod', NS, 'second').status.phase).toBe('Pending');
    expect(eventsAbout(store, 'second')).toContain(`Warning FailedScheduling: ${waiting.message}`);

    apply(store, 'Pod', podObject('huge', '2Gi'));
    await waitFor(() => scheduledCondition(store, 'huge'));
    // Bigger than the whole node: evicting others could never help.
    expect(scheduledCondition(store, 'huge').message).toBe(
      '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );

    store.delete('Pod', NS, 'first');
    await waitFor(() => store.require('Pod', NS, 'second').spec.nodeName === 'churn-labs-control-plane');
    expect(scheduledCondition(store, 'second')).toMatchObject({ status: 'True' });
  });

  it('keeps a pod whose claim does not exist Pending', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Pod', podObject('needs-data', '100Mi', 'churn-mlops-pvc'));
    const waiting = await waitFor(() => scheduledCondition(store, 'needs-data'));
    expect(waiting.message).toBe(
      '0/1 nodes are available: persistentvolumeclaim "churn-mlops-pvc" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    apply(store, 'PersistentVolumeClaim', pvcObject('churn-mlops-pvc'));
    await waitFor(() => store.require('Pod', NS, 'needs-data').spec.nodeName);
  });
});

describe('volume binding', () => {
  it('binds a WaitForFirstConsumer claim when its first pod is scheduled, as the local-path provisioner does', async () => {
    const store = clusterStore();
    startPlane(store);
    const pvc = apply(store, 'PersistentVolumeClaim', pvcObject('churn-mlops-pvc'));
    await waitFor(() =>
      eventsAbout(store, 'churn-mlops-pvc').some((e) => e.includes('WaitForFirstConsumer')),
    );
    expect(eventsAbout(store, 'churn-mlops-pvc')).toContain(
      'Normal WaitForFirstConsumer: waiting for first consumer to be created before binding',
    );
    expect(store.list('PersistentVolume')).toHaveLength(0);
    expect(store.require('PersistentVolumeClaim', NS, 'churn-mlops-pvc').status.phase).toBe('Pending');

    apply(store, 'Pod', podObject('api', '100Mi', 'churn-mlops-pvc'));
    const bound = await waitFor(() => {
      const claim = store.require('PersistentVolumeClaim', NS, 'churn-mlops-pvc');
      return claim.status?.phase === 'Bound' && claim;
    });
    const pvName = `pvc-${pvc.metadata.uid}`;
    expect(bound.spec.volumeName).toBe(pvName);
    expect(bound.status).toMatchObject({
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '10Gi' },
    });
    expect(bound.metadata.annotations).toMatchObject({
      'pv.kubernetes.io/bind-completed': 'yes',
      'volume.kubernetes.io/selected-node': 'churn-labs-control-plane',
      'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
    });
    const pv = store.require('PersistentVolume', undefined, pvName);
    expect(pv.spec).toMatchObject({
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      hostPath: { path: `/var/local-path-provisioner/${pvName}_${NS}_churn-mlops-pvc` },
      claimRef: {
        kind: 'PersistentVolumeClaim',
        name: 'churn-mlops-pvc',
        namespace: NS,
        uid: pvc.metadata.uid,
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'kubernetes.io/hostname', operator: 'In', values: ['churn-labs-control-plane'] },
              ],
            },
          ],
        },
      },
    });
    expect(pv.status.phase).toBe('Bound');
    expect(eventsAbout(store, 'churn-mlops-pvc')).toContain(
      `Normal ProvisioningSucceeded: Successfully provisioned volume ${pvName}`,
    );
    await waitFor(() => store.require('Pod', NS, 'api').spec.nodeName === 'churn-labs-control-plane');

    // Deleting a claim a pod uses only marks it (pvc-protection): it stays, Terminating, and so
    // does its data, until no pod uses it.
    expect((bound.metadata as { finalizers?: string[] }).finalizers).toEqual([
      'kubernetes.io/pvc-protection',
    ]);
    store.delete('PersistentVolumeClaim', NS, 'churn-mlops-pvc');
    await settle();
    const terminating = store.require('PersistentVolumeClaim', NS, 'churn-mlops-pvc');
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    expect(store.get('PersistentVolume', undefined, pvName)).toBeDefined();
    // Reclaim policy Delete: once the claim is gone, so is the volume.
    store.remove('Pod', NS, 'api');
    await waitFor(() => !store.get('PersistentVolumeClaim', NS, 'churn-mlops-pvc'));
    await waitFor(() => !store.get('PersistentVolume', undefined, pvName));
  });

  it('binds an Immediate claim at once and reports an unknown class', async () => {
    const store = clusterStore();
    store.create('StorageClass', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fast' },
      provisioner: 'example.com/fast',
      volumeBindingMode: 'Immediate',
    });
    startPlane(store);
    apply(store, 'PersistentVolumeClaim', pvcObject('quick', 'fast'));
    apply(store, 'PersistentVolumeClaim', pvcObject('lost', 'no-such-class'));
    await waitFor(() => store.require('PersistentVolumeClaim', NS, 'quick').status?.phase === 'Bound');
    await waitFor(() => eventsAbout(store, 'lost').length > 0);
    expect(eventsAbout(store, 'lost')).toContain(
      'Warning ProvisioningFailed: storageclass.storage.k8s.io "no-such-class" not found',
    );
    expect(store.require('PersistentVolumeClaim', NS, 'lost').status.phase).toBe('Pending');
  });

  it('lets a claim go that only an unscheduled pod names, as pvc-protection counts scheduled pods only', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'PersistentVolumeClaim', pvcObject('lost', 'no-such-class'));
    apply(store, 'Pod', podObject('waiting', '64Mi', 'lost'));
    await waitFor(() => eventsAbout(store, 'waiting').some((e) => e.includes('FailedScheduling')));
    expect(store.require('Pod', NS, 'waiting').spec.nodeName).toBeUndefined();
    // A claim of a class that does not exist counts as Immediate (IsDelayBindingMode treats a
    // missing class so): the scheduler names the unbound claim; the claim's events name the class.
    expect(eventsAbout(store, 'waiting')).toContain(
      'Warning FailedScheduling: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    );
    store.delete('PersistentVolumeClaim', NS, 'lost');
    await waitFor(() => !store.get('PersistentVolumeClaim', NS, 'lost'));
  });
});

describe('restart', () => {
  it('reconciles what is in the store when it starts, and picks up where it left off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'churn-labs-controllers-'));
    onStop(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'state.json');
    // The Deployment was stored while nothing ran.
    let store = clusterStore({}, file);
    apply(store, 'Deployment', deploymentObject('churn-api', { replicas: 2 }));
    const first = startControlPlane(store, fakeMetrics(), { stateDir: dir });
    const auto = autoNode(store);
    await waitFor(() => store.require('Deployment', NS, 'churn-api').status?.availableReplicas === 2);
    first.stop();
    auto.stop();
    store.flush();
    const before = podsOf(store, 'churn-api')
      .map((p) => p.metadata.name)
      .sort();

    // A new process: the state comes back from the file; nothing is recreated, a change is acted on.
    store = new Store({ file });
    const second = startControlPlane(store, fakeMetrics(), { stateDir: dir });
    onStop(() => second.stop());
    onStop(autoNode(store).stop);
    const d = store.require('Deployment', NS, 'churn-api');
    d.spec.replicas = 3;
    store.update('Deployment', d);
    await waitFor(
      () =>
        podsOf(store, 'churn-api').length === 3 &&
        store.require('Deployment', NS, 'churn-api').status?.availableReplicas === 3,
    );
    expect(
      podsOf(store, 'churn-api')
        .map((p) => p.metadata.name)
        .filter((n) => before.includes(n))
        .sort(),
    ).toEqual(before);
  });
});
