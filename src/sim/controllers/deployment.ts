import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { claim } from './claims.js';
import { Controller } from './controller.js';
import { rolloutRolling } from './deployment-rolling.js';
import { scaleProportionally } from './deployment-scale.js';
import { rolloutStatus } from './deployment-status.js';
import {
  active,
  byCreation,
  calculateStatus,
  type DeploymentStatus,
  deploymentComplete,
  hasProgressDeadline,
  maxRevision,
  maxSurge,
  newDeploymentCondition,
  newRSNewReplicas,
  progressCheckDelay,
  REVISION,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  revisionOf,
  setDeploymentCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumStatus,
} from './deployment-util.js';
import {
  announce,
  controllerRef,
  controllerRefOf,
  createObject,
  findCondition,
  keyOf,
  namespaceTerminating,
  same,
  splitKey,
  writeObject,
  writeStatus,
} from './meta.js';
import { computeTemplateHash, equalIgnoreHash, POD_TEMPLATE_HASH } from './pod-template.js';
import { isTerminal } from './pods.js';
import { isEmptySelector } from './selectors.js';

const COMPONENT = 'deployment-controller';

/**
 * The Deployment controller (pkg/controller/deployment), step for step: a ReplicaSet per pod
 * template named `<deployment>-<pod-template-hash>`, revisions, proportional scaling, RollingUpdate
 * and Recreate, history cleanup, and the status and conditions that `kubectl rollout status` reads.
 */
export class DeploymentController extends Controller {
  protected readonly name = COMPONENT;

  protected keysFor(event: StoreEvent): string[] {
    const ns = event.object.metadata.namespace ?? '';
    if (event.kind === 'Deployment') return [keyOf(event.object)];
    if (event.kind === 'ReplicaSet') {
      const ref = controllerRefOf(event.object);
      if (ref?.kind === 'Deployment') return [`${ns}/${ref.name}`];
      return ref ? [] : [`*${ns}`];
    }
    // Recreate waits until the old pods are gone.
    if (event.kind === 'Pod' && (event.type === 'DELETED' || isTerminal(event.object))) return [`*${ns}`];
    return [];
  }

  protected allKeys(): string[] {
    return this.store.list('Deployment').map(keyOf);
  }

  protected reconcile(key: string): void {
    if (key.startsWith('*')) {
      for (const d of this.store.list('Deployment', key.slice(1))) this.queue.add(keyOf(d));
      return;
    }
    const { namespace, name } = splitKey(key);
    const d = this.store.get('Deployment', namespace, name);
    if (!d) return;
    if (isEmptySelector(d.spec?.selector)) {
      this.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1))
        writeStatus(this.store, 'Deployment', d, { ...d.status, observedGeneration: d.metadata.generation });
      return;
    }
    const rsList = claim(this.store, 'ReplicaSet', d, 'apps/v1', 'Deployment', d.spec?.selector);
    if (d.metadata.deletionTimestamp) {
      this.syncStatusOnly(d, rsList);
      return;
    }
    this.checkPausedConditions(d);
    if (d.spec?.paused || this.isScalingEvent(d, rsList)) {
      this.sync(d, rsList);
      return;
    }
    if (d.spec?.strategy?.type === 'Recreate') {
      this.rolloutRecreate(d, rsList);
      return;
    }
    rolloutRolling(this, d, rsList);
  }

  // ----- ReplicaSets: finding, creating, scaling, cleaning up -----

  /** getAllReplicaSetsAndSyncRevision. */
  allReplicaSets(d: KubeObject, rsList: KubeObject[], create: boolean) {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs.metadata.uid !== existing?.metadata.uid);
    const newRS = this.newReplicaSet(d, rsList, oldRSs, create);
    return { newRS, oldRSs };
  }

  private newReplicaSet(d: KubeObject, rsList: KubeObject[], oldRSs: KubeObject[], create: boolean) {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = Number(d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || Number(copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec.minReadySeconds = minReady;
        return Object.assign(existing, writeObject(this.store, 'ReplicaSet', copy));
      }
      let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[REVISION] ?? '');
      if (hasProgressDeadline(d) && !findCondition(d, 'Progressing')) {
        progressing(d, 'FoundNewReplicaSet', `Found new replica set ${q(copy)}`);
        needsUpdate = true;
      }
      if (needsUpdate) this.saveDeployment(d);
      return existing;
    }
    if (!create || namespaceTerminating(this.store, d.metadata.namespace)) return undefined;

    const template = structuredClone(d.spec.template);
    const hash = computeTemplateHash(template, d.status?.collisionCount);
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
    };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: Number(d.spec?.minReadySeconds ?? 0), selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: KubeObject;
    let alreadyExists = false;
    try {
      created = createObject(this.store, 'ReplicaSet', rs);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 409) throw error;
      const found = this.store.require('ReplicaSet', rs.metadata.namespace, rs.metadata.name);
      // Ours if the template matches; the same hash counts too, so that a template the API changed
      // in some way never makes this loop on "collisions" creating ReplicaSet after ReplicaSet.
      const ours =
        equalIgnoreHash(d.spec.template, found.spec?.template) ||
        found.metadata.labels?.[POD_TEMPLATE_HASH] === hash;
      if (controllerRefOf(found)?.uid !== d.metadata.uid || !ours) {
        // A hash collision: another template already has this name. Count it and try another name.
        writeStatus(this.store, 'Deployment', d, {
          ...d.status,
          collisionCount: (d.status?.collisionCount ?? 0) + 1,
        });
        throw error;
      }
      created = found;
      alreadyExists = true;
    }
    rsList.push(created);
    if (!alreadyExists && replicasOf(created) > 0)
      this.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} to ${replicasOf(created)}`,
      );
    let needsUpdate = setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      progressing(d, 'NewReplicaSetCreated', `Created new replica set ${q(created)}`);
      needsUpdate = true;
    }
    if (needsUpdate) this.saveDeployment(d);
    return created;
  }

  /** scaleReplicaSetAndRecordEvent; updates `rs` in place and says whether its size changed. */
  scaleReplicaSet(rs: KubeObject, newScale: number, d: KubeObject): boolean {
    if (replicasOf(rs) === newScale) return false;
    return this.resizeReplicaSet(rs, newScale, d, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** scaleReplicaSet: the size and the desired/max annotations, with the ScalingReplicaSet event. */
  resizeReplicaSet(rs: KubeObject, newScale: number, d: KubeObject, operation: string): boolean {
    const sizeChanges = replicasOf(rs) !== newScale;
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    const oldScale = replicasOf(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    Object.assign(rs, writeObject(this.store, 'ReplicaSet', copy));
    if (sizeChanges)
      this.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${operation} replica set ${rs.metadata.name} to ${newScale} from ${oldScale}`,
      );
    return sizeChanges;
  }

  /** cleanupDeployment: keep revisionHistoryLimit old, empty ReplicaSets for rollbacks. */
  cleanup(oldRSs: KubeObject[], d: KubeObject): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    if (limit === null || limit === 2147483647) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - Number(limit);
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if (
        Number(rs.status?.replicas ?? 0) !== 0 ||
        replicasOf(rs) !== 0 ||
        (rs.metadata.generation ?? 1) > Number(rs.status?.observedGeneration ?? 0)
      )
        continue;
      try {
        this.store.delete('ReplicaSet', rs.metadata.namespace, rs.metadata.name);
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 404) throw error;
      }
    }
  }

  // ----- the sync paths -----

  private sync(d: KubeObject, rsList: KubeObject[]): void {
    const { newRS, oldRSs } = this.allReplicaSets(d, rsList, false);
    scaleProportionally(this, d, newRS, oldRSs);
    if (d.spec?.paused) this.cleanup(oldRSs, d);
    this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d);
  }

  private syncStatusOnly(d: KubeObject, rsList: KubeObject[]): void {
    const { newRS, oldRSs } = this.allReplicaSets(d, rsList, false);
    this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d);
  }

  private isScalingEvent(d: KubeObject, rsList: KubeObject[]): boolean {
    const { newRS, oldRSs } = this.allReplicaSets(d, rsList, false);
    return active([...oldRSs, newRS]).some((rs) => {
      const desired = rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'];
      return desired !== undefined && Number(desired) !== replicasOf(d);
    });
  }

  private rolloutRecreate(d: KubeObject, rsList: KubeObject[]): void {
    let { newRS, oldRSs } = this.allReplicaSets(d, rsList, false);
    const all = () => [...oldRSs, ...(newRS ? [newRS] : [])];
    let scaledDown = false;
    for (const rs of active(oldRSs)) if (this.scaleReplicaSet(rs, 0, d)) scaledDown = true;
    if (scaledDown || this.oldPodsRunning(newRS, oldRSs)) {
      this.syncRolloutStatus(all(), newRS, d);
      return;
    }
    if (!newRS) ({ newRS, oldRSs } = this.allReplicaSets(d, rsList, true));
    if (!newRS) return;
    this.scaleReplicaSet(newRS, replicasOf(d), d);
    if (deploymentComplete(d, (d.status ?? {}) as DeploymentStatus)) this.cleanup(oldRSs, d);
    this.syncRolloutStatus(all(), newRS, d);
  }

  private oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
    if (sumStatus(oldRSs, 'replicas') > 0) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    return this.store
      .list('Pod', newRS?.metadata.namespace ?? oldRSs[0]?.metadata.namespace)
      .some((pod) => oldUids.has(controllerRefOf(pod)?.uid) && !isTerminal(pod));
  }

  // ----- status -----

  private checkPausedConditions(d: KubeObject): void {
    if (!hasProgressDeadline(d)) return;
    const condition = findCondition(d, 'Progressing');
    if (condition?.reason === 'ProgressDeadlineExceeded') return;
    const pausedSet = condition?.reason === 'DeploymentPaused';
    d.status ??= {};
    if (d.spec?.paused && !pausedSet)
      setDeploymentCondition(
        d.status,
        newDeploymentCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'),
      );
    else if (!d.spec?.paused && pausedSet)
      setDeploymentCondition(
        d.status,
        newDeploymentCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed'),
      );
    else return;
    this.saveDeployment(d);
  }

  private syncDeploymentStatus(all: KubeObject[], newRS: KubeObject | undefined, d: KubeObject): void {
    const status = calculateStatus(all, newRS, d);
    if (!same(d.status, status)) writeStatus(this.store, 'Deployment', d, status);
  }

  /** syncRolloutStatus: the Progressing condition and, when stuck, a look again at the deadline. */
  syncRolloutStatus(all: KubeObject[], newRS: KubeObject | undefined, d: KubeObject): void {
    const status = rolloutStatus(all, newRS, d);
    if (same(d.status, status)) {
      const delay = progressCheckDelay(d, status);
      if (delay !== undefined) this.queue.addAfter(keyOf(d), delay);
      return;
    }
    writeStatus(this.store, 'Deployment', d, status);
  }

  /** Writes what UpdateStatus carries for a Deployment: its annotations (the revision) and status. */
  private saveDeployment(d: KubeObject): void {
    const stored = this.store.get('Deployment', d.metadata.namespace, d.metadata.name);
    if (!stored) return;
    if (!same(stored.metadata.annotations, d.metadata.annotations)) {
      stored.metadata.annotations = d.metadata.annotations;
      writeObject(this.store, 'Deployment', stored);
    }
    const written = writeStatus(this.store, 'Deployment', stored, d.status);
    d.metadata = written.metadata;
    d.status = written.status;
  }

  event(d: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    announce(this.store, d, type, reason, message, COMPONENT);
  }
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's (ignoring the hash label). */
function findNewReplicaSet(d: KubeObject, rsList: KubeObject[]): KubeObject | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

function setDeploymentRevision(d: KubeObject, revision: string): boolean {
  d.metadata.annotations ??= {};
  if (d.metadata.annotations[REVISION] === revision) return false;
  d.metadata.annotations[REVISION] = revision;
  return true;
}

const q = (o: KubeObject) => JSON.stringify(o.metadata.name);

/** Sets the Deployment's Progressing=True condition (in memory; the caller saves). */
function progressing(d: KubeObject, reason: string, message: string): void {
  d.status ??= {};
  setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'True', reason, message));
}
