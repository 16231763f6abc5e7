import { hasOwn, setOwn } from '../../kube/own.js';
import { quotaUsed, type ResourceList, sameUsage } from '../../kube/quota.js';
import type { StoreEvent } from '../store.js';
import { Controller } from './controller.js';
import { writeStatus } from './meta.js';

/**
 * The resource quota controller (pkg/controller/resourcequota): status.hard follows spec.hard, and
 * status.used is counted again whenever something in the namespace changes (a pod created, finished
 * or deleted, a claim resized), so `kubectl describe quota` shows what is used now. Admission reads
 * status.hard; it counts the usage itself, so the two never disagree within a write.
 */
export class ResourceQuotaController extends Controller {
  protected readonly name = 'resourcequota-controller';

  protected keysFor(event: StoreEvent): string[] {
    const namespace = event.object.metadata.namespace;
    // Events and leases come and go all the time and no quota here counts them.
    if (!namespace || event.kind === 'Event' || event.kind === 'Lease') return [];
    return [namespace];
  }

  protected allKeys(): string[] {
    return [...new Set(this.store.list('ResourceQuota').map((q) => q.metadata.namespace ?? ''))];
  }

  protected reconcile(namespace: string): void {
    const quotas = this.store.list('ResourceQuota', namespace);
    if (quotas.length === 0) return;
    for (const quota of quotas) {
      if (quota.metadata.deletionTimestamp) continue;
      const hard = { ...((quota.spec?.hard ?? {}) as ResourceList) };
      const used = quotaUsed(quota, (kind) => this.store.list(kind, namespace));
      for (const name of Object.keys(hard)) if (!hasOwn(used, name)) setOwn(used, name, '0');
      const status = quota.status ?? {};
      if (sameUsage(status.hard ?? {}, hard) && sameUsage(status.used ?? {}, used)) continue;
      writeStatus(this.store, 'ResourceQuota', quota, { hard, used });
    }
  }
}
