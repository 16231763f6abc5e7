import type { KubeObject } from '../../kube/objects.js';
import type { Runtime } from '../runtime-api.js';
import type { StoreEvent } from '../store.js';
import { Controller, type ControllerSettings } from './controller.js';
import { type Behavior, ScaleNormalizer, withDefaultRules } from './hpa-behavior.js';
import { MetricReader } from './hpa-metrics.js';
import {
  announce,
  type Condition,
  keyOf,
  same,
  splitKey,
  timestamp,
  writeObject,
  writeStatus,
} from './meta.js';

const COMPONENT = 'horizontal-pod-autoscaler';
/** The kinds with a scale subresource the simulator serves, as the HPA reaches them through it. */
const SCALABLE: Record<string, string> = {
  Deployment: 'deployments.apps',
  ReplicaSet: 'replicasets.apps',
  StatefulSet: 'statefulsets.apps',
  ReplicationController: 'replicationcontrollers',
};

export interface HpaSettings extends ControllerSettings {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodMs?: number;
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
  downscaleStabilizationMs?: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs?: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs?: number;
  /** metrics-server's sampling window (15 s in kind's setup). */
  metricWindowMs?: number;
}

/**
 * The HorizontalPodAutoscaler controller (autoscaling/v2, Resource metrics from Runtime.usage as
 * metrics-server would serve them): every sync period it computes the desired replicas per metric,
 * takes the largest, clamps it to minReplicas/maxReplicas and the scaling rules, writes the target's
 * spec.replicas, and reports currentMetrics, the AbleToScale / ScalingActive / ScalingLimited
 * conditions and its events in the real controller's words.
 */
export class HorizontalPodAutoscalerController extends Controller {
  protected readonly name = COMPONENT;
  private readonly normalizer: ScaleNormalizer;
  private readonly metricReader: MetricReader;
  private readonly generations = new Map<string, number>();
  private readonly lastSync = new Map<string, number>();
  private readonly forced = new Set<string>();

  constructor(
    store: ConstructorParameters<typeof Controller>[0],
    metrics: Pick<Runtime, 'usage'>,
    protected override readonly settings: HpaSettings = {},
  ) {
    super(store, { ...settings, resyncMs: settings.resyncMs ?? settings.syncPeriodMs ?? 15_000 });
    this.normalizer = new ScaleNormalizer(this.downscaleWindowMs);
    this.metricReader = new MetricReader(store, metrics, settings, (hpa, type, reason, message) =>
      this.event(hpa, type, reason, message),
    );
  }

  private get periodMs() {
    return this.settings.syncPeriodMs ?? 15_000;
  }
  private get downscaleWindowMs() {
    return this.settings.downscaleStabilizationMs ?? 300_000;
  }

  protected keysFor(event: StoreEvent): string[] {
    if (event.kind !== 'HorizontalPodAutoscaler') return [];
    const key = keyOf(event.object);
    if (event.type === 'DELETED') {
      this.generations.delete(key);
      return [key];
    }
    // Its own status writes do not count: the HPA acts on its period, and at once on a new spec.
    const generation = event.object.metadata.generation ?? 1;
    if (this.generations.get(key) === generation) return [];
    this.generations.set(key, generation);
    this.forced.add(key);
    return [key];
  }

  protected allKeys(): string[] {
    return this.store.list('HorizontalPodAutoscaler').map(keyOf);
  }

  protected reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const hpa = this.store.get('HorizontalPodAutoscaler', namespace, name);
    if (!hpa) {
      this.normalizer.forget(key);
      this.metricReader.forget(key);
      this.lastSync.delete(key);
      return;
    }
    const now = Date.now();
    if (!this.forced.delete(key) && now - (this.lastSync.get(key) ?? 0) < this.periodMs * 0.9) return;
    this.lastSync.set(key, now);
    this.queue.addAfter(key, this.periodMs);
    this.reconcileAutoscaler(key, hpa);
  }

  private reconcileAutoscaler(key: string, hpa: KubeObject): void {
    const spec = hpa.spec ?? {};
    const status: Record<string, unknown> & { conditions?: Condition[] } = structuredClone(hpa.status ?? {});
    const set = (type: string, value: string, reason: string, message: string) =>
      setCondition(status, type, value, reason, message);
    const ref = spec.scaleTargetRef ?? {};
    const resource = SCALABLE[ref.kind];
    const target = resource ? this.store.get(ref.kind, hpa.metadata.namespace, ref.name) : undefined;
    if (!target) {
      const error = resource
        ? `${resource} "${ref.name}" not found`
        : `no matches for kind "${ref.kind}" in group "${String(ref.apiVersion ?? '').split('/')[0]}"`;
      this.event(hpa, 'Warning', 'FailedGetScale', error);
      set(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${error}`,
      );
      if (!same(hpa.status, status)) writeStatus(this.store, 'HorizontalPodAutoscaler', hpa, status);
      return;
    }
    set(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );
    const current = Number(target.spec?.replicas ?? 1);
    this.normalizer.recordInitial(key, current);
    const min = Number(spec.minReplicas ?? 1);
    const max = Number(spec.maxReplicas);
    let desired = 0;
    let rescale = true;
    let reason = '';
    let metricStatuses: unknown[] | undefined;
    if (current === 0 && min !== 0) {
      rescale = false;
      set(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const computed = this.metricReader.computeReplicasForMetrics(hpa, target, current, set);
      metricStatuses = computed.statuses;
      if (computed.replicas === -1) {
        Object.assign(
          status,
          statusFields(current, Number(status.desiredReplicas ?? 0), metricStatuses, status),
        );
        if (!same(hpa.status, status)) writeStatus(this.store, 'HorizontalPodAutoscaler', hpa, status);
        this.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error ?? '');
        return;
      }
      desired = computed.replicas;
      if (desired > current) reason = `${computed.metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      desired = spec.behavior
        ? this.normalizer.normalizeWithBehavior(
            key,
            this.rules(spec.behavior),
            current,
            desired,
            min,
            max,
            set,
          )
        : this.normalizer.normalize(key, current, desired, min, max, set);
      rescale = desired !== current;
    }
    if (rescale) {
      writeObject(this.store, ref.kind, { ...target, spec: { ...target.spec, replicas: desired } });
      set(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desired}`,
      );
      this.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.normalizer.storeScaleEvent(
        key,
        spec.behavior ? this.rules(spec.behavior) : undefined,
        current,
        desired,
      );
      status.lastScaleTime = timestamp();
    } else desired = current;
    Object.assign(status, statusFields(current, desired, metricStatuses, status));
    if (!same(hpa.status, status)) writeStatus(this.store, 'HorizontalPodAutoscaler', hpa, status);
  }

  private rules(behavior: Behavior) {
    return withDefaultRules(behavior, this.downscaleWindowMs / 1000);
  }

  private event(hpa: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    announce(this.store, hpa, type, reason, message, COMPONENT);
  }
}

/** setStatus: the fields are rebuilt, the conditions and lastScaleTime kept. */
function statusFields(
  current: number,
  desired: number,
  metrics: unknown[] | undefined,
  status: Record<string, unknown>,
) {
  const fields: Record<string, unknown> = { desiredReplicas: desired };
  if (current !== 0) fields.currentReplicas = current;
  else delete status.currentReplicas;
  if (metrics && metrics.length > 0) fields.currentMetrics = metrics;
  else delete status.currentMetrics;
  return fields;
}

/** setConditionInList: the transition time moves only when the status does. */
function setCondition(
  status: { conditions?: Condition[] },
  type: string,
  value: string,
  reason: string,
  message: string,
) {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  if (existing) {
    if (existing.status !== value) existing.lastTransitionTime = timestamp();
    Object.assign(existing, { status: value, reason, message });
  } else conditions.push({ type, status: value, lastTransitionTime: timestamp(), reason, message });
  status.conditions = conditions;
}
