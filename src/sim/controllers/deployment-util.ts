import type { KubeObject } from '../../kube/objects.js';
import { type Condition, findCondition, millis, omitZero, timestamp } from './meta.js';

/**
 * The arithmetic and bookkeeping of pkg/controller/deployment/util, on plain objects. The course's
 * checks read the Deployment's annotations, ReplicaSets and status, so these follow the real ones.
 */

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
/** Revision history is capped at about 100 numbers (maxRevHistoryLengthInChars). */
const MAX_HISTORY_CHARS = 2000;

export const replicasOf = (object: KubeObject): number => Number(object.spec?.replicas ?? 1);
export const statusCount = (object: KubeObject | undefined, field: string): number =>
  Number(object?.status?.[field] ?? 0);
export const isRollingUpdate = (d: KubeObject) =>
  (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** intstr.GetScaledValueFromIntOrPercent. */
function scaled(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) {
    const exact = (Number.parseInt(value, 10) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw new Error(`invalid value for IntOrString: ${JSON.stringify(value)}`);
}

/** deploymentutil.ResolveFenceposts: surge rounds up, unavailability down, and both zero means one unavailable. */
export function resolveFenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const rolling = d.spec?.strategy?.rollingUpdate ?? {};
  const desired = replicasOf(d);
  const surge = scaled(rolling.maxSurge ?? '25%', desired, true);
  let unavailable = scaled(rolling.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: KubeObject): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicasOf(d));
}

export function revisionOf(rs: KubeObject | undefined): number {
  const value = rs?.metadata.annotations?.[REVISION];
  return value && /^\d+$/.test(value) ? Number(value) : 0;
}

export const maxRevision = (list: KubeObject[]) => list.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);

export const sumSpecReplicas = (list: (KubeObject | undefined)[]) =>
  list.reduce((sum, rs) => sum + (rs ? replicasOf(rs) : 0), 0);
export const sumStatus = (list: (KubeObject | undefined)[], field: string) =>
  list.reduce((sum, rs) => sum + statusCount(rs, field), 0);

export const byCreation = (a: KubeObject, b: KubeObject) =>
  millis(a.metadata.creationTimestamp) - millis(b.metadata.creationTimestamp) ||
  a.metadata.name.localeCompare(b.metadata.name);

export const active = (list: (KubeObject | undefined)[]) =>
  list.filter((rs): rs is KubeObject => rs !== undefined && replicasOf(rs) > 0);

/** ReplicaSetsBySizeNewer / BySizeOlder: larger first; among equals, newer (scaling up) or older (down) first. */
export function bySize(newerFirst: boolean) {
  return (a: KubeObject, b: KubeObject) =>
    replicasOf(b) - replicasOf(a) || (newerFirst ? byCreation(b, a) : byCreation(a, b));
}

export function findActiveOrLatest(
  newRS: KubeObject | undefined,
  oldRSs: KubeObject[],
): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const all = active([...newestFirst, newRS]);
  if (all.length === 0) return newRS ?? newestFirst[0];
  return all.length === 1 ? all[0] : undefined;
}

export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata.annotations?.[DESIRED_REPLICAS]);
  return (
    replicasOf(rs) === replicasOf(d) &&
    desired === replicasOf(d) &&
    statusCount(rs, 'availableReplicas') === replicasOf(d)
  );
}

/** Copies the Deployment's own annotations onto its ReplicaSet (the change-cause travels this way). */
function copyAnnotations(d: KubeObject, rs: KubeObject): boolean {
  let changed = false;
  rs.metadata.annotations ??= {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || rs.metadata.annotations[k] === v) continue;
    rs.metadata.annotations[k] = v;
    changed = true;
  }
  return changed;
}

export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  rs.metadata.annotations ??= {};
  let changed = false;
  if (rs.metadata.annotations[DESIRED_REPLICAS] !== String(desired)) {
    rs.metadata.annotations[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (rs.metadata.annotations[MAX_REPLICAS] !== String(max)) {
    rs.metadata.annotations[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

export const replicasAnnotationsNeedUpdate = (rs: KubeObject, desired: number, max: number) =>
  rs.metadata.annotations?.[DESIRED_REPLICAS] !== String(desired) ||
  rs.metadata.annotations?.[MAX_REPLICAS] !== String(max);

/**
 * SetNewReplicaSetAnnotations: the new ReplicaSet carries the highest revision; one brought back by a
 * rollback takes max+1 and remembers its earlier numbers in revision-history.
 */
export function setNewReplicaSetAnnotations(
  d: KubeObject,
  rs: KubeObject,
  newRevision: number,
  exists: boolean,
) {
  let changed = copyAnnotations(d, rs);
  rs.metadata.annotations ??= {};
  const annotations = rs.metadata.annotations;
  const oldText = annotations[REVISION];
  if (oldText !== undefined && !/^\d+$/.test(oldText)) return false;
  const old = oldText === undefined ? 0 : Number(oldText);
  if (old < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = annotations[REVISION_HISTORY];
      if (!history) annotations[REVISION_HISTORY] = oldText;
      else {
        const parts = history.split(',');
        let length = history.length + oldText.length + 1;
        while (length > MAX_HISTORY_CHARS && parts.length > 0) length -= parts.shift()!.length + 1;
        if (length <= MAX_HISTORY_CHARS) annotations[REVISION_HISTORY] = [...parts, oldText].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** NewRSNewReplicas: how far the new ReplicaSet may grow now. */
export function newRSNewReplicas(d: KubeObject, all: KubeObject[], newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const maxTotal = replicasOf(d) + maxSurge(d);
  const current = sumSpecReplicas(all);
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** GetProportion: a ReplicaSet's share of a scaling that happens in the middle of a rollout. */
export function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -replicasOf(rs);
  else {
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? Number.NaN);
    const base = Number.isFinite(annotated) && annotated > 0 ? annotated : statusCount(d, 'replicas') || 1;
    fraction = Math.round((replicasOf(rs) * deploymentReplicas) / base) - replicasOf(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export function newDeploymentCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
): Condition {
  const at = timestamp();
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/** SetDeploymentCondition: same status and reason is no change; same status keeps the transition time. */
export function setDeploymentCondition(status: { conditions?: Condition[] }, condition: Condition): void {
  const current = findCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status)
    condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
}

export function removeDeploymentCondition(status: { conditions?: Condition[] }, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

/** calculateStatus: counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(
  all: KubeObject[],
  newRS: KubeObject | undefined,
  d: KubeObject,
): DeploymentStatus {
  const available = sumStatus(all, 'availableReplicas');
  const unavailable = Math.max(0, sumSpecReplicas(all) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 1,
    ...omitZero({
      replicas: sumStatus(all, 'replicas'),
      updatedReplicas: sumStatus([newRS], 'replicas'),
      readyReplicas: sumStatus(all, 'readyReplicas'),
      availableReplicas: available,
      unavailableReplicas: unavailable,
    }),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = structuredClone(d.status.conditions);
  if (available >= replicasOf(d) - maxUnavailable(d))
    setDeploymentCondition(
      status,
      newDeploymentCondition(
        'Available',
        'True',
        'MinimumReplicasAvailable',
        'Deployment has minimum availability.',
      ),
    );
  else
    setDeploymentCondition(
      status,
      newDeploymentCondition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
      ),
    );
  return status;
}

export const hasProgressDeadline = (d: KubeObject) => {
  const seconds = d.spec?.progressDeadlineSeconds ?? 600;
  return seconds !== null && seconds !== 2147483647;
};
const progressDeadline = (d: KubeObject) => Number(d.spec?.progressDeadlineSeconds ?? 600);

export function deploymentComplete(d: KubeObject, status: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === want &&
    (status.replicas ?? 0) === want &&
    (status.availableReplicas ?? 0) === want &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

export function deploymentProgressing(d: KubeObject, status: DeploymentStatus): boolean {
  const old = (d.status ?? {}) as DeploymentStatus;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function deploymentTimedOut(d: KubeObject, status: DeploymentStatus, nowMs = Date.now()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = findCondition(status, 'Progressing');
  if (!condition || condition.reason === 'NewReplicaSetAvailable') return false;
  if (condition.reason === 'ProgressDeadlineExceeded') return true;
  return millis(condition.lastUpdateTime) + progressDeadline(d) * 1000 < nowMs;
}

/** requeueStuckDeployment: when to look again so a stuck rollout is noticed on time (ms, or undefined). */
export function progressCheckDelay(
  d: KubeObject,
  status: DeploymentStatus,
  nowMs = Date.now(),
): number | undefined {
  const condition = findCondition(d, 'Progressing');
  if (!hasProgressDeadline(d) || !condition) return undefined;
  if (deploymentComplete(d, status) || condition.reason === 'ProgressDeadlineExceeded') return undefined;
  const after = millis(condition.lastUpdateTime) + progressDeadline(d) * 1000 - nowMs;
  // Go re-queues with a rate limit when under a second is left; a short fixed wait does the same here.
  return after < 1000 ? Math.max(after, 0) + 250 : after + 1000;
}
