import type { KubeObject } from '../../kube/objects.js';
import { parseQuantity } from '../../kube/quantity.js';
import type { Store } from '../store.js';
import { findCondition, millis, type OwnerRef, randomSuffix } from './meta.js';

/** The pod's Ready condition is True (podutil.IsPodReady; deletion is a separate question). */
export const isPodReady = (pod: KubeObject) => findCondition(pod, 'Ready')?.status === 'True';

export const isTerminal = (pod: KubeObject) =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** controller.IsPodActive: not finished and not being deleted. */
export const isPodActive = (pod: KubeObject) => !isTerminal(pod) && !pod.metadata.deletionTimestamp;

/** podutil.IsPodAvailable: ready for at least minReadySeconds. */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, nowMs = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = millis(findCondition(pod, 'Ready')?.lastTransitionTime);
  return since > 0 && since + minReadySeconds * 1000 <= nowMs;
}

/**
 * Deletes a pod as the API does for a controller's DELETE: a pod on a node terminates gracefully (the
 * kubelet finishes it); one never scheduled, or already finished, goes at once.
 */
export function deletePod(store: Store, pod: KubeObject): void {
  const { namespace, name } = pod.metadata;
  try {
    if (pod.spec?.nodeName && !isTerminal(pod))
      store.markDeleted('Pod', namespace, name, (marked) => {
        (marked.metadata as { deletionGracePeriodSeconds?: number }).deletionGracePeriodSeconds =
          marked.spec?.terminationGracePeriodSeconds ?? 30;
      });
    else store.delete('Pod', namespace, name);
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
  }
}

/** controller.GetPodFromTemplate: what a ReplicaSet or Job stamps out, named `<prefix>-xxxxx`. */
export function podFromTemplate(
  template: KubeObject['spec'],
  namespace: string | undefined,
  prefix: string,
  owner: OwnerRef,
  extra: { finalizers?: string[] } = {},
): KubeObject {
  const meta = template?.metadata ?? {};
  const spec = structuredClone(template?.spec ?? {});
  const metadata: KubeObject['metadata'] & Record<string, unknown> = {
    name: `${prefix}-${randomSuffix()}`,
    generateName: `${prefix}-`,
    namespace,
    labels: { ...(meta.labels ?? {}) },
    ownerReferences: [owner],
  };
  if (meta.annotations && Object.keys(meta.annotations).length > 0)
    metadata.annotations = { ...meta.annotations };
  const finalizers = [...(meta.finalizers ?? []), ...(extra.finalizers ?? [])];
  if (finalizers.length > 0) metadata.finalizers = finalizers;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

interface Resources {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}
interface Container {
  name: string;
  resources?: Resources;
  restartPolicy?: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

export const containersOf = (pod: KubeObject): Container[] => (pod.spec?.containers ?? []) as Container[];
export const initContainersOf = (pod: KubeObject): Container[] =>
  (pod.spec?.initContainers ?? []) as Container[];

/** A container's request for a resource, defaulting to its limit as the API server does. */
export function containerRequest(container: Container, resource: string): number | undefined {
  const request = parseQuantity(container.resources?.requests?.[resource]);
  return request ?? parseQuantity(container.resources?.limits?.[resource]);
}

/** What the scheduler counts for a pod: max(sum of containers, largest init container) plus overhead. */
export function podRequests(pod: KubeObject): { cpu: number; memory: number } {
  const total = { cpu: 0, memory: 0 };
  for (const resource of ['cpu', 'memory'] as const) {
    let sum = 0;
    for (const c of containersOf(pod)) sum += containerRequest(c, resource) ?? 0;
    for (const c of initContainersOf(pod))
      if (c.restartPolicy === 'Always') sum += containerRequest(c, resource) ?? 0;
    let initMax = 0;
    for (const c of initContainersOf(pod))
      if (c.restartPolicy !== 'Always') initMax = Math.max(initMax, containerRequest(c, resource) ?? 0);
    total[resource] = Math.max(sum, initMax) + (parseQuantity(pod.spec?.overhead?.[resource]) ?? 0);
  }
  return total;
}

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const maxRestarts = (pod: KubeObject) =>
  Math.max(
    0,
    ...((pod.status?.containerStatuses ?? []) as { restartCount?: number }[]).map((s) => s.restartCount ?? 0),
  );

/**
 * controller.ActivePods ordering: the pods to give up first come first — unscheduled, then pending,
 * not ready, cheaper to delete, ready for less time, restarted more, created later.
 */
export function compareForDeletion(a: KubeObject, b: KubeObject): number {
  const aNode = a.spec?.nodeName ?? '';
  const bNode = b.spec?.nodeName ?? '';
  if (aNode !== bNode && (!aNode || !bNode)) return aNode ? 1 : -1;
  const phase = (PHASE_ORDER[a.status?.phase] ?? 0) - (PHASE_ORDER[b.status?.phase] ?? 0);
  if (phase !== 0) return phase;
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
  const cost = (p: KubeObject) =>
    Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  if (cost(a) !== cost(b)) return cost(a) - cost(b);
  if (isPodReady(a) && isPodReady(b)) {
    const readyA = millis(findCondition(a, 'Ready')?.lastTransitionTime);
    const readyB = millis(findCondition(b, 'Ready')?.lastTransitionTime);
    if (readyA !== readyB) return readyB - readyA;
  }
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
  const created = millis(b.metadata.creationTimestamp) - millis(a.metadata.creationTimestamp);
  return created !== 0 ? created : b.metadata.name.localeCompare(a.metadata.name);
}
