import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../kube/objects.js';
import { now, type Store } from './store.js';

/**
 * Records a core/v1 Event about an object, as controllers and the kubelet do, so that
 * `kubectl describe` and `kubectl get events` tell the learner what happened. A repeat of the same
 * reason and message about the same object within ten minutes counts up the existing Event, as the
 * real event recorder aggregates them.
 */
export function recordEvent(
  store: Store,
  involved: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
): void {
  const namespace = involved.metadata.namespace ?? 'default';
  const at = now();
  const repeat = store
    .list('Event', namespace)
    .find(
      (e) =>
        (e.involvedObject as { uid?: string })?.uid === involved.metadata.uid &&
        e.reason === reason &&
        e.message === message &&
        Date.now() - Date.parse(String(e.lastTimestamp)) < 10 * 60_000,
    );
  if (repeat) {
    store.update('Event', { ...repeat, count: Number(repeat.count ?? 1) + 1, lastTimestamp: at });
    return;
  }
  store.create('Event', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      namespace: involved.metadata.namespace,
      uid: involved.metadata.uid,
      resourceVersion: (involved.metadata as { resourceVersion?: string }).resourceVersion,
    },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component },
    reportingComponent: component,
    reportingInstance: '',
  });
}
