import { afterEach, describe, expect, it } from 'vitest';
import { GarbageCollector } from '../../../src/sim/controllers/garbage-collector.js';
import type { Store } from '../../../src/sim/store.js';
import {
  apply,
  autoNode,
  clusterStore,
  deploymentObject,
  NS,
  node,
  onStop,
  podsOf,
  startPlane,
  stopAll,
  waitFor,
} from './helpers.js';

afterEach(stopAll);

const rsOf = (store: Store) =>
  store.list('ReplicaSet', NS).filter((rs) => rs.metadata.labels?.app === 'churn-api');

describe('garbage collector', () => {
  it('cascades a deleted Deployment to its ReplicaSet and pods (background)', async () => {
    const store = clusterStore();
    onStop(autoNode(store).stop);
    startPlane(store);
    apply(store, 'Deployment', deploymentObject('churn-api', { replicas: 2 }));
    await waitFor(() => store.require('Deployment', NS, 'churn-api').status?.readyReplicas === 2);
    store.delete('Deployment', NS, 'churn-api');
    await waitFor(() => rsOf(store).length === 0 && podsOf(store, 'churn-api').length === 0, 5000);
  });

  it('in the foreground, the owner waits with its finalizer until its blocking dependents are gone', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Deployment', deploymentObject('churn-api', { replicas: 2 }));
    await waitFor(() => podsOf(store, 'churn-api').filter((p) => p.spec?.nodeName).length === 2);
    for (const pod of podsOf(store, 'churn-api')) node.run(store, pod);
    const [rs] = rsOf(store);
    // What the API server does for `kubectl delete rs --cascade=foreground`.
    store.markDeleted('ReplicaSet', NS, rs!.metadata.name, (o) => {
      (o.metadata as { finalizers?: string[] }).finalizers = ['foregroundDeletion'];
    });
    await waitFor(() => podsOf(store, 'churn-api').every((p) => p.metadata.deletionTimestamp));
    expect(store.get('ReplicaSet', NS, rs!.metadata.name)).toBeDefined();
    node.reap(store);
    // (The Deployment then makes a new ReplicaSet of the same name: a new uid.)
    await waitFor(() => store.get('ReplicaSet', NS, rs!.metadata.name)?.metadata.uid !== rs!.metadata.uid);
  });

  it('on start-up, deletes what belongs to owners that no longer exist, and drops references to gone owners', async () => {
    const store = clusterStore();
    const orphan = apply(store, 'ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'leftover',
        namespace: NS,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone', uid: 'no-such-uid' }],
      },
      data: {},
    });
    const owner = apply(store, 'ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: NS },
      data: {},
    });
    apply(store, 'ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'shared',
        namespace: NS,
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! },
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone', uid: 'no-such-uid' },
        ],
      },
      data: {},
    });
    const gc = new GarbageCollector(store).start();
    onStop(() => gc.stop());
    await waitFor(() => !store.get('ConfigMap', NS, orphan.metadata.name));
    const shared = await waitFor(() => {
      const cm = store.require('ConfigMap', NS, 'shared');
      return cm.metadata.ownerReferences?.length === 1 && cm;
    });
    expect(shared.metadata.ownerReferences?.[0]?.name).toBe('owner');
  });
});

describe('namespace controller', () => {
  it('empties a deleted namespace (pods gracefully), then removes it', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Deployment', deploymentObject('churn-api', { replicas: 2 }));
    apply(store, 'ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'churn-mlops-config', namespace: NS },
      data: {},
    });
    await waitFor(() => podsOf(store, 'churn-api').filter((p) => p.spec?.nodeName).length === 2);
    for (const pod of podsOf(store, 'churn-api')) node.run(store, pod);
    // What the API server does for `kubectl delete namespace churn-mlops`.
    store.markDeleted('Namespace', undefined, NS, (ns) => {
      ns.status = { ...ns.status, phase: 'Terminating' };
    });
    const terminating = await waitFor(() => {
      const ns = store.get('Namespace', undefined, NS);
      return (
        ns?.status?.conditions?.some(
          (c: { type: string; status: string }) =>
            c.type === 'NamespaceContentRemaining' && c.status === 'True',
        ) && ns
      );
    });
    expect(terminating.status.phase).toBe('Terminating');
    const remaining = terminating.status.conditions.find(
      (c: { type: string }) => c.type === 'NamespaceContentRemaining',
    );
    expect(remaining.message).toMatch(/^Some resources are remaining: .*pods\. has 2 resource instances/);
    expect(store.get('ConfigMap', NS, 'churn-mlops-config')).toBeUndefined();
    expect(store.list('Deployment', NS)).toHaveLength(0);
    // The pods are terminating; the namespace waits for the node to finish them.
    expect(podsOf(store, 'churn-api').every((p) => p.metadata.deletionTimestamp)).toBe(true);
    expect(store.get('Namespace', undefined, NS)).toBeDefined();
    node.reap(store);
    await waitFor(() => !store.get('Namespace', undefined, NS));
  });
});
