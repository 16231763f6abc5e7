import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { Scheduler } from '../../../src/sim/controllers/scheduler.js';
import { StatefulSetController } from '../../../src/sim/controllers/statefulset.js';
import type { Store } from '../../../src/sim/store.js';
import { apply, clusterStore, NS, node, settle, waitFor } from './helpers.js';

/** Pod management: OrderedReady makes the next pod only once the one before is Running and Ready; Parallel does not wait. */
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length) stops.pop()!();
});

function start(store: Store) {
  for (const c of [new Scheduler(store), new StatefulSetController(store)]) {
    c.start();
    stops.push(() => c.stop());
  }
}

const statefulSet = (policy: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: NS },
  spec: {
    replicas: 3,
    podManagementPolicy: policy,
    selector: { matchLabels: { app: 'db' } },
    template: {
      metadata: { labels: { app: 'db' } },
      spec: { containers: [{ name: 'db', image: 'nginx:1.27' }] },
    },
  },
});

const podNames = (store: Store) =>
  store
    .list('Pod', NS)
    .map((p) => p.metadata.name)
    .sort();

describe('StatefulSet pod management', () => {
  it('OrderedReady waits for each pod to be Running and Ready before making the next', async () => {
    const store = clusterStore();
    start(store);
    apply(store, 'StatefulSet', statefulSet('OrderedReady'));
    await waitFor(() => podNames(store).length === 1);
    await settle();
    expect(podNames(store)).toEqual(['db-0']);
    const db0 = await waitFor(
      () => store.get('Pod', NS, 'db-0')?.spec?.nodeName && store.get('Pod', NS, 'db-0'),
    );
    node.run(store, db0, false);
    await settle();
    expect(podNames(store)).toEqual(['db-0']);
    node.run(store, db0, true);
    await waitFor(() => podNames(store).includes('db-1'));
    expect(podNames(store)).toEqual(['db-0', 'db-1']);
  });

  it('Parallel makes every pod at once', async () => {
    const store = clusterStore();
    start(store);
    apply(store, 'StatefulSet', statefulSet('Parallel'));
    await waitFor(() => podNames(store).length === 3);
    expect(podNames(store)).toEqual(['db-0', 'db-1', 'db-2']);
  });
});
