import { afterEach, describe, expect, it } from 'vitest';
import { DeploymentController } from '../../../src/sim/controllers/deployment.js';
import { createObject } from '../../../src/sim/controllers/meta.js';
import { ReplicaSetController } from '../../../src/sim/controllers/replicaset.js';
import { Scheduler } from '../../../src/sim/controllers/scheduler.js';
import { autoNode, clusterStore, deploymentObject, NS, waitFor } from './helpers.js';

/** The control plane's writes leave managedFields as kube-controller-manager's and kube-scheduler's do. */
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length) stops.pop()!();
});

interface Entry {
  manager: string;
  operation: string;
  subresource?: string;
  fieldsV1: Record<string, Record<string, unknown>>;
}
const entries = (o: { metadata: unknown }) =>
  ((o.metadata as { managedFields?: Entry[] }).managedFields ?? []).map(
    (e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`,
  );

describe('managed fields of the controllers', () => {
  it('records kube-controller-manager for what it creates and its status writes, kube-scheduler for scheduling', async () => {
    const store = clusterStore();
    for (const c of [
      new Scheduler(store),
      new ReplicaSetController(store),
      new DeploymentController(store),
    ]) {
      c.start();
      stops.push(() => c.stop());
    }
    const auto = autoNode(store);
    stops.push(auto.stop);
    createObject(store, 'Deployment', deploymentObject('web', { replicas: 1 }), 'kubectl-create');
    const d = await waitFor(() => {
      const d = store.require('Deployment', NS, 'web');
      return d.status?.availableReplicas === 1 && d;
    });
    expect(entries(d)).toEqual(
      expect.arrayContaining([
        'kubectl-create/Update',
        'kube-controller-manager/Update',
        'kube-controller-manager/Update/status',
      ]),
    );
    const status = (d.metadata as unknown as { managedFields: Entry[] }).managedFields.find(
      (e) => e.subresource === 'status',
    )!;
    expect(status.fieldsV1['f:status']).toHaveProperty(['f:availableReplicas']);
    const [rs] = store.list('ReplicaSet', NS);
    expect(entries(rs!)).toEqual(['kube-controller-manager/Update', 'kube-controller-manager/Update/status']);
    const [pod] = store.list('Pod', NS);
    const podEntries = (pod!.metadata as unknown as { managedFields: Entry[] }).managedFields;
    const created = podEntries.find((e) => e.manager === 'kube-controller-manager')!;
    expect(created.fieldsV1['f:metadata']).toHaveProperty(['f:generateName']);
    expect(created.fieldsV1['f:metadata']).toHaveProperty(['f:ownerReferences']);
    // Pod admission's additions (service account, tolerations) are nobody's.
    expect(created.fieldsV1['f:spec']).not.toHaveProperty(['f:serviceAccountName']);
    expect(entries(pod!)).toContain('kube-scheduler/Update/status');
  });
});
