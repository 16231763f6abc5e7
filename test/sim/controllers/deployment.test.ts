import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { DeploymentController } from '../../../src/sim/controllers/deployment.js';
import { ReplicaSetController } from '../../../src/sim/controllers/replicaset.js';
import { Scheduler } from '../../../src/sim/controllers/scheduler.js';
import type { Store } from '../../../src/sim/store.js';
import { autoNode, clusterStore, deploymentObject, NS, node, podsOf, settle, waitFor } from './helpers.js';

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length) stops.pop()!();
});

function controlPlane(store: Store) {
  for (const c of [new Scheduler(store), new ReplicaSetController(store), new DeploymentController(store)]) {
    c.start();
    stops.push(() => c.stop());
  }
}

const deployment = (store: Store, name = 'churn-api') => store.require('Deployment', NS, name);
const replicaSets = (store: Store, name = 'churn-api') =>
  store.list('ReplicaSet', NS).filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name);
const revision = (rs: KubeObject) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'];
const condition = (d: KubeObject, type: string) =>
  (d.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

/** What `kubectl rollout status` waits for. */
const rolledOut = (d: KubeObject, replicas = 3) =>
  d.status?.observedGeneration === d.metadata.generation &&
  condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
  d.status?.updatedReplicas === replicas &&
  d.status?.replicas === replicas &&
  d.status?.availableReplicas === replicas;

/** What `kubectl set image` changes. */
function setImage(store: Store, image: string, name = 'churn-api') {
  const d = deployment(store, name);
  d.spec.template.spec.containers[0].image = image;
  store.update('Deployment', d);
}

describe('Deployment controller', () => {
  it('brings a Deployment of 3 to 3/3 with one ReplicaSet at revision 1', async () => {
    const store = clusterStore();
    controlPlane(store);
    const auto = autoNode(store);
    stops.push(auto.stop);
    store.create('Deployment', deploymentObject('churn-api'));

    const d = await waitFor(() => {
      const d = deployment(store);
      return (
        d.status?.availableReplicas === 3 &&
        condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
        d
      );
    });
    expect(d.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    expect(d.status.unavailableReplicas).toBeUndefined();
    expect(condition(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    const [rs, ...others] = replicaSets(store);
    expect(others).toHaveLength(0);
    const hash = rs!.metadata.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{9,10}$/);
    expect(rs!.metadata.name).toBe(`churn-api-${hash}`);
    expect(revision(rs!)).toBe('1');
    expect(rs!.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(rs!.spec.selector.matchLabels).toEqual({ app: 'churn-api', 'pod-template-hash': hash });
    expect(rs!.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      controller: true,
      blockOwnerDeletion: true,
    });

    const pods = podsOf(store, 'churn-api');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^churn-api-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'ReplicaSet',
        name: rs!.metadata.name,
        controller: true,
      });
      expect(pod.spec.nodeName).toBe('churn-labs-control-plane');
    }
    const events = store.list('Event', NS).map((e) => `${e.reason}: ${e.message}`);
    expect(events).toContain(`ScalingReplicaSet: Scaled up replica set ${rs!.metadata.name} to 3`);
    expect(events.filter((e) => e.startsWith('SuccessfulCreate: Created pod: '))).toHaveLength(3);
  });

  it('scales to 5 and then to 4, and 4 is not 5', async () => {
    const store = clusterStore();
    controlPlane(store);
    stops.push(autoNode(store).stop);
    store.create('Deployment', deploymentObject('churn-api'));
    await waitFor(() => deployment(store).status?.availableReplicas === 3);

    const scale = (replicas: number) => {
      const d = deployment(store);
      d.spec.replicas = replicas;
      store.update('Deployment', d);
    };
    scale(5);
    await waitFor(
      () => deployment(store).status?.availableReplicas === 5 && podsOf(store, 'churn-api').length === 5,
    );
    scale(4);
    const d = await waitFor(() => {
      const d = deployment(store);
      return d.status?.replicas === 4 && podsOf(store, 'churn-api').length === 4 && d;
    });
    expect(d.status).toMatchObject({
      replicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      updatedReplicas: 4,
    });
    expect(d.status.replicas).not.toBe(5);
    expect(replicaSets(store)).toHaveLength(1);
    expect(replicaSets(store)[0]!.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe(
      '4',
    );
  });

  it('rolls with maxSurge 1 / maxUnavailable 0 without ever dropping below 3 ready pods', async () => {
    const store = clusterStore();
    controlPlane(store);
    store.create(
      'Deployment',
      deploymentObject('churn-api', {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    );
    // Play the node by hand: start what is scheduled, one pod Ready at a time.
    const startScheduled = () => {
      node.reap(store);
      for (const pod of podsOf(store, 'churn-api'))
        if (pod.spec?.nodeName && pod.status?.phase !== 'Running') node.run(store, pod, true);
    };
    await waitFor(() => {
      startScheduled();
      return deployment(store).status?.availableReplicas === 3;
    });

    let lowest = Number.POSITIVE_INFINITY;
    let highest = 0;
    const unsubscribe = store.subscribe(() => {
      const live = podsOf(store, 'churn-api').filter((p) => !p.metadata.deletionTimestamp);
      const ready = live.filter((p) =>
        (p.status?.conditions ?? []).some(
          (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
        ),
      );
      lowest = Math.min(lowest, ready.length);
      highest = Math.max(highest, live.length);
    });
    stops.push(unsubscribe);

    setImage(store, 'churn-labs/churn-api:0.2.0');
    const newImage = (p: KubeObject) => p.spec.containers[0].image === 'churn-labs/churn-api:0.2.0';
    for (let step = 0; step < 3; step++) {
      // The controller surges exactly one new pod; it waits, unready, until we make it Ready.
      const fresh = await waitFor(
        () =>
          podsOf(store, 'churn-api').find(
            (p) => newImage(p) && p.spec?.nodeName && p.status?.phase !== 'Running',
          ),
        5000,
        `new pod ${step + 1}`,
      );
      await settle();
      expect(
        podsOf(store, 'churn-api').filter((p) => newImage(p) && p.status?.phase !== 'Running'),
      ).toHaveLength(1);
      node.reap(store);
      node.run(store, fresh, true);
      await waitFor(
        () => podsOf(store, 'churn-api').some((p) => p.metadata.deletionTimestamp) || step === 2,
        5000,
        'an old pod to go',
      );
      node.reap(store);
    }
    const d = await waitFor(() => {
      node.reap(store);
      const d = deployment(store);
      return (
        condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
        d.status?.updatedReplicas === 3 &&
        d.status?.replicas === 3 &&
        d
      );
    });
    expect(lowest).toBeGreaterThanOrEqual(3);
    expect(highest).toBeLessThanOrEqual(4);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const byRevision = Object.fromEntries(replicaSets(store).map((rs) => [revision(rs), rs.spec.replicas]));
    expect(byRevision).toEqual({ '1': 0, '2': 3 });
  });

  it('rolls back with kubectl rollout undo: the old ReplicaSet comes back at revision 3 with history "1"', async () => {
    const store = clusterStore();
    controlPlane(store);
    stops.push(autoNode(store).stop);
    store.create('Deployment', deploymentObject('churn-api'));
    await waitFor(() => deployment(store).status?.availableReplicas === 3);
    const first = replicaSets(store)[0]!;

    setImage(store, 'churn-labs/churn-api:0.2.0');
    await waitFor(() => rolledOut(deployment(store)));
    expect(replicaSets(store)).toHaveLength(2);

    // kubectl rollout undo: a JSON patch replacing /spec/template with revision 1's template (hash label
    // removed, serialised by Go, hence creationTimestamp null and empty maps) and /metadata/annotations.
    const template = structuredClone(first.spec.template);
    delete template.metadata.labels['pod-template-hash'];
    template.metadata.creationTimestamp = null;
    template.spec.containers[0].terminationMessagePath = undefined;
    template.spec.securityContext = {};
    const d = deployment(store);
    d.spec.template = template;
    d.metadata.annotations = {};
    store.update('Deployment', d);

    const rolledBack = await waitFor(() => {
      const rs = store.get('ReplicaSet', NS, first.metadata.name);
      const d = deployment(store);
      return (
        revision(rs!) === '3' &&
        d.status?.updatedReplicas === 3 &&
        d.status?.replicas === 3 &&
        d.status?.availableReplicas === 3 &&
        rs
      );
    });
    expect(replicaSets(store)).toHaveLength(2);
    expect(rolledBack.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(rolledBack.spec.replicas).toBe(3);
    expect(deployment(store).metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    const second = replicaSets(store).find((rs) => rs.metadata.name !== first.metadata.name)!;
    expect(revision(second)).toBe('2');
    await waitFor(() => store.get('ReplicaSet', NS, second.metadata.name)?.spec.replicas === 0);
  });

  it('reports ProgressDeadlineExceeded when a rollout makes no progress in progressDeadlineSeconds', async () => {
    const store = clusterStore();
    controlPlane(store);
    // Pods start but never become Ready.
    stops.push(autoNode(store, { ready: () => false }).stop);
    store.create('Deployment', deploymentObject('churn-api', { replicas: 2, progressDeadlineSeconds: 1 }));
    const d = await waitFor(() => {
      const d = deployment(store);
      return condition(d, 'Progressing')?.status === 'False' && d;
    }, 8000);
    const rs = replicaSets(store)[0]!;
    expect(condition(d, 'Progressing')).toMatchObject({
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
    });
    expect(condition(d, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(d.status.unavailableReplicas).toBe(2);
  });

  it('Recreate stops every old pod before the new ones start', async () => {
    const store = clusterStore();
    controlPlane(store);
    store.create(
      'Deployment',
      deploymentObject('churn-api', { replicas: 2, strategy: { type: 'Recreate' } }),
    );
    await waitFor(() => {
      for (const p of podsOf(store, 'churn-api'))
        if (p.spec?.nodeName && p.status?.phase !== 'Running') node.run(store, p);
      return deployment(store).status?.availableReplicas === 2;
    });
    setImage(store, 'churn-labs/churn-api:0.2.0');
    await waitFor(
      () => podsOf(store, 'churn-api').every((p) => p.metadata.deletionTimestamp),
      5000,
      'old pods terminating',
    );
    await settle();
    expect(podsOf(store, 'churn-api').some((p) => p.spec.containers[0].image.endsWith('0.2.0'))).toBe(false);
    node.reap(store);
    await waitFor(
      () =>
        podsOf(store, 'churn-api').filter((p) => p.spec.containers[0].image.endsWith('0.2.0')).length === 2,
    );
  });

  it('holds a paused rollout (Progressing Unknown, DeploymentPaused) until it is resumed', async () => {
    const store = clusterStore();
    controlPlane(store);
    stops.push(autoNode(store).stop);
    store.create('Deployment', deploymentObject('churn-api', { replicas: 2 }));
    await waitFor(() => rolledOut(deployment(store), 2));
    const paused = deployment(store);
    paused.spec.paused = true;
    store.update('Deployment', paused);
    await waitFor(() => condition(deployment(store), 'Progressing')?.reason === 'DeploymentPaused');
    expect(condition(deployment(store), 'Progressing')).toMatchObject({
      status: 'Unknown',
      message: 'Deployment is paused',
    });
    setImage(store, 'churn-labs/churn-api:0.2.0');
    await waitFor(
      () => deployment(store).status?.observedGeneration === deployment(store).metadata.generation,
    );
    await settle();
    expect(replicaSets(store)).toHaveLength(1);

    const resumed = deployment(store);
    resumed.spec.paused = false;
    store.update('Deployment', resumed);
    await waitFor(() => rolledOut(deployment(store), 2) && replicaSets(store).length === 2);
    expect(deployment(store).metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  });

  it('restarts with kubectl rollout restart: a template annotation makes a new ReplicaSet', async () => {
    const store = clusterStore();
    controlPlane(store);
    stops.push(autoNode(store).stop);
    store.create('Deployment', deploymentObject('churn-api', { replicas: 2 }));
    await waitFor(() => rolledOut(deployment(store), 2));
    const before = podsOf(store, 'churn-api').map((p) => p.metadata.name);
    const d = deployment(store);
    d.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2025-03-10T10:00:00Z' };
    store.update('Deployment', d);
    await waitFor(() => rolledOut(deployment(store), 2) && replicaSets(store).length === 2);
    await waitFor(() => podsOf(store, 'churn-api').every((p) => !before.includes(p.metadata.name)));
  });

  it('keeps only revisionHistoryLimit old ReplicaSets', async () => {
    const store = clusterStore();
    controlPlane(store);
    stops.push(autoNode(store).stop);
    store.create('Deployment', deploymentObject('churn-api', { replicas: 1, revisionHistoryLimit: 1 }));
    for (const tag of ['0.2.0', '0.3.0', '0.4.0']) {
      await waitFor(() => rolledOut(deployment(store), 1));
      setImage(store, `churn-labs/churn-api:${tag}`);
    }
    await waitFor(
      () => replicaSets(store).length === 2 && replicaSets(store).some((rs) => revision(rs) === '4'),
    );
    expect(replicaSets(store).map(revision).sort()).toEqual(['3', '4']);
  });
});
