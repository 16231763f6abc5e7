import type { KubeObject } from '../../kube/objects.js';
import { milliValue } from '../../kube/quantity.js';
import { findCondition, millis } from './meta.js';
import { containersOf, initContainersOf } from './pods.js';

/**
 * The HPA's replica calculator (pkg/controller/podautoscaler/replica_calculator.go) for Resource
 * metrics: utilization = sum(usage) / sum(requests) over the pods with fresh metrics, and
 * desired = ceil(ready pods × utilization / target), unless |1 − ratio| ≤ tolerance. Pods without
 * metrics count as 0% when scaling up and 100% when scaling down; unready ones as 0% when scaling up.
 */

export interface Sample {
  /** The pod's usage of the resource, in thousandths (millicores, millibytes). */
  value: number;
  /** When metrics-server took it and over how long, as the HPA checks fresh readiness against it. */
  timestamp: number;
  windowMs: number;
}

export interface CalculatorSettings {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  delayOfInitialReadinessStatusMs: number;
  now?: number;
}

export interface Proposal {
  replicas: number;
  /** Whole percent of request, as the status reports it. */
  utilization?: number;
  /** Average usage per pod in thousandths of the unit. */
  rawAverage: number;
}

function groupPods(
  pods: KubeObject[],
  metrics: Map<string, Sample>,
  resource: string,
  s: CalculatorSettings,
) {
  const now = s.now ?? Date.now();
  let ready = 0;
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  for (const pod of pods) {
    const name = pod.metadata.name;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = findCondition(pod, 'Ready');
      const start = millis(pod.status?.startTime);
      let isUnready: boolean;
      if (!condition || !start) isUnready = true;
      else if (start + s.cpuInitializationPeriodMs > now)
        isUnready =
          condition.status === 'False' ||
          metric.timestamp < millis(condition.lastTransitionTime) + metric.windowMs;
      else
        isUnready =
          condition.status === 'False' &&
          start + s.delayOfInitialReadinessStatusMs > millis(condition.lastTransitionTime);
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    ready++;
  }
  return { ready, unready, missing, ignored };
}

/** calculatePodRequests: every container must request the resource. */
function podRequests(pods: KubeObject[], resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    const containers = [
      ...containersOf(pod),
      ...initContainersOf(pod).filter((c) => c.restartPolicy === 'Always'),
    ];
    for (const c of containers) {
      const request = milliValue(c.resources?.requests?.[resource]);
      if (request === undefined)
        throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += request;
    }
    requests.set(pod.metadata.name, sum);
  }
  return requests;
}

function utilizationRatio(metrics: Map<string, Sample>, requests: Map<string, number>, target: number) {
  let usage = 0;
  let requested = 0;
  for (const [name, sample] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    usage += sample.value;
    requested += request;
  }
  if (requested === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((usage * 100) / requested);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(usage / metrics.size) };
}

/**
 * The part both calculators share: the samples of the pods that count (groupPods), with the
 * errors the real controller gives when there are none.
 */
function usableMetrics(
  pods: KubeObject[],
  samples: Map<string, Sample>,
  resource: string,
  s: CalculatorSettings,
) {
  if (samples.size === 0)
    throw new Error(
      `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`,
    );
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(samples);
  const { ready, unready, missing, ignored } = groupPods(pods, metrics, resource, s);
  for (const name of [...ignored, ...unready]) metrics.delete(name);
  if (metrics.size === 0)
    throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  return { metrics, ready, unready, missing };
}

/** GetResourceReplicas: a target averageUtilization (percent of request). */
export function resourceReplicas(
  pods: KubeObject[],
  samples: Map<string, Sample>,
  resource: string,
  targetUtilization: number,
  currentReplicas: number,
  s: CalculatorSettings,
): Proposal {
  const { metrics, ready, unready, missing } = usableMetrics(pods, samples, resource, s);
  const requests = podRequests(pods, resource);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const keep = { replicas: currentReplicas, utilization: first.utilization, rawAverage: first.rawAverage };
  const scaleUpWithUnready = unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= s.tolerance) return keep;
    return { ...keep, replicas: Math.ceil(first.ratio * ready) };
  }
  if (first.ratio < 1) {
    const fallback = Math.max(100, targetUtilization);
    for (const name of missing)
      metrics.set(name, { value: ((requests.get(name) ?? 0) * fallback) / 100, timestamp: 0, windowMs: 0 });
  } else if (first.ratio > 1)
    for (const name of missing) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  if (scaleUpWithUnready)
    for (const name of unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const second = utilizationRatio(metrics, requests, targetUtilization).ratio;
  if (
    Math.abs(1 - second) <= s.tolerance ||
    (first.ratio < 1 && second > 1) ||
    (first.ratio > 1 && second < 1)
  )
    return keep;
  const replicas = Math.ceil(second * metrics.size);
  if ((second < 1 && replicas > currentReplicas) || (second > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}

/** GetRawResourceReplicas (calcPlainMetricReplicas): a target averageValue per pod. */
export function rawResourceReplicas(
  pods: KubeObject[],
  samples: Map<string, Sample>,
  resource: string,
  targetMilli: number,
  currentReplicas: number,
  s: CalculatorSettings,
): Proposal {
  const { metrics, ready, unready, missing } = usableMetrics(pods, samples, resource, s);
  const average = (m: Map<string, Sample>) => [...m.values()].reduce((a, v) => a + v.value, 0) / m.size;
  const usage = Math.trunc(average(metrics));
  const ratio = usage / targetMilli;
  const keep = { replicas: currentReplicas, rawAverage: usage };
  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1 - ratio) <= s.tolerance) return keep;
    return { ...keep, replicas: Math.ceil(ratio * ready) };
  }
  if (ratio < 1)
    for (const name of missing) metrics.set(name, { value: targetMilli, timestamp: 0, windowMs: 0 });
  else if (ratio > 1) for (const name of missing) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  if (scaleUpWithUnready)
    for (const name of unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const second = average(metrics) / targetMilli;
  if (Math.abs(1 - second) <= s.tolerance || (ratio < 1 && second > 1) || (ratio > 1 && second < 1))
    return keep;
  const replicas = Math.ceil(second * metrics.size);
  if ((second < 1 && replicas > currentReplicas) || (second > 1 && replicas < currentReplicas)) return keep;
  return { ...keep, replicas };
}
