import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { Controller } from './controller.js';
import { type Condition, deleteIfPresent, same, timestamp, writeObject, writeStatus } from './meta.js';
import { deletePod } from './pods.js';

/**
 * The namespace controller: a namespace being deleted is Terminating while everything in it is
 * deleted (pods gracefully, so the kubelet stops them); once it is empty its `kubernetes` finalizer
 * comes off and the namespace goes. The conditions are the ones `kubectl describe namespace` shows.
 */
export class NamespaceController extends Controller {
  protected readonly name = 'namespace-controller';

  protected keysFor(event: StoreEvent): string[] {
    if (event.kind === 'Namespace')
      return event.type !== 'DELETED' && event.object.metadata.deletionTimestamp
        ? [event.object.metadata.name]
        : [];
    // Something in a namespace went: if the namespace is emptying, it may be done.
    return event.type === 'DELETED' && event.object.metadata.namespace
      ? [event.object.metadata.namespace]
      : [];
  }

  protected allKeys(): string[] {
    return this.store
      .list('Namespace')
      .filter((ns) => ns.metadata.deletionTimestamp)
      .map((ns) => ns.metadata.name);
  }

  protected reconcile(name: string): void {
    const ns = this.store.get('Namespace', undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    const remaining = new Map<string, number>();
    const withFinalizers = new Map<string, number>();
    for (const kind of this.store.kinds()) {
      if (kind === 'Namespace') continue;
      for (const object of this.store.list(kind, name)) {
        remaining.set(kind, (remaining.get(kind) ?? 0) + 1);
        const finalizers = (object.metadata as { finalizers?: string[] }).finalizers ?? [];
        for (const f of finalizers) withFinalizers.set(f, (withFinalizers.get(f) ?? 0) + 1);
        if (object.metadata.deletionTimestamp) continue;
        if (kind === 'Pod') deletePod(this.store, object);
        else deleteIfPresent(this.store, kind, name, object.metadata.name);
      }
    }
    this.updateStatus(ns, remaining, withFinalizers);
    if (remaining.size > 0) return;
    const finalizers: string[] = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
    const current = this.store.get('Namespace', undefined, name)!;
    if ((current.spec?.finalizers ?? []).length !== finalizers.length) {
      current.spec = { ...(current.spec ?? {}), finalizers };
      writeObject(this.store, 'Namespace', current);
    }
    const metaFinalizers = (current.metadata as { finalizers?: string[] }).finalizers ?? [];
    if (finalizers.length === 0 && metaFinalizers.length === 0)
      this.store.remove('Namespace', undefined, name);
  }

  private updateStatus(
    ns: KubeObject,
    remaining: Map<string, number>,
    withFinalizers: Map<string, number>,
  ): void {
    const resources = [...remaining.entries()].map(
      ([kind, n]) => `${resourceName(kind)} has ${n} resource instances`,
    );
    const finalizers = [...withFinalizers.entries()].map(([f, n]) => `${f} in ${n} resource instances`);
    const wanted: Condition[] = [
      cond(
        'NamespaceDeletionDiscoveryFailure',
        'False',
        'ResourcesDiscovered',
        'All resources successfully discovered',
      ),
      cond(
        'NamespaceDeletionGroupVersionParsingFailure',
        'False',
        'ParsedGroupVersions',
        'All legacy kube types successfully parsed',
      ),
      cond(
        'NamespaceDeletionContentFailure',
        'False',
        'ContentDeleted',
        'All content successfully deleted, may be waiting on finalization',
      ),
      resources.length > 0
        ? cond(
            'NamespaceContentRemaining',
            'True',
            'SomeResourcesRemain',
            `Some resources are remaining: ${resources.join(', ')}`,
          )
        : cond('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'),
      finalizers.length > 0
        ? cond(
            'NamespaceFinalizersRemaining',
            'True',
            'SomeFinalizersRemain',
            `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`,
          )
        : cond(
            'NamespaceFinalizersRemaining',
            'False',
            'ContentHasNoFinalizers',
            'All content-preserving finalizers finished',
          ),
    ];
    const previous = (ns.status?.conditions ?? []) as Condition[];
    const conditions = wanted.map((c) => {
      const before = previous.find((p) => p.type === c.type);
      return before && before.status === c.status
        ? { ...c, lastTransitionTime: before.lastTransitionTime }
        : c;
    });
    const status = { ...(ns.status ?? {}), phase: 'Terminating', conditions };
    if (!same(status, ns.status)) writeStatus(this.store, 'Namespace', ns, status);
  }
}

function cond(type: string, status: string, reason: string, message: string): Condition {
  return { type, status, lastTransitionTime: timestamp(), reason, message };
}

/** `pods.`, `deployments.apps`: how the namespace controller names what remains. */
function resourceName(kind: string): string {
  const groups: Record<string, string> = {
    Deployment: 'apps',
    ReplicaSet: 'apps',
    Job: 'batch',
    CronJob: 'batch',
    HorizontalPodAutoscaler: 'autoscaling',
    EndpointSlice: 'discovery.k8s.io',
  };
  const plural = kind === 'Endpoints' ? 'endpoints' : `${kind.toLowerCase()}s`;
  return `${plural}.${groups[kind] ?? ''}`;
}
