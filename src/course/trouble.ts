import {
  condition,
  type KubeObject,
  labelsMatch,
  matchesSelector,
  type Snapshot,
  selectorOf,
} from '../kube/objects.js';
import { WORKLOADS } from './reads.js';
import type { Check } from './schema.js';

/**
 * What a failing check found beside what it missed: when the pods of the workload it is about are
 * stuck (an image that cannot be pulled, a crash loop, a missing ConfigMap, a container over its
 * memory limit, no node with room), the learner is told which pod, why and the cluster's own
 * words for it, as `kubectl describe pod` would show them.
 */

// biome-ignore lint/suspicious/noExplicitAny: container statuses are read as the API writes them.
type Obj = any;

function podsOf(workload: KubeObject | undefined, snapshot: Snapshot): KubeObject[] {
  if (!workload) return [];
  const pods = snapshot.all('Pod');
  if (workload.kind === 'Pod') return [workload];
  if (workload.kind === 'Job')
    return pods.filter((p) =>
      (p.metadata.ownerReferences ?? []).some((r) => r.kind === 'Job' && r.name === workload.metadata.name),
    );
  if (workload.kind === 'Service') {
    const selector = workload.spec?.selector as Record<string, string> | undefined;
    return selector && Object.keys(selector).length > 0
      ? pods.filter((p) => labelsMatch(p.metadata.labels, selector))
      : [];
  }
  if (workload.kind === 'HorizontalPodAutoscaler') {
    const ref = workload.spec?.scaleTargetRef ?? {};
    return podsOf(snapshot.get(ref.kind, ref.name), snapshot);
  }
  const selector = selectorOf(workload);
  return Object.keys(selector).length > 0 ? pods.filter((p) => labelsMatch(p.metadata.labels, selector)) : [];
}

/** `job/x`, `deployment/x` or a pod's name, as `kubectl logs` and `kubectl exec` take them. */
function podsOfTarget(target: string, snapshot: Snapshot): KubeObject[] {
  const [type, name] = target.includes('/') ? target.split('/', 2) : ['pod', target];
  const kind = {
    job: 'Job',
    jobs: 'Job',
    deployment: 'Deployment',
    deployments: 'Deployment',
    deploy: 'Deployment',
    pod: 'Pod',
    pods: 'Pod',
  }[type!.toLowerCase()];
  return kind ? podsOf(snapshot.get(kind, name!), snapshot) : [];
}

/** The pods whose state explains a failure of this check. */
export function podsConcerned(check: Check, snapshot: Snapshot): KubeObject[] {
  switch (check.type) {
    case 'exists':
    case 'fields':
      return podsOf(snapshot.get(check.kind, check.name), snapshot);
    case 'count':
      if (check.kind === 'Pod' || (WORKLOADS.has(check.kind) && check.selector))
        return snapshot.all('Pod').filter((p) => matchesSelector(p.metadata.labels, check.selector));
      return [];
    case 'rolledOut':
    case 'rolloutHistory':
    case 'replicas':
      return podsOf(snapshot.get('Deployment', check.deployment), snapshot);
    case 'jobComplete':
      return check.name
        ? podsOf(snapshot.get('Job', check.name), snapshot)
        : snapshot
            .all('Job')
            .filter(
              (j) =>
                !check.fromCronJob ||
                (j.metadata.ownerReferences ?? []).some((r) => r.name === check.fromCronJob),
            )
            .flatMap((j) => podsOf(j, snapshot));
    case 'endpoints':
    case 'http':
      return podsOf(snapshot.get('Service', check.service), snapshot);
    case 'metric':
      return snapshot.all('Pod').filter((p) => matchesSelector(p.metadata.labels, check.selector));
    case 'logs':
    case 'file':
      return podsOfTarget(check.target, snapshot);
    default:
      return [];
  }
}

const STUCK_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** One pod's trouble in the cluster's words, or undefined when nothing is stuck. */
export function podTrouble(pod: KubeObject): string | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const name = pod.metadata.name;
  const status = pod.status ?? {};
  const scheduled = condition(pod, 'PodScheduled');
  if (status.phase === 'Pending' && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable')
    return `pod ${name} cannot be scheduled: Unschedulable${scheduled.message ? ` (${scheduled.message})` : ''}`;
  const specs = new Map<string, Obj>(
    [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: Obj) => [c.name, c]),
  );
  const statuses: Obj[] = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  for (const c of statuses) {
    const waiting = c.state?.waiting;
    if (!waiting?.reason || !STUCK_WAITING.has(waiting.reason)) continue;
    const said = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
    const image = specs.get(c.name)?.image ?? c.image;
    if (/Image/.test(waiting.reason))
      return `pod ${name} cannot pull image ${image} for container ${c.name} (${said})`;
    const last = c.lastState?.terminated;
    const lastSaid = last
      ? `; it last ended ${last.reason ?? 'with an error'}, exit code ${last.exitCode}${last.reason === 'OOMKilled' ? ', over its memory limit' : ''}`
      : '';
    if (waiting.reason === 'CrashLoopBackOff')
      return `pod ${name} keeps crashing: container ${c.name} is in ${said}${lastSaid}`;
    return `pod ${name} cannot start container ${c.name} (${said})`;
  }
  for (const c of statuses) {
    const ended = c.state?.terminated ?? c.lastState?.terminated;
    if (ended?.reason === 'OOMKilled')
      return `pod ${name}: container ${c.name} was OOMKilled (exit code ${ended.exitCode ?? 137}): it went over its memory limit`;
  }
  return undefined;
}

/** What the pods of a failing check show, as one sentence to add to its message, or undefined. */
export function troubleOf(check: Check, snapshot: Snapshot): string | undefined {
  const troubles = podsConcerned(check, snapshot)
    .map(podTrouble)
    .filter((t): t is string => t !== undefined);
  if (troubles.length === 0) return undefined;
  const shown = troubles.slice(0, 2);
  const more = troubles.length - shown.length;
  const text = shown.join('; ');
  return `Found: ${text}${more > 0 ? `; and ${more} more pod${more === 1 ? '' : 's'} like it` : ''}.`;
}
