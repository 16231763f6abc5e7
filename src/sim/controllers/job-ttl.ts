import type { StoreEvent } from '../store.js';
import { Controller } from './controller.js';
import { deleteInForeground } from './garbage-collector.js';
import { isFinished } from './job-util.js';
import { findCondition, keyOf, millis, splitKey } from './meta.js';

/**
 * The TTL-after-finished controller: a finished Job with ttlSecondsAfterFinished is deleted that many
 * seconds after it completed or failed, its pods with it (foreground, as the real one does).
 */
export class TtlAfterFinishedController extends Controller {
  protected readonly name = 'ttl-after-finished-controller';

  protected keysFor(event: StoreEvent): string[] {
    return event.kind === 'Job' &&
      event.type !== 'DELETED' &&
      event.object.spec?.ttlSecondsAfterFinished != null
      ? [keyOf(event.object)]
      : [];
  }

  protected allKeys(): string[] {
    return this.store
      .list('Job')
      .filter((job) => job.spec?.ttlSecondsAfterFinished != null)
      .map(keyOf);
  }

  protected reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const job = this.store.get('Job', namespace, name);
    const ttl = job?.spec?.ttlSecondsAfterFinished;
    if (!job || ttl === undefined || ttl === null || !isFinished(job) || job.metadata.deletionTimestamp)
      return;
    const finished = ['Complete', 'Failed']
      .map((type) => findCondition(job, type))
      .find((c) => c?.status === 'True');
    const expiresIn =
      millis(finished?.lastTransitionTime ?? job.status?.completionTime) + Number(ttl) * 1000 - Date.now();
    if (expiresIn > 0) {
      this.queue.addAfter(key, expiresIn);
      return;
    }
    deleteInForeground(this.store, 'Job', job);
  }
}
