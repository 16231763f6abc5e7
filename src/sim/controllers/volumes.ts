import type { KubeObject } from '../../kube/objects.js';
import { parseQuantity } from '../../kube/quantity.js';
import type { Store, StoreEvent } from '../store.js';
import { Controller } from './controller.js';
import { announce, keyOf, splitKey, timestamp, writeObject, writeStatus } from './meta.js';
import { isTerminal } from './pods.js';

const COMPONENT = 'persistentvolume-controller';
const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
const PV_PROTECTION = 'kubernetes.io/pv-protection';

/** The claims a pod's volumes name. */
export const claimsOf = (pod: KubeObject): string[] =>
  ((pod.spec?.volumes ?? []) as { persistentVolumeClaim?: { claimName?: string } }[])
    .map((v) => v.persistentVolumeClaim?.claimName)
    .filter((name): name is string => Boolean(name));

export const isBound = (pvc: KubeObject | undefined) =>
  pvc?.status?.phase === 'Bound' && Boolean(pvc.spec?.volumeName);

/**
 * What kind's local-path provisioner does for a claim, and then the PV controller's binding: a
 * PersistentVolume `pvc-<claim uid>` backed by `/var/local-path-provisioner/...` on the node (the
 * kubelet makes the folder), bound both ways. `node` is the scheduler's pick for WaitForFirstConsumer.
 */
export function provisionAndBind(
  store: Store,
  pvc: KubeObject,
  storageClass: KubeObject,
  node?: string,
): void {
  const provisioner = String(storageClass.provisioner ?? 'rancher.io/local-path');
  const { namespace, name, uid } = pvc.metadata;
  const pvName = `pvc-${uid}`;
  const size = pvc.spec?.resources?.requests?.storage ?? '1Gi';
  const accessModes = pvc.spec?.accessModes ?? ['ReadWriteOnce'];
  if (!store.get('PersistentVolume', undefined, pvName)) {
    const component = `${provisioner}_local-path-provisioner`;
    announce(
      store,
      pvc,
      'Normal',
      'Provisioning',
      `External provisioner is provisioning volume for claim "${namespace}/${name}"`,
      component,
    );
    store.create('PersistentVolume', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pvName,
        annotations: {
          'pv.kubernetes.io/provisioned-by': provisioner,
          ...(node ? { 'local.path.provisioner/selected-node': node } : {}),
        },
        finalizers: [PV_PROTECTION],
      } as KubeObject['metadata'],
      spec: {
        accessModes,
        capacity: { storage: size },
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          name,
          namespace,
          resourceVersion: (pvc.metadata as { resourceVersion?: string }).resourceVersion,
          uid,
        },
        hostPath: {
          path: `/var/local-path-provisioner/${pvName}_${namespace}_${name}`,
          type: 'DirectoryOrCreate',
        },
        ...(node
          ? {
              nodeAffinity: {
                required: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
                  ],
                },
              },
            }
          : {}),
        persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
        storageClassName: storageClass.metadata.name,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      },
      status: { phase: 'Bound', lastPhaseTransitionTime: timestamp() },
    });
    announce(
      store,
      pvc,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${pvName}`,
      component,
    );
  }
  bindClaim(store, pvc, store.require('PersistentVolume', undefined, pvName), {
    'volume.beta.kubernetes.io/storage-provisioner': provisioner,
    'volume.kubernetes.io/storage-provisioner': provisioner,
    ...(node ? { 'volume.kubernetes.io/selected-node': node } : {}),
  });
}

/** The PV controller's bind: the claim names the volume, the volume names the claim, both Bound. */
function bindClaim(
  store: Store,
  pvc: KubeObject,
  pv: KubeObject,
  annotations: Record<string, string> = {},
): void {
  if (pv.status?.phase !== 'Bound' || pv.spec?.claimRef?.uid !== pvc.metadata.uid) {
    pv.spec.claimRef = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      name: pvc.metadata.name,
      namespace: pvc.metadata.namespace,
      uid: pvc.metadata.uid,
    };
    const written = writeObject(store, 'PersistentVolume', pv);
    writeStatus(store, 'PersistentVolume', written, { phase: 'Bound', lastPhaseTransitionTime: timestamp() });
  }
  pvc.metadata.annotations = {
    ...(pvc.metadata.annotations ?? {}),
    'pv.kubernetes.io/bind-completed': 'yes',
    'pv.kubernetes.io/bound-by-controller': 'yes',
    ...annotations,
  };
  pvc.spec.volumeName = pv.metadata.name;
  const written = writeObject(store, 'PersistentVolumeClaim', pvc);
  writeStatus(store, 'PersistentVolumeClaim', written, {
    phase: 'Bound',
    accessModes: pv.spec?.accessModes ?? pvc.spec?.accessModes,
    capacity: pv.spec?.capacity ?? { storage: pvc.spec?.resources?.requests?.storage },
  });
}

/**
 * The PV controller and the PVC/PV protection controllers: binds Immediate claims at once (and
 * leaves WaitForFirstConsumer ones to the scheduler), binds static volumes, releases and reclaims
 * volumes whose claim is gone, and lets a claim or volume being deleted go once nothing uses it.
 */
export class VolumeController extends Controller {
  protected readonly name = COMPONENT;

  protected keysFor(event: StoreEvent): string[] {
    const o = event.object;
    switch (event.kind) {
      case 'PersistentVolumeClaim':
        return [`pvc:${keyOf(o)}`, '*pv'];
      case 'PersistentVolume':
        return [
          `pv:${o.metadata.name}`,
          ...(o.spec?.claimRef ? [`pvc:${o.spec.claimRef.namespace}/${o.spec.claimRef.name}`] : []),
        ];
      case 'StorageClass':
        return ['*pvc'];
      case 'Pod':
        if (event.type === 'DELETED' || isTerminal(o) || o.metadata.deletionTimestamp)
          return claimsOf(o).map((claim) => `pvc:${o.metadata.namespace}/${claim}`);
        return [];
      default:
        return [];
    }
  }

  protected allKeys(): string[] {
    return [
      ...this.store.list('PersistentVolumeClaim').map((pvc) => `pvc:${keyOf(pvc)}`),
      ...this.store.list('PersistentVolume').map((pv) => `pv:${pv.metadata.name}`),
    ];
  }

  protected reconcile(key: string): void {
    if (key === '*pv' || key === '*pvc') {
      const kind = key === '*pv' ? 'PersistentVolume' : 'PersistentVolumeClaim';
      for (const o of this.store.list(kind))
        this.queue.add(key === '*pv' ? `pv:${o.metadata.name}` : `pvc:${keyOf(o)}`);
      return;
    }
    if (key.startsWith('pv:')) {
      this.syncVolume(key.slice(3));
      return;
    }
    const { namespace, name } = splitKey(key.slice(4));
    const pvc = this.store.get('PersistentVolumeClaim', namespace, name);
    if (pvc) this.syncClaim(pvc);
  }

  private syncClaim(pvc: KubeObject): void {
    if (pvc.metadata.deletionTimestamp) {
      if (!this.inUse(pvc)) this.release(pvc, 'PersistentVolumeClaim', PVC_PROTECTION);
      return;
    }
    if (isBound(pvc)) return;
    if (pvc.spec?.volumeName) {
      const pv = this.store.get('PersistentVolume', undefined, pvc.spec.volumeName);
      if (pv && (!pv.spec?.claimRef || pv.spec.claimRef.uid === pvc.metadata.uid))
        bindClaim(this.store, pvc, pv);
      return;
    }
    const className: string | undefined = pvc.spec?.storageClassName;
    if (!className) {
      this.bindStatic(pvc);
      return;
    }
    const storageClass = this.store.get('StorageClass', undefined, className);
    if (!storageClass) {
      this.event(
        pvc,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${className}" not found`,
      );
      return;
    }
    if (storageClass.provisioner === 'kubernetes.io/no-provisioner') {
      this.bindStatic(pvc);
      return;
    }
    const selectedNode = pvc.metadata.annotations?.['volume.kubernetes.io/selected-node'];
    if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && !selectedNode) {
      this.event(
        pvc,
        'Normal',
        'WaitForFirstConsumer',
        'waiting for first consumer to be created before binding',
      );
      return;
    }
    provisionAndBind(this.store, pvc, storageClass, selectedNode);
  }

  /** Pre-made volumes: the smallest Available one of the claim's class that is big enough. */
  private bindStatic(pvc: KubeObject): void {
    const want = parseQuantity(pvc.spec?.resources?.requests?.storage) ?? 0;
    const modes: string[] = pvc.spec?.accessModes ?? [];
    const candidates = this.store
      .list('PersistentVolume')
      .filter(
        (pv) =>
          !pv.spec?.claimRef &&
          !pv.metadata.deletionTimestamp &&
          (pv.spec?.storageClassName ?? '') === (pvc.spec?.storageClassName ?? '') &&
          (parseQuantity(pv.spec?.capacity?.storage) ?? 0) >= want &&
          modes.every((m) => (pv.spec?.accessModes ?? []).includes(m)),
      )
      .sort(
        (a, b) =>
          (parseQuantity(a.spec?.capacity?.storage) ?? 0) - (parseQuantity(b.spec?.capacity?.storage) ?? 0),
      );
    if (candidates[0]) bindClaim(this.store, pvc, candidates[0]);
    else
      this.event(
        pvc,
        'Normal',
        'FailedBinding',
        'no persistent volumes available for this claim and no storage class is set',
      );
  }

  private syncVolume(name: string): void {
    const pv = this.store.get('PersistentVolume', undefined, name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    const claim = ref ? this.store.get('PersistentVolumeClaim', ref.namespace, ref.name) : undefined;
    const claimGone = ref?.uid && claim?.metadata.uid !== ref.uid;
    if (claimGone && pv.status?.phase === 'Bound') {
      writeStatus(this.store, 'PersistentVolume', pv, {
        phase: 'Released',
        lastPhaseTransitionTime: timestamp(),
      });
      // Reclaim policy Delete: the provisioner deletes the volume (the kubelet owns the folder).
      if ((pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete') === 'Delete') {
        this.store.delete('PersistentVolume', undefined, name);
        const marked = this.store.get('PersistentVolume', undefined, name);
        if (marked) this.release(marked, 'PersistentVolume', PV_PROTECTION);
      }
      return;
    }
    if (pv.metadata.deletionTimestamp && pv.status?.phase !== 'Bound')
      this.release(pv, 'PersistentVolume', PV_PROTECTION);
  }

  /** The protection finalizer comes off; the object goes when no finalizer is left. */
  private release(object: KubeObject, kind: string, finalizer: string): void {
    const meta = object.metadata as KubeObject['metadata'] & { finalizers?: string[] };
    const remaining = (meta.finalizers ?? []).filter((f) => f !== finalizer);
    if (remaining.length !== (meta.finalizers ?? []).length) {
      meta.finalizers = remaining;
      writeObject(this.store, kind, object);
    }
    if (remaining.length === 0) this.store.remove(kind, meta.namespace, meta.name);
  }

  /**
   * As the pvc-protection controller: only a scheduled pod uses a claim (the kubelet will not
   * start a pod on a claim being deleted), so a Pending pod never holds one back.
   */
  private inUse(pvc: KubeObject): boolean {
    return this.store
      .list('Pod', pvc.metadata.namespace)
      .some((pod) => !!pod.spec?.nodeName && !isTerminal(pod) && claimsOf(pod).includes(pvc.metadata.name));
  }

  private event(pvc: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    announce(this.store, pvc, type, reason, message, COMPONENT);
  }
}
