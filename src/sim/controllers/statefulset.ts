import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { claim } from './claims.js';
import { Controller } from './controller.js';
import {
  announce,
  controllerRef,
  controllerRefOf,
  createObject,
  keyOf,
  namespaceTerminating,
  omitZero,
  same,
  splitKey,
  writeStatus,
} from './meta.js';
import { deletePod, isPodAvailable, isPodReady, isTerminal } from './pods.js';
import {
  fanOutOrphans,
  ownerKeysFor,
  REVISION_HASH,
  RevisionCollision,
  syncRevisions,
  templateOf,
  truncateHistory,
} from './revisions.js';

const COMPONENT = 'statefulset-controller';
const POD_NAME = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX = 'apps.kubernetes.io/pod-index';

interface Ordered {
  ordinal: number;
  pod: KubeObject | undefined;
}

const ordinalOf = (sts: KubeObject, pod: KubeObject): number | undefined => {
  const prefix = `${sts.metadata.name}-`;
  const rest = pod.metadata.name.startsWith(prefix) ? pod.metadata.name.slice(prefix.length) : '';
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
};

/**
 * The StatefulSet controller (pkg/controller/statefulset): pods `<name>-<ordinal>` with stable
 * claims `<template>-<name>-<ordinal>` from volumeClaimTemplates, created in order and, with
 * OrderedReady, one at a time once the one before is Running and Ready; removed from the highest
 * ordinal down; RollingUpdate (highest ordinal first, above the partition) and OnDelete; revisions,
 * and the status `kubectl rollout status sts` reads.
 */
export class StatefulSetController extends Controller {
  protected readonly name = COMPONENT;

  protected keysFor(event: StoreEvent): string[] {
    return ownerKeysFor(event, 'StatefulSet');
  }

  protected allKeys(): string[] {
    return this.store.list('StatefulSet').map(keyOf);
  }

  protected reconcile(key: string): void {
    if (fanOutOrphans(this.store, 'StatefulSet', key, (k) => this.queue.add(k))) return;
    const { namespace, name } = splitKey(key);
    const sts = this.store.get('StatefulSet', namespace, name);
    if (!sts) return;
    // Only pods that carry a valid ordinal of this set are its pods (isMemberOf).
    const pods = claim(this.store, 'Pod', sts, 'apps/v1', 'StatefulSet', sts.spec?.selector).filter(
      (p) => ordinalOf(sts, p) !== undefined,
    );
    if (sts.metadata.deletionTimestamp) return;
    let revisions: ReturnType<typeof syncRevisions>;
    try {
      revisions = syncRevisions(
        this.store,
        sts,
        'StatefulSet',
        sts.spec?.selector,
        sts.status?.collisionCount ?? 0,
      );
    } catch (error) {
      if (!(error instanceof RevisionCollision)) throw error;
      writeStatus(this.store, 'StatefulSet', sts, {
        ...sts.status,
        collisionCount: (sts.status?.collisionCount ?? 0) + 1,
      });
      return;
    }
    const update = revisions.update;
    const current = revisions.all.find((r) => r.metadata.name === sts.status?.currentRevision) ?? update;
    if (!namespaceTerminating(this.store, sts.metadata.namespace)) this.sync(sts, pods, current, update);
    const live = this.store
      .list('Pod', sts.metadata.namespace)
      .filter((p) => controllerRefOf(p)?.uid === sts.metadata.uid);
    const inUse = new Set([
      current.metadata.name,
      update.metadata.name,
      ...live.map((p) => p.metadata.labels?.[REVISION_HASH] ?? ''),
    ]);
    truncateHistory(this.store, revisions.all, inUse, Number(sts.spec?.revisionHistoryLimit ?? 10));
    this.updateStatus(sts, live, current, update);
  }

  private sync(sts: KubeObject, pods: KubeObject[], current: KubeObject, update: KubeObject): void {
    const spec = sts.spec ?? {};
    const start = Number(spec.ordinals?.start ?? 0);
    const replicas = Number(spec.replicas ?? 1);
    const parallel = spec.podManagementPolicy === 'Parallel';
    const minReady = Number(spec.minReadySeconds ?? 0);
    const healthy = (pod: KubeObject) =>
      pod.status?.phase === 'Running' &&
      isPodReady(pod) &&
      isPodAvailable(pod, minReady) &&
      !pod.metadata.deletionTimestamp;
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(sts, p)!, p]));
    const wanted: Ordered[] = [];
    for (let ordinal = start; ordinal < start + replicas; ordinal++)
      wanted.push({ ordinal, pod: byOrdinal.get(ordinal) });
    const condemned = pods
      .filter((p) => {
        const ordinal = ordinalOf(sts, p)!;
        return ordinal < start || ordinal >= start + replicas;
      })
      .sort((a, b) => ordinalOf(sts, b)! - ordinalOf(sts, a)!);

    // Failed pods are deleted, to be made again on a later pass.
    for (const { pod } of wanted)
      if (pod && isTerminal(pod) && !pod.metadata.deletionTimestamp) this.deleteStatefulPod(sts, pod);

    for (const entry of wanted) {
      const { ordinal } = entry;
      let pod = entry.pod;
      if (!pod || (isTerminal(pod) && !pod.metadata.deletionTimestamp)) {
        if (pod) continue; // being replaced: wait until it is gone
        pod = this.createStatefulPod(sts, ordinal, current, update);
        if (!parallel) return;
        continue;
      }
      if (!parallel && !healthy(pod)) return;
    }

    // Scale down from the highest ordinal: one at a time with OrderedReady, once the rest are healthy.
    if (!parallel && wanted.some((w) => !w.pod || !healthy(w.pod))) return;
    for (const pod of condemned) {
      if (pod.metadata.deletionTimestamp) {
        if (!parallel) return;
        continue;
      }
      this.deleteStatefulPod(sts, pod);
      if (spec.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') this.deleteClaims(sts, pod);
      if (!parallel) return;
    }

    if (spec.updateStrategy?.type !== 'RollingUpdate') return;
    // RollingUpdate: from the highest ordinal down to the partition, one pod at a time.
    const partition = Number(spec.updateStrategy?.rollingUpdate?.partition ?? 0);
    for (const { ordinal, pod } of [...wanted].reverse()) {
      if (ordinal - start < partition || !pod) continue;
      if (pod.metadata.labels?.[REVISION_HASH] !== update.metadata.name && !pod.metadata.deletionTimestamp) {
        this.deleteStatefulPod(sts, pod);
        return;
      }
      if (!healthy(pod)) return;
    }
  }

  private createStatefulPod(
    sts: KubeObject,
    ordinal: number,
    current: KubeObject,
    update: KubeObject,
  ): KubeObject {
    const spec = sts.spec ?? {};
    const partition = spec.updateStrategy?.rollingUpdate?.partition;
    const start = Number(spec.ordinals?.start ?? 0);
    const atCurrent =
      spec.updateStrategy?.type === 'RollingUpdate' &&
      (partition === undefined
        ? ordinal < start + Number(sts.status?.currentReplicas ?? 0)
        : ordinal < start + Number(partition));
    const revision = atCurrent ? current : update;
    const template = revision === update ? structuredClone(spec.template ?? {}) : templateOf(revision);
    const name = `${sts.metadata.name}-${ordinal}`;
    for (const claimTemplate of spec.volumeClaimTemplates ?? []) this.ensureClaim(sts, claimTemplate, name);
    const podSpec = structuredClone(template.spec ?? {});
    podSpec.hostname = name;
    if (spec.serviceName) podSpec.subdomain = spec.serviceName;
    const claimVolumes = (spec.volumeClaimTemplates ?? []).map((t: KubeObject) => ({
      name: t.metadata?.name,
      persistentVolumeClaim: { claimName: `${t.metadata?.name}-${name}` },
    }));
    const names = new Set(claimVolumes.map((v: { name: string }) => v.name));
    podSpec.volumes = [
      ...claimVolumes,
      ...(podSpec.volumes ?? []).filter((v: { name: string }) => !names.has(v.name)),
    ];
    if (podSpec.volumes.length === 0) delete podSpec.volumes;
    const metadata: KubeObject['metadata'] = {
      name,
      namespace: sts.metadata.namespace,
      labels: {
        ...(template.metadata?.labels ?? {}),
        [REVISION_HASH]: revision.metadata.name,
        [POD_NAME]: name,
        [POD_INDEX]: String(ordinal),
      },
      ownerReferences: [controllerRef(sts, 'apps/v1', 'StatefulSet')],
    };
    if (template.metadata?.annotations && Object.keys(template.metadata.annotations).length > 0)
      metadata.annotations = { ...template.metadata.annotations };
    let created: KubeObject;
    try {
      created = createObject(this.store, 'Pod', { apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec });
    } catch (error) {
      // A pod the API refuses (quota, limits) is said in an event, then retried (the queue's delay).
      if (error instanceof ApiError)
        announce(
          this.store,
          sts,
          'Warning',
          'FailedCreate',
          `create Pod ${name} in StatefulSet ${sts.metadata.name} failed error: ${error.message}`,
          COMPONENT,
        );
      throw error;
    }
    announce(
      this.store,
      sts,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`,
      COMPONENT,
    );
    return created;
  }

  /** A claim from a volumeClaimTemplate, made before the pod that mounts it, kept after it. */
  private ensureClaim(sts: KubeObject, template: KubeObject, podName: string): void {
    const claimName = `${template.metadata?.name}-${podName}`;
    if (this.store.get('PersistentVolumeClaim', sts.metadata.namespace, claimName)) return;
    const spec = structuredClone(template.spec ?? {});
    const metadata: KubeObject['metadata'] = {
      name: claimName,
      namespace: sts.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...(sts.spec?.selector?.matchLabels ?? {}) },
    };
    if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
    if (sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete')
      metadata.ownerReferences = [controllerRef(sts, 'apps/v1', 'StatefulSet')];
    try {
      createObject(this.store, 'PersistentVolumeClaim', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata,
        spec,
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 409) throw error;
      return;
    }
    announce(
      this.store,
      sts,
      'Normal',
      'SuccessfulCreate',
      `create Claim ${claimName} Pod ${podName} in StatefulSet ${sts.metadata.name} success`,
      COMPONENT,
    );
  }

  private deleteClaims(sts: KubeObject, pod: KubeObject): void {
    for (const template of sts.spec?.volumeClaimTemplates ?? []) {
      const claimName = `${template.metadata?.name}-${pod.metadata.name}`;
      try {
        this.store.delete('PersistentVolumeClaim', sts.metadata.namespace, claimName);
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 404) throw error;
      }
    }
  }

  private deleteStatefulPod(sts: KubeObject, pod: KubeObject): void {
    deletePod(this.store, pod);
    announce(
      this.store,
      sts,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
      COMPONENT,
    );
  }

  private updateStatus(sts: KubeObject, pods: KubeObject[], current: KubeObject, update: KubeObject): void {
    const minReady = Number(sts.spec?.minReadySeconds ?? 0);
    const counted = pods.filter((p) => ordinalOf(sts, p) !== undefined);
    let ready = 0;
    let available = 0;
    let atCurrent = 0;
    let atUpdate = 0;
    for (const pod of counted) {
      if (!pod.metadata.deletionTimestamp && isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady)) available++;
      }
      if (pod.metadata.deletionTimestamp) continue;
      const revision = pod.metadata.labels?.[REVISION_HASH];
      if (revision === current.metadata.name) atCurrent++;
      if (revision === update.metadata.name) atUpdate++;
    }
    let currentRevision = current.metadata.name;
    let currentReplicas = atCurrent;
    // completeRollingUpdate: every pod at the update revision and ready makes it the current one.
    if (
      sts.spec?.updateStrategy?.type === 'RollingUpdate' &&
      atUpdate === counted.length &&
      ready === counted.length
    ) {
      currentRevision = update.metadata.name;
      currentReplicas = atUpdate;
    }
    const status: Record<string, unknown> = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: counted.length,
      ...omitZero({ readyReplicas: ready, currentReplicas, updatedReplicas: atUpdate }),
      currentRevision,
      updateRevision: update.metadata.name,
      collisionCount: sts.status?.collisionCount ?? 0,
      availableReplicas: available,
    };
    if (!same(status, sts.status)) writeStatus(this.store, 'StatefulSet', sts, status);
    if (minReady > 0 && ready !== available) this.queue.addAfter(keyOf(sts), minReady * 1000);
  }
}
