import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { claim } from './claims.js';
import { Controller } from './controller.js';
import {
  announce,
  type Condition,
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
import { type LabelSelector, selectorMatches } from './selectors.js';

const COMPONENT = 'replicaset-controller';
/** controller.BurstReplicas: the most pods one sync creates or deletes. */
const BURST = 500;

/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas pods, gives up the
 * cheapest first, and reports replicas, fullyLabeledReplicas, readyReplicas and availableReplicas.
 */
export class ReplicaSetController extends Controller {
  protected readonly name: string = COMPONENT;
  protected readonly kind: string = 'ReplicaSet';
  protected readonly apiVersion: string = 'apps/v1';

  protected selectorOf(owner: KubeObject): LabelSelector | undefined {
    return owner.spec?.selector;
  }

  protected keysFor(event: StoreEvent): string[] {
    if (event.kind === this.kind) return [keyOf(event.object)];
    if (event.kind !== 'Pod') return [];
    const ref = controllerRefOf(event.object);
    if (ref?.kind === this.kind) return [`${event.object.metadata.namespace ?? ''}/${ref.name}`];
    // An orphan may be adopted by any ReplicaSet of its namespace.
    return ref ? [] : [`*${event.object.metadata.namespace ?? ''}`];
  }

  protected allKeys(): string[] {
    return this.store.list(this.kind).map(keyOf);
  }

  protected reconcile(key: string): void {
    if (key.startsWith('*')) {
      for (const rs of this.store.list(this.kind, key.slice(1))) this.queue.add(keyOf(rs));
      return;
    }
    const { namespace, name } = splitKey(key);
    const rs = this.store.get(this.kind, namespace, name);
    if (!rs) return;
    const pods = claim(this.store, 'Pod', rs, this.apiVersion, this.kind, this.selectorOf(rs));
    const active = pods.filter(isPodActive);
    const failure = rs.metadata.deletionTimestamp ? undefined : this.manageReplicas(rs, active);

    const minReadySeconds = Number(rs.spec?.minReadySeconds ?? 0);
    const status = replicaSetStatus(rs, active, minReadySeconds, failure);
    if (!same(status, rs.status)) writeStatus(this.store, this.kind, rs, status);
    // A refused create is retried with a growing delay (the queue's), as the real controller requeues.
    if (failure) throw failure;
    // Availability comes with time, not with an event: look again when the newest ready pod counts.
    if (minReadySeconds > 0 && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0))
      this.queue.addAfter(key, minReadySeconds * 1000);
  }

  /** Creates or deletes pods; a create the API refuses (quota, limits) ends the batch and is returned. */
  private manageReplicas(rs: KubeObject, active: KubeObject[]): Error | undefined {
    const wanted = Number(rs.spec?.replicas ?? 1);
    const diff = active.length - wanted;
    if (diff < 0) {
      if (namespaceTerminating(this.store, rs.metadata.namespace)) return;
      const owner = controllerRef(rs, this.apiVersion, this.kind);
      for (let i = 0; i < Math.min(-diff, BURST); i++) {
        let pod: KubeObject;
        try {
          pod = createObject(
            this.store,
            'Pod',
            podFromTemplate(rs.spec?.template, rs.metadata.namespace, rs.metadata.name, owner),
          );
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          announce(this.store, rs, 'Warning', 'FailedCreate', `Error creating: ${error.message}`, this.name);
          return error;
        }
        announce(
          this.store,
          rs,
          'Normal',
          'SuccessfulCreate',
          `Created pod: ${pod.metadata.name}`,
          this.name,
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
          this.name,
        );
      }
    }
  }
}

/** replicaset.calculateStatus over the active pods, with ReplicaFailure while creates are refused. */
function replicaSetStatus(rs: KubeObject, active: KubeObject[], minReadySeconds: number, failure?: Error) {
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
  let conditions = ((rs.status?.conditions ?? []) as Condition[]).filter(
    (c) => c.type !== 'ReplicaFailure' || failure,
  );
  if (failure && !conditions.some((c) => c.type === 'ReplicaFailure'))
    conditions = [
      ...conditions,
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        reason: 'FailedCreate',
        message: failure.message,
      },
    ];
  if (conditions.length) status.conditions = conditions;
  return status as { replicas: number; readyReplicas?: number; availableReplicas?: number };
}

/**
 * The ReplicationController manager (pkg/controller/replication): the ReplicaSet controller on the
 * core v1 kind, whose selector is a plain label map.
 */
export class ReplicationControllerManager extends ReplicaSetController {
  protected override readonly name: string = 'replication-controller';
  protected override readonly kind: string = 'ReplicationController';
  protected override readonly apiVersion: string = 'v1';

  protected override selectorOf(owner: KubeObject): LabelSelector | undefined {
    const labels = owner.spec?.selector as Record<string, string> | undefined;
    // An empty map selects nothing here: validation refuses it, and adopting every pod would be worse.
    return labels && Object.keys(labels).length > 0 ? { matchLabels: labels } : undefined;
  }
}
