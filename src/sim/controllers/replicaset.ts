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
import {
  compareForDeletion,
  deletePod,
  isPodActive,
  isPodAvailable,
  isPodReady,
  podFromTemplate,
} from './pods.js';
import { selectorMatches } from './selectors.js';

const COMPONENT = 'replicaset-controller';
/** controller.BurstReplicas: the most pods one sync creates or deletes. */
const BURST = 500;

/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas pods, gives up the
 * cheapest first, and reports replicas, fullyLabeledReplicas, readyReplicas and availableReplicas.
 */
export class ReplicaSetController extends Controller {
  protected readonly name = COMPONENT;

  protected keysFor(event: StoreEvent): string[] {
    if (event.kind === 'ReplicaSet') return [keyOf(event.object)];
    if (event.kind !== 'Pod') return [];
    const ref = controllerRefOf(event.object);
    if (ref?.kind === 'ReplicaSet') return [`${event.object.metadata.namespace ?? ''}/${ref.name}`];
    // An orphan may be adopted by any ReplicaSet of its namespace.
    return ref ? [] : [`*${event.object.metadata.namespace ?? ''}`];
  }

  protected allKeys(): string[] {
    return this.store.list('ReplicaSet').map(keyOf);
  }

  protected reconcile(key: string): void {
    if (key.startsWith('*')) {
      for (const rs of this.store.list('ReplicaSet', key.slice(1))) this.queue.add(keyOf(rs));
      return;
    }
    const { namespace, name } = splitKey(key);
    const rs = this.store.get('ReplicaSet', namespace, name);
    if (!rs) return;
    const pods = claim(this.store, 'Pod', rs, 'apps/v1', 'ReplicaSet', rs.spec?.selector);
    const active = pods.filter(isPodActive);
    if (!rs.metadata.deletionTimestamp) this.manageReplicas(rs, active);

    const minReadySeconds = Number(rs.spec?.minReadySeconds ?? 0);
    const status = replicaSetStatus(rs, active, minReadySeconds);
    if (!same(status, rs.status)) writeStatus(this.store, 'ReplicaSet', rs, status);
    // Availability comes with time, not with an event: look again when the newest ready pod counts.
    if (minReadySeconds > 0 && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0))
      this.queue.addAfter(key, minReadySeconds * 1000);
  }

  private manageReplicas(rs: KubeObject, active: KubeObject[]): void {
    const wanted = Number(rs.spec?.replicas ?? 1);
    const diff = active.length - wanted;
    if (diff < 0) {
      if (namespaceTerminating(this.store, rs.metadata.namespace)) return;
      const owner = controllerRef(rs, 'apps/v1', 'ReplicaSet');
      for (let i = 0; i < Math.min(-diff, BURST); i++) {
        const pod = createObject(
          this.store,
          'Pod',
          podFromTemplate(rs.spec?.template, rs.metadata.namespace, rs.metadata.name, owner),
        );
        announce(
          this.store,
          rs,
          'Normal',
          'SuccessfulCreate',
          `Created pod: ${pod.metadata.name}`,
          COMPONENT,
        );
      }
    } else if (diff > 0) {
      const victims = [...active].sort(compareForDeletion).slice(0, Math.min(diff, BURST));
      for (const pod of victims) {
        deletePod(this.store, pod);
        announce(
          this.store,
          rs,
          'Normal',
          'SuccessfulDelete',
          `Deleted pod: ${pod.metadata.name}`,
          COMPONENT,
        );
      }
    }
  }
}

/** replicaset.calculateStatus over the active pods. */
function replicaSetStatus(rs: KubeObject, active: KubeObject[], minReadySeconds: number) {
  const templateLabels = (rs.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of active) {
    if (selectorMatches({ matchLabels: templateLabels }, pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds)) available++;
    }
  }
  const status: Record<string, unknown> = {
    replicas: active.length,
    ...omitZero({ fullyLabeledReplicas: fullyLabeled, readyReplicas: ready, availableReplicas: available }),
    observedGeneration: rs.metadata.generation ?? 1,
  };
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return status as { replicas: number; readyReplicas?: number; availableReplicas?: number };
}
