import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { resourceReplicas } from '../../../src/sim/controllers/hpa-replicas.js';
import type { Store } from '../../../src/sim/store.js';
import {
  apply,
  autoNode,
  clusterStore,
  deploymentObject,
  fakeMetrics,
  NS,
  onStop,
  podsOf,
  startPlane,
  stopAll,
  waitFor,
} from './helpers.js';

afterEach(stopAll);

function hpaObject(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'churn-api-hpa', namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'churn-api' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
      ...spec,
    },
  };
}

const hpa = (store: Store) => store.require('HorizontalPodAutoscaler', NS, 'churn-api-hpa');
const replicas = (store: Store) => store.require('Deployment', NS, 'churn-api').spec.replicas;
const condition = (o: KubeObject, type: string) =>
  (o.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

/** A Deployment whose pods run and are Ready, every pod using `millicores` of its 500m request. */
async function cluster(
  options: {
    replicas?: number;
    millicores?: number;
    hpa?: Record<string, unknown>;
    settings?: object;
    noRequests?: boolean;
  } = {},
) {
  const store = clusterStore();
  onStop(autoNode(store).stop);
  const metrics = fakeMetrics();
  const deployment = deploymentObject('churn-api', { replicas: options.replicas ?? 2 });
  if (options.noRequests) deployment.spec.template.spec.containers[0].resources = {};
  apply(store, 'Deployment', deployment);
  startPlane(
    store,
    {
      hpa: {
        syncPeriodMs: 100,
        cpuInitializationPeriodMs: 0,
        initialReadinessDelayMs: 0,
        ...options.settings,
      },
    },
    metrics,
  );
  const load = (millicores: number) => {
    for (const pod of podsOf(store, 'churn-api')) metrics.set(pod.metadata.name, millicores);
  };
  await waitFor(
    () => store.require('Deployment', NS, 'churn-api').status?.readyReplicas === (options.replicas ?? 2),
  );
  load(options.millicores ?? 0);
  // New pods report usage as soon as they exist.
  onStop(
    store.subscribe(
      (e) => e.kind === 'Pod' && e.type === 'ADDED' && metrics.set(e.object.metadata.name, current),
    ),
  );
  let current = options.millicores ?? 0;
  return {
    store,
    setLoad(millicores: number) {
      current = millicores;
      load(millicores);
    },
    create: () => apply(store, 'HorizontalPodAutoscaler', hpaObject(options.hpa)),
  };
}

describe('HorizontalPodAutoscaler controller', () => {
  it('2 pods at 85% of request with a 70% target: ceil(2 × 85 / 70) = 3', async () => {
    const { store, create } = await cluster({ millicores: 425 });
    create();
    await waitFor(() => replicas(store) === 3);
    const status = await waitFor(() => hpa(store).status?.lastScaleTime && hpa(store).status);
    expect(status).toMatchObject({ currentReplicas: 2, desiredReplicas: 3 });
    expect(status.currentMetrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 85, averageValue: '425m' } },
      },
    ]);
    expect(condition(hpa(store), 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'SucceededRescale',
      message: 'the HPA controller was able to update the target scale to 3',
    });
    expect(condition(hpa(store), 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
      message:
        'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    });
    expect(condition(hpa(store), 'ScalingLimited')).toMatchObject({
      status: 'False',
      reason: 'DesiredWithinRange',
    });
    const events = store.list('Event', NS).map((e) => `${e.reason}: ${e.message}`);
    expect(events).toContain(
      'SuccessfulRescale: New size: 3; reason: cpu resource utilization (percentage of request) above target',
    );
  });

  it('stays put within the 10% tolerance', async () => {
    const { store, create } = await cluster({ millicores: 375 });
    create();
    await waitFor(() => hpa(store).status?.currentMetrics?.[0]?.resource?.current?.averageUtilization === 75);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(replicas(store)).toBe(2);
    expect(hpa(store).status).toMatchObject({ currentReplicas: 2, desiredReplicas: 2 });
    expect(hpa(store).status.lastScaleTime).toBeUndefined();
  });

  it('clamps to maxReplicas and to the scale-up rate, and never goes below minReplicas', async () => {
    const { store, create } = await cluster({ millicores: 1500, hpa: { maxReplicas: 3 } });
    create();
    await waitFor(() => replicas(store) === 3);
    await waitFor(() => condition(hpa(store), 'ScalingLimited')?.reason === 'TooManyReplicas');
    expect(condition(hpa(store), 'ScalingLimited')).toMatchObject({
      status: 'True',
      message: 'the desired replica count is more than the maximum replica count',
    });

    // (Without a stabilization window, so the low recommendation counts at once.)
    const low = await cluster({ millicores: 25, settings: { downscaleStabilizationMs: 0 } });
    low.create();
    await waitFor(() => condition(hpa(low.store), 'ScalingLimited')?.reason === 'TooFewReplicas');
    expect(replicas(low.store)).toBe(2);
  });

  it('without behavior, grows at most to max(2 × current, 4) per sync', async () => {
    const { store, create } = await cluster({ millicores: 5000, hpa: { maxReplicas: 20 } });
    create();
    await waitFor(() => replicas(store) === 4);
    expect(condition(hpa(store), 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
  });

  it('waits out the downscale stabilization window before scaling down', async () => {
    const { store, create } = await cluster({
      replicas: 4,
      millicores: 175,
      hpa: { minReplicas: 1 },
      settings: { downscaleStabilizationMs: 600 },
    });
    create();
    const started = Date.now();
    // 4 pods at 35% of a 70% target recommend 2, but 4 was recommended within the window.
    await waitFor(() => condition(hpa(store), 'AbleToScale')?.reason === 'ScaleDownStabilized');
    expect(replicas(store)).toBe(4);
    await waitFor(() => replicas(store) === 2, 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    const events = store.list('Event', NS).map((e) => `${e.reason}: ${e.message}`);
    expect(events).toContain('SuccessfulRescale: New size: 2; reason: All metrics below target');
  });

  it('honours spec.behavior policies', async () => {
    const { store, create } = await cluster({
      millicores: 5000,
      hpa: {
        maxReplicas: 20,
        behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
      },
    });
    create();
    await waitFor(() => replicas(store) === 3);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // One pod per minute: still 3.
    expect(replicas(store)).toBe(3);
    expect(condition(hpa(store), 'ScalingLimited')).toMatchObject({ reason: 'ScaleUpLimit' });
  });

  it('says "missing request for cpu" when the pods have no CPU request', async () => {
    const { store, create } = await cluster({ millicores: 300, noRequests: true });
    create();
    const active = await waitFor(() => {
      const c = condition(hpa(store), 'ScalingActive');
      return c?.status === 'False' && c;
    });
    expect(active.reason).toBe('FailedGetResourceMetric');
    expect(active.message).toMatch(
      /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container churn-api of Pod churn-api-/,
    );
    expect(hpa(store).status.currentMetrics).toEqual([{ type: '' }]);
    const events = store.list('Event', NS).map((e) => `${e.reason}: ${e.message}`);
    expect(
      events.some((e) =>
        e.startsWith(
          'FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu',
        ),
      ),
    ).toBe(true);
    expect(replicas(store)).toBe(2);
  });
  for (const kind of ['StatefulSet', 'ReplicationController'] as const)
    it(`scales a ${kind} through its scale, reading its pods by its selector`, async () => {
      const store = clusterStore();
      onStop(autoNode(store).stop);
      const metrics = fakeMetrics();
      const template = deploymentObject('web').spec.template;
      const object: KubeObject =
        kind === 'StatefulSet'
          ? {
              apiVersion: 'apps/v1',
              kind,
              metadata: { name: 'web', namespace: NS },
              spec: { replicas: 2, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template },
            }
          : {
              apiVersion: 'v1',
              kind,
              metadata: { name: 'web', namespace: NS },
              spec: { replicas: 2, selector: { app: 'web' }, template },
            };
      apply(store, kind, object);
      startPlane(
        store,
        { hpa: { syncPeriodMs: 100, cpuInitializationPeriodMs: 0, initialReadinessDelayMs: 0 } },
        metrics,
      );
      await waitFor(() => store.require(kind, NS, 'web').status?.readyReplicas === 2);
      for (const pod of podsOf(store, 'web')) metrics.set(pod.metadata.name, 425);
      onStop(
        store.subscribe(
          (e) => e.kind === 'Pod' && e.type === 'ADDED' && metrics.set(e.object.metadata.name, 425),
        ),
      );
      apply(
        store,
        'HorizontalPodAutoscaler',
        hpaObject({
          scaleTargetRef: { apiVersion: object.apiVersion, kind, name: 'web' },
          minReplicas: 1,
          maxReplicas: 10,
        }),
      );
      // 2 pods at 85% of their 500m with a 70% target: 3.
      await waitFor(() => store.require(kind, NS, 'web').spec.replicas === 3);
      expect(condition(hpa(store), 'AbleToScale')?.reason).toBe('SucceededRescale');
    });

  it('two HPAs on one Deployment: both AmbiguousSelector, and neither scales', async () => {
    const { store, create, setLoad } = await cluster({ millicores: 375 });
    create();
    const second = hpaObject();
    second.metadata.name = 'churn-api-hpa-2';
    apply(store, 'HorizontalPodAutoscaler', second);
    const message =
      'pods by selector app=churn-api are controlled by multiple HPAs: [churn-mlops/churn-api-hpa churn-mlops/churn-api-hpa-2]';
    for (const name of ['churn-api-hpa', 'churn-api-hpa-2']) {
      const active = await waitFor(() => {
        const object = store.require('HorizontalPodAutoscaler', NS, name);
        const c = condition(object, 'ScalingActive');
        return c?.reason === 'AmbiguousSelector' && c;
      });
      expect(active).toMatchObject({ status: 'False', message });
    }
    setLoad(600);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(replicas(store)).toBe(2);
    const events = store.list('Event', NS).map((e) => `${e.type} ${e.reason}: ${e.message}`);
    expect(events).toContain(`Warning AmbiguousSelector: ${message}`);
    expect(events).toContain(`Warning FailedComputeMetricsReplicas: ${message}`);
    expect(events.some((e) => e.includes('SuccessfulRescale'))).toBe(false);
    // With one of them gone, the other scales again.
    store.remove('HorizontalPodAutoscaler', NS, 'churn-api-hpa-2');
    await waitFor(() => replicas(store) > 2);
  });
});

describe('replica arithmetic', () => {
  const settings = { tolerance: 0.1, cpuInitializationPeriodMs: 0, delayOfInitialReadinessStatusMs: 0 };
  const pod = (name: string, ready = true): KubeObject => ({
    metadata: { name },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m' } } }] },
    status: {
      phase: 'Running',
      startTime: '2025-01-01T00:00:00Z',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2025-01-01T00:00:00Z' },
      ],
    },
  });
  const sample = (value: number) => ({ value, timestamp: Date.now(), windowMs: 15_000 });

  it('uses sum(usage) / sum(requests), truncated to a whole percent', () => {
    const proposal = resourceReplicas(
      [pod('a'), pod('b')],
      new Map([
        ['a', sample(400)],
        ['b', sample(451)],
      ]),
      'cpu',
      70,
      2,
      settings,
    );
    expect(proposal).toEqual({ replicas: 3, utilization: 85, rawAverage: 425 });
  });

  it('counts a pod without metrics as 0% when scaling up', () => {
    // 2 measured pods at 100% would make 3; with the third at 0%: 200/3 = 66% < 70%: keep 3.
    const proposal = resourceReplicas(
      [pod('a'), pod('b'), pod('c')],
      new Map([
        ['a', sample(500)],
        ['b', sample(500)],
      ]),
      'cpu',
      70,
      3,
      settings,
    );
    expect(proposal.replicas).toBe(3);
  });

  it('fails with the metrics-server message when there are no metrics', () => {
    expect(() => resourceReplicas([pod('a')], new Map(), 'cpu', 70, 1, settings)).toThrow(
      'unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
  });
});
