import type { KubeObject } from '../../kube/objects.js';
import { type Condition, findCondition, millis, timestamp } from './meta.js';

/** Finished pods are counted through this finalizer: a pod deleted before it was counted still is. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export interface Finish {
  type: string;
  reason: string;
  message: string;
}

export const hasTracking = (pod: KubeObject) =>
  ((pod.metadata as { finalizers?: string[] }).finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** A deleted pod that did not succeed counts as failed (podReplacementPolicy TerminatingOrFailed). */
export const isPodFailed = (pod: KubeObject) =>
  pod.status?.phase === 'Failed' ||
  (pod.metadata.deletionTimestamp !== undefined && pod.status?.phase !== 'Succeeded');

export const isFinished = (job: KubeObject) =>
  ['Complete', 'Failed'].some((type) => findCondition(job, type)?.status === 'True');

export function condition(finish: Finish): Condition {
  const at = timestamp();
  return {
    type: finish.type,
    status: 'True',
    lastProbeTime: at,
    lastTransitionTime: at,
    reason: finish.reason,
    message: finish.message,
  };
}

export function pastBackoffLimitOnFailure(job: KubeObject, active: KubeObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of active)
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Pending')
      for (const s of [
        ...(pod.status?.initContainerStatuses ?? []),
        ...(pod.status?.containerStatuses ?? []),
      ])
        restarts += Number(s.restartCount ?? 0);
  const limit = Number(job.spec?.backoffLimit ?? 6);
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

export function pastActiveDeadline(job: KubeObject, status: { startTime?: string }): boolean {
  const seconds = job.spec?.activeDeadlineSeconds;
  if (seconds === undefined || seconds === null || !status.startTime || job.spec?.suspend === true)
    return false;
  return Date.now() - millis(status.startTime) >= Number(seconds) * 1000;
}
