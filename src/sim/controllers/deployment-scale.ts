import type { KubeObject } from '../../kube/objects.js';
import type { DeploymentController } from './deployment.js';
import {
  active,
  bySize,
  findActiveOrLatest,
  isRollingUpdate,
  isSaturated,
  maxSurge,
  proportion,
  replicasOf,
  sumSpecReplicas,
} from './deployment-util.js';

/**
 * scale (sync.go): when spec.replicas changes mid-rollout, every active ReplicaSet grows or shrinks in
 * proportion to its size (newer ones first when growing, older first when shrinking), so a scaling
 * neither speeds up nor slows down the rollout.
 */
export function scaleProportionally(
  dc: DeploymentController,
  d: KubeObject,
  newRS: KubeObject | undefined,
  oldRSs: KubeObject[],
): void {
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (replicasOf(only) !== replicasOf(d)) dc.scaleReplicaSet(only, replicasOf(d), d);
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of active(oldRSs)) dc.scaleReplicaSet(old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = active([...oldRSs, newRS]);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(all);
  if (toAdd !== 0) all.sort(bySize(toAdd > 0));
  const operation = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : '';
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd === 0) sizes.set(rs.metadata.name, replicasOf(rs));
    else {
      const share = proportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.name, replicasOf(rs) + share);
      added += share;
    }
  }
  all.forEach((rs, i) => {
    let size = sizes.get(rs.metadata.name) ?? 0;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    dc.resizeReplicaSet(rs, size, d, operation);
  });
}
