/**
 * How the HPA turns a recommendation into a new size (horizontal.go): the stabilization window (the
 * highest recommendation of the last 5 minutes wins when scaling down) and the rate limits — without
 * spec.behavior, at most double or +4 per sync; with it, its policies (defaults: scale up by 100% or 4
 * pods per 15 s, scale down by 100% per 15 s after a 300 s window).
 */

interface Policy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}
export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: Policy[];
}
export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

type SetCondition = (type: string, status: string, reason: string, message: string) => void;

interface Recommendation {
  replicas: number;
  at: number;
}
interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

/** The autoscaling/v2 defaults for whatever part of behavior is left out. */
export function withDefaultRules(behavior: Behavior, downscaleWindowSeconds: number): Required<Behavior> {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
      selectPolicy: up.selectPolicy ?? 'Max',
      policies: up.policies ?? [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 4, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? downscaleWindowSeconds,
      selectPolicy: down.selectPolicy ?? 'Max',
      policies: down.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  };
}

export class ScaleNormalizer {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly upEvents = new Map<string, ScaleEvent[]>();
  private readonly downEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly downscaleWindowMs: number) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.upEvents.delete(key);
    this.downEvents.delete(key);
  }

  recordInitial(key: string, current: number, now = Date.now()): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, at: now }]);
  }

  /** normalizeDesiredReplicas: no behavior in the spec. */
  normalize(
    key: string,
    current: number,
    desired: number,
    min: number,
    max: number,
    set: SetCondition,
    now = Date.now(),
  ) {
    const stabilized = this.stabilize(key, desired, now);
    if (stabilized !== desired)
      set(
        'AbleToScale',
        'True',
        'ScaleDownStabilized',
        'recent recommendations were higher than current one, applying the highest recent recommendation',
      );
    else set('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    const scaleUpLimit = Math.trunc(Math.max(2 * current, 4));
    let result = stabilized;
    let reason = 'DesiredWithinRange';
    let message = 'the desired count is within the acceptable range';
    const [ceiling, ceilingReason, ceilingMessage] =
      max > scaleUpLimit
        ? [
            scaleUpLimit,
            'ScaleUpLimit',
            'the desired replica count is increasing faster than the maximum scale rate',
          ]
        : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (stabilized < min)
      [result, reason, message] = [
        min,
        'TooFewReplicas',
        'the desired replica count is less than the minimum replica count',
      ];
    else if (stabilized > ceiling) [result, reason, message] = [ceiling, ceilingReason, ceilingMessage];
    set('ScalingLimited', result === stabilized ? 'False' : 'True', reason, message);
    return result;
  }

  private stabilize(key: string, desired: number, now: number): number {
    const list = this.recommendations.get(key) ?? [];
    let highest = desired;
    let oldIndex = -1;
    list.forEach((r, i) => {
      if (r.at < now - this.downscaleWindowMs) oldIndex = i;
      else highest = Math.max(highest, r.replicas);
    });
    if (oldIndex >= 0) list[oldIndex] = { replicas: desired, at: now };
    else list.push({ replicas: desired, at: now });
    this.recommendations.set(key, list);
    return highest;
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  normalizeWithBehavior(
    key: string,
    behavior: Required<Behavior>,
    current: number,
    desired: number,
    min: number,
    max: number,
    set: SetCondition,
    now = Date.now(),
  ): number {
    const up = behavior.scaleUp;
    const down = behavior.scaleDown;
    const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - (down.stabilizationWindowSeconds ?? 0) * 1000;
    let upRecommendation = desired;
    let downRecommendation = desired;
    let oldIndex = -1;
    const list = this.recommendations.get(key) ?? [];
    list.forEach((r, i) => {
      if (r.at > upCutoff) upRecommendation = Math.min(r.replicas, upRecommendation);
      if (r.at > downCutoff) downRecommendation = Math.max(r.replicas, downRecommendation);
      if (r.at < upCutoff && r.at < downCutoff) oldIndex = i;
    });
    let stabilized = current;
    if (stabilized < upRecommendation) stabilized = upRecommendation;
    if (stabilized > downRecommendation) stabilized = downRecommendation;
    if (oldIndex >= 0) list[oldIndex] = { replicas: desired, at: now };
    else list.push({ replicas: desired, at: now });
    this.recommendations.set(key, list);
    if (stabilized !== desired) {
      if (desired >= current)
        set(
          'AbleToScale',
          'True',
          'ScaleUpStabilized',
          'recent recommendations were lower than current one, applying the lowest recent recommendation',
        );
      else
        set(
          'AbleToScale',
          'True',
          'ScaleDownStabilized',
          'recent recommendations were higher than current one, applying the highest recent recommendation',
        );
    } else set('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');

    let result = stabilized;
    let reason = 'DesiredWithinRange';
    let message = 'the desired count is within the acceptable range';
    if (stabilized > current) {
      const limit = Math.max(current, this.limit(key, current, up, 'up', now));
      const [ceiling, r, m] =
        max > limit
          ? [
              limit,
              'ScaleUpLimit',
              'the desired replica count is increasing faster than the maximum scale rate',
            ]
          : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
      if (stabilized > ceiling) [result, reason, message] = [ceiling, r, m];
    } else if (stabilized < current) {
      const limit = Math.min(current, this.limit(key, current, down, 'down', now));
      const [floor, r, m] =
        min < limit
          ? [
              limit,
              'ScaleDownLimit',
              'the desired replica count is decreasing faster than the maximum scale rate',
            ]
          : [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
      if (stabilized < floor) [result, reason, message] = [floor, r, m];
    }
    set('ScalingLimited', result === stabilized ? 'False' : 'True', reason, message);
    return result;
  }

  /** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
  private limit(
    key: string,
    current: number,
    rules: ScalingRules,
    direction: 'up' | 'down',
    now: number,
  ): number {
    if (rules.selectPolicy === 'Disabled') return current;
    const pickLowestChange = rules.selectPolicy === 'Min';
    const ups = this.upEvents.get(key) ?? [];
    const downs = this.downEvents.get(key) ?? [];
    const proposals = (rules.policies ?? []).map((policy) => {
      const since = now - policy.periodSeconds * 1000;
      const added = ups.filter((e) => e.at > since).reduce((a, e) => a + e.change, 0);
      const removed = downs.filter((e) => e.at > since).reduce((a, e) => a + e.change, 0);
      const start = current - added + removed;
      if (direction === 'up')
        return policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
      return policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    });
    if (proposals.length === 0) return current;
    // Scaling up, the largest change is the highest limit; scaling down, the lowest.
    const widest = direction === 'up' ? Math.max(...proposals) : Math.min(...proposals);
    const narrowest = direction === 'up' ? Math.min(...proposals) : Math.max(...proposals);
    return pickLowestChange ? narrowest : widest;
  }

  storeScaleEvent(
    key: string,
    behavior: Required<Behavior> | undefined,
    previous: number,
    next: number,
    now = Date.now(),
  ): void {
    if (!behavior) return;
    const up = next > previous;
    const rules = up ? behavior.scaleUp : behavior.scaleDown;
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
    const events = (up ? this.upEvents : this.downEvents).get(key) ?? [];
    for (const e of events) if (e.at < now - longest * 1000) e.outdated = true;
    const fresh = { change: Math.abs(next - previous), at: now, outdated: false };
    const reuse = events.findLastIndex((e) => e.outdated);
    if (reuse >= 0) events[reuse] = fresh;
    else events.push(fresh);
    (up ? this.upEvents : this.downEvents).set(key, events);
  }
}
