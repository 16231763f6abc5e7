import type { KubeObject } from '../../kube/objects.js';
import { formatMilli, milliValue } from '../../kube/quantity.js';
import { selectorFromObject, selectorString } from '../../kube/selectors.js';
import type { Runtime } from '../runtime-api.js';
import type { Store } from '../store.js';
import type { HpaSettings } from './hpa.js';
import {
  type CalculatorSettings,
  type Proposal,
  rawResourceReplicas,
  resourceReplicas,
  type Sample,
} from './hpa-replicas.js';
import { type LabelSelector, selectorMatches } from './selectors.js';

interface MetricSpec {
  type: string;
  resource?: { name: string; target: { type: string; averageUtilization?: number; averageValue?: string } };
}

type SetCondition = (type: string, value: string, reason: string, message: string) => void;
type Announce = (hpa: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) => void;

/**
 * The HPA's side of the metrics: pod usage as metrics-server would report it (Runtime.usage), one
 * proposal per metric of the spec, and the failures worded as the real controller words them —
 * the event, the ScalingActive=False condition and the summary that wraps the first error.
 */
export class MetricReader {
  constructor(
    private readonly store: Store,
    private readonly metrics: Pick<Runtime, 'usage'>,
    private readonly settings: HpaSettings,
    private readonly event: Announce,
  ) {}

  /**
   * Each HPA's target selector as it last validated it (the controller's hpaSelectors): pods that
   * two HPAs' selectors take in are ambiguous, and neither HPA scales them.
   */
  private readonly selectors = new Map<string, { namespace: string; selector: LabelSelector }>();

  forget(key: string): void {
    this.selectors.delete(key);
  }

  /** hpasControllingPodsUnderSelector: the HPAs (namespace/name, sorted) whose selectors take in these pods. */
  private claimants(hpa: KubeObject, selector: LabelSelector, pods: KubeObject[]): string[] {
    const namespace = hpa.metadata.namespace ?? '';
    this.selectors.set(`${namespace}/${hpa.metadata.name}`, { namespace, selector });
    const found = new Set<string>();
    for (const pod of pods)
      for (const [key, other] of this.selectors)
        if (other.namespace === namespace && selectorMatches(other.selector, pod.metadata.labels))
          found.add(key);
    return [...found].sort();
  }

  /** computeReplicasForMetrics: the largest proposal over the metrics that could be computed. */
  computeReplicasForMetrics(
    hpa: KubeObject,
    target: KubeObject,
    current: number,
    set: SetCondition,
  ): { replicas: number; metric?: string; statuses: unknown[]; error?: string } {
    // The scale subresource's selector: a ReplicationController's is a plain map of labels.
    const selector: LabelSelector | undefined =
      target.kind === 'ReplicationController' && target.spec?.selector
        ? { matchLabels: target.spec.selector }
        : target.spec?.selector;
    if (!selector) {
      this.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      set('ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return { replicas: -1, statuses: [], error: 'selector is required' };
    }
    const pods = this.store
      .list('Pod', hpa.metadata.namespace)
      .filter((p) => selectorMatches(selector, p.metadata.labels));
    const claimants = this.claimants(hpa, selector, pods);
    if (claimants.length > 1) {
      const text = selectorString(selectorFromObject(selector));
      const message = `pods by selector ${text} are controlled by multiple HPAs: [${claimants.join(' ')}]`;
      this.event(hpa, 'Warning', 'AmbiguousSelector', message);
      set('ScalingActive', 'False', 'AmbiguousSelector', message);
      return { replicas: -1, statuses: [], error: message };
    }
    const specs: MetricSpec[] = hpa.spec?.metrics ?? [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
    const statuses: unknown[] = [];
    let replicas = 0;
    let metric: string | undefined;
    let invalid = 0;
    let firstError: string | undefined;
    let firstCondition: [string, string] | undefined;
    for (const metricSpec of specs) {
      try {
        const { proposal, name, status } = this.resourceMetric(hpa, metricSpec, pods, current);
        statuses.push(status);
        if (replicas === 0 || proposal.replicas > replicas) {
          replicas = proposal.replicas;
          metric = name;
        }
      } catch (error) {
        const failure = error as Error & { reason?: string; wrapped?: string };
        statuses.push({ type: '' });
        if (invalid === 0) {
          firstError = failure.wrapped ?? failure.message;
          firstCondition = [
            failure.reason ?? 'FailedGetResourceMetric',
            `the HPA was unable to compute the replica count: ${failure.message}`,
          ];
        }
        invalid++;
      }
    }
    const error = firstError
      ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError}`
      : undefined;
    if (invalid >= specs.length || (invalid > 0 && replicas < current)) {
      if (firstCondition) set('ScalingActive', 'False', firstCondition[0], firstCondition[1]);
      return { replicas: -1, statuses, error };
    }
    set(
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${metric}`,
    );
    return { replicas, metric, statuses, error };
  }

  private resourceMetric(hpa: KubeObject, spec: MetricSpec, pods: KubeObject[], current: number) {
    if (spec.type !== 'Resource' || !spec.resource) {
      const reason = `FailedGet${spec.type}Metric`;
      const message = `the simulated cluster serves only Resource metrics, not ${spec.type}`;
      this.event(hpa, 'Warning', reason, message);
      throw Object.assign(new Error(message), { reason });
    }
    const resource = spec.resource.name;
    const samples = this.samples(pods, resource);
    const s: CalculatorSettings = {
      tolerance: this.settings.tolerance ?? 0.1,
      cpuInitializationPeriodMs: this.settings.cpuInitializationPeriodMs ?? 300_000,
      delayOfInitialReadinessStatusMs: this.settings.initialReadinessDelayMs ?? 30_000,
    };
    const target = spec.resource.target;
    const byValue = target.averageValue !== undefined;
    let proposal: Proposal;
    try {
      if (byValue)
        proposal = rawResourceReplicas(
          pods,
          samples,
          resource,
          milliValue(target.averageValue) ?? 0,
          current,
          s,
        );
      else if (target.averageUtilization !== undefined)
        proposal = resourceReplicas(pods, samples, resource, target.averageUtilization, current, s);
      else
        throw new Error(
          'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
        );
    } catch (error) {
      // The layers of the real message: what the event says, then what the summary wraps it in.
      const message = `failed to get ${resource} ${byValue ? 'usage' : 'utilization'}: ${(error as Error).message}`;
      this.event(hpa, 'Warning', 'FailedGetResourceMetric', message);
      throw Object.assign(new Error(message), {
        reason: 'FailedGetResourceMetric',
        wrapped: `failed to get ${resource} resource metric value: ${message}`,
      });
    }
    const currentValue = byValue
      ? { averageValue: formatMilli(proposal.rawAverage) }
      : { averageUtilization: proposal.utilization, averageValue: formatMilli(proposal.rawAverage) };
    return {
      proposal,
      name: byValue ? `${resource} resource` : `${resource} resource utilization (percentage of request)`,
      status: { type: 'Resource', resource: { name: resource, current: currentValue } },
    };
  }

  /** What metrics-server would report per pod: the sum over its containers, now. */
  private samples(pods: KubeObject[], resource: string): Map<string, Sample> {
    const samples = new Map<string, Sample>();
    const now = Date.now();
    for (const pod of pods) {
      const usage = this.metrics.usage(pod.metadata.namespace ?? '', pod.metadata.name);
      if (!usage || usage.length === 0) continue;
      const value = usage.reduce(
        (sum, c) => sum + (resource === 'cpu' ? c.cpuMillicores : c.memoryBytes * 1000),
        0,
      );
      samples.set(pod.metadata.name, {
        value,
        timestamp: now,
        windowMs: this.settings.metricWindowMs ?? 15_000,
      });
    }
    return samples;
  }
}
