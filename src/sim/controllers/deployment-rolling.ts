import type { KubeObject } from '../../kube/objects.js';
import type { DeploymentController } from './deployment.js';
import {
  active,
  byCreation,
  type DeploymentStatus,
  deploymentComplete,
  maxUnavailable,
  newRSNewReplicas,
  replicasOf,
  statusCount,
  sumSpecReplicas,
  sumStatus,
} from './deployment-util.js';

/**
 * rolloutRolling (pkg/controller/deployment/rolling.go): grow the new ReplicaSet within maxSurge,
 * shrink the old ones within maxUnavailable — unhealthy pods first — and report progress.
 */
export function rolloutRolling(dc: DeploymentController, d: KubeObject, rsList: KubeObject[]): void {
  const { newRS, oldRSs } = dc.allReplicaSets(d, rsList, true);
  if (!newRS) return;
  const all = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(dc, all, newRS, d)) {
    dc.syncRolloutStatus(all, newRS, d);
    return;
  }
  if (reconcileOldReplicaSets(dc, all, active(oldRSs), newRS, d)) {
    dc.syncRolloutStatus(all, newRS, d);
    return;
  }
  if (deploymentComplete(d, (d.status ?? {}) as DeploymentStatus)) dc.cleanup(oldRSs, d);
  dc.syncRolloutStatus(all, newRS, d);
}

function reconcileNewReplicaSet(
  dc: DeploymentController,
  all: KubeObject[],
  newRS: KubeObject,
  d: KubeObject,
) {
  if (replicasOf(newRS) === replicasOf(d)) return false;
  if (replicasOf(newRS) > replicasOf(d)) return dc.scaleReplicaSet(newRS, replicasOf(d), d);
  return dc.scaleReplicaSet(newRS, newRSNewReplicas(d, all, newRS), d);
}

/**
 * Old pods may go when that keeps minAvailable = replicas - maxUnavailable, not counting new pods that
 * are not available yet (so a broken new template cannot eat the old, working pods).
 */
function reconcileOldReplicaSets(
  dc: DeploymentController,
  all: KubeObject[],
  oldRSs: KubeObject[],
  newRS: KubeObject,
  d: KubeObject,
): boolean {
  if (sumSpecReplicas(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - statusCount(newRS, 'availableReplicas');
  const maxScaledDown = sumSpecReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(dc, oldRSs, d, maxScaledDown);
  const scaledDown = scaleDownOldForRollingUpdate(dc, [...oldRSs, newRS], oldRSs, d);
  return cleaned + scaledDown > 0;
}

function cleanupUnhealthyReplicas(
  dc: DeploymentController,
  oldRSs: KubeObject[],
  d: KubeObject,
  maxCleanup: number,
) {
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= maxCleanup) break;
    const unhealthy = replicasOf(rs) - statusCount(rs, 'availableReplicas');
    if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
    const count = Math.min(maxCleanup - total, unhealthy);
    dc.scaleReplicaSet(rs, replicasOf(rs) - count, d);
    total += count;
  }
  return total;
}

function scaleDownOldForRollingUpdate(
  dc: DeploymentController,
  all: KubeObject[],
  oldRSs: KubeObject[],
  d: KubeObject,
) {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = sumStatus(all, 'availableReplicas');
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), budget - total);
    dc.scaleReplicaSet(rs, replicasOf(rs) - count, d);
    total += count;
  }
  return total;
}
