import type { KubeObject } from '../../kube/objects.js';
import {
  calculateStatus,
  type DeploymentStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  hasProgressDeadline,
  newDeploymentCondition,
  removeDeploymentCondition,
  setDeploymentCondition,
} from './deployment-util.js';
import { findCondition } from './meta.js';

const q = (o: KubeObject) => JSON.stringify(o.metadata.name);

/**
 * The status syncRolloutStatus writes during a rollout: the counts and Available (calculateStatus)
 * and the Progressing condition — NewReplicaSetAvailable when done, ReplicaSetUpdated (its
 * lastUpdateTime moved) on any progress, ProgressDeadlineExceeded after progressDeadlineSeconds
 * without any. `kubectl rollout status` reads exactly these.
 */
export function rolloutStatus(
  all: KubeObject[],
  newRS: KubeObject | undefined,
  d: KubeObject,
): DeploymentStatus {
  const status = calculateStatus(all, newRS, d);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(status, 'Progressing');
  const current = findCondition(d, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
  const subject = newRS ? `ReplicaSet ${q(newRS)}` : `Deployment ${q(d)}`;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      setDeploymentCondition(
        status,
        newDeploymentCondition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `${subject} has successfully progressed.`,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      const condition = newDeploymentCondition(
        'Progressing',
        'True',
        'ReplicaSetUpdated',
        `${subject} is progressing.`,
      );
      if (current) {
        if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
        removeDeploymentCondition(status, 'Progressing');
      }
      setDeploymentCondition(status, condition);
    } else if (deploymentTimedOut(d, status)) {
      setDeploymentCondition(
        status,
        newDeploymentCondition(
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          `${subject} has timed out progressing.`,
        ),
      );
    }
  }
  replicaFailures(all, newRS, status);
  return status;
}

/**
 * getReplicaFailures: a ReplicaSet's ReplicaFailure (pods the API refused, the new one's first)
 * becomes the Deployment's, and goes with it.
 */
export function replicaFailures(
  all: KubeObject[],
  newRS: KubeObject | undefined,
  status: DeploymentStatus,
): void {
  const sets = newRS ? [newRS, ...all.filter((rs) => rs !== newRS)] : all;
  for (const rs of sets) {
    const failure = findCondition(rs, 'ReplicaFailure');
    if (!failure) continue;
    setDeploymentCondition(status, {
      type: 'ReplicaFailure',
      status: failure.status,
      lastUpdateTime: failure.lastTransitionTime,
      lastTransitionTime: failure.lastTransitionTime,
      reason: failure.reason,
      message: failure.message,
    });
    return;
  }
  removeDeploymentCondition(status, 'ReplicaFailure');
}
