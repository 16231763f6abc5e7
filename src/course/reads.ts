import type { Check } from './schema.js';

/**
 * What each check needs to read from the cluster. Kept apart from the evaluation (checks.ts), so
 * that deciding what to fetch does not load the path evaluator: the fetch starts sooner.
 */
export type ObjectCheck = Extract<
  Check,
  {
    type:
      | 'exists'
      | 'absent'
      | 'fields'
      | 'count'
      | 'rolledOut'
      | 'jobComplete'
      | 'rolloutHistory'
      | 'replicas'
      | 'oneAutoscaler'
      | 'endpoints';
  }
>;
export type ProbeCheck = Extract<Check, { type: 'http' | 'metric' | 'logs' | 'file' }>;

export function isObjectCheck(check: Check): check is ObjectCheck {
  return !['http', 'metric', 'logs', 'file'].includes(check.type);
}

/** The kinds an object check reads; the union over a step is fetched in one `kubectl get`. */
export function kindsRead(check: Check): string[] {
  switch (check.type) {
    case 'exists':
    case 'absent':
    case 'fields':
    case 'count':
      return [check.kind];
    case 'rolledOut':
      return ['Deployment'];
    case 'jobComplete':
      return ['Job', 'CronJob'];
    case 'rolloutHistory':
      return ['Deployment', 'ReplicaSet'];
    case 'replicas':
      return ['Deployment', 'HorizontalPodAutoscaler'];
    case 'oneAutoscaler':
      return ['HorizontalPodAutoscaler'];
    case 'endpoints':
      return ['EndpointSlice'];
    default:
      return [];
  }
}

/** Kinds whose pods are found from their selector or owner references. */
export const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

/**
 * The kinds a check needs beside its own to say, when it fails, what the pods of its workload show
 * (trouble.ts): the pods, and what leads to them.
 */
export function troubleKinds(check: Check): string[] {
  switch (check.type) {
    case 'exists':
    case 'fields':
    case 'count':
      if (check.kind === 'Pod' || WORKLOADS.has(check.kind)) return ['Pod'];
      if (check.kind === 'HorizontalPodAutoscaler') return ['Deployment', 'Pod'];
      if (check.kind === 'Service') return ['Pod'];
      return [];
    case 'rolledOut':
    case 'rolloutHistory':
    case 'replicas':
    case 'jobComplete':
    case 'metric':
      return ['Pod'];
    case 'endpoints':
    case 'http':
      return ['Service', 'Pod'];
    case 'logs':
    case 'file':
      return ['Deployment', 'Job', 'Pod'];
    default:
      return [];
  }
}
