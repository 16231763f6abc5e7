import { randomInt, randomUUID } from 'node:crypto';
import { admitCreate } from '../../kube/admission/index.js';
import { ApiError } from '../../kube/errors.js';
import type { KubeObject, OwnerReference } from '../../kube/objects.js';
import { recordEvent } from '../events.js';
import { componentContext, recordWrite } from '../patch/managed.js';
import { now, type Store } from '../store.js';

/** The one node of the simulated cluster, as kind names its single node. */
export const NODE_NAME = 'churn-labs-control-plane';

/** The alphabet the API server draws generated name suffixes from (no vowels, no look-alikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return out;
}

export const keyOf = (object: KubeObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash) || undefined, name: key.slice(slash + 1) };
}

export interface OwnerRef extends OwnerReference {
  blockOwnerDeletion?: boolean;
}

export function controllerRefOf(object: KubeObject): OwnerRef | undefined {
  return (object.metadata.ownerReferences as OwnerRef[] | undefined)?.find((ref) => ref.controller === true);
}

export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  return controllerRefOf(object)?.uid === owner.metadata.uid;
}

/** metav1.NewControllerRef: what a controller stamps on what it creates. */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerRef {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Creates an object as a controller does, through the API's admission: defaults (a pod's, a Job's
 * selector keyed on its uid), the create strategy and validation, so what controllers make looks
 * like what the API server would have stored.
 */
export function createObject(
  store: Store,
  kind: string,
  object: KubeObject,
  manager = CONTROLLER_MANAGER,
): KubeObject {
  const stored = structuredClone(object);
  const uid = randomUUID();
  stored.metadata.uid = uid;
  track(kind, undefined, stored, manager);
  admitCreate(kind, stored, { store });
  return store.create(kind, stored, { uid });
}

/** The field manager the controllers write as, as on a real cluster. */
export const CONTROLLER_MANAGER = 'kube-controller-manager';

/** Records the write in managedFields, as the API server would for the component. */
export function track(
  kind: string,
  live: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  sub?: string,
) {
  const ctx = componentContext(kind, manager, sub);
  if (ctx) recordWrite(ctx, kind, live, next);
}

/**
 * Writes an object's spec and metadata; our read happened in this same tick, so no version check.
 * `manager` null: a write that goes round the field manager (a pod's binding).
 */
export function writeObject(
  store: Store,
  kind: string,
  object: KubeObject,
  manager: string | null = CONTROLLER_MANAGER,
): KubeObject {
  const next = withoutVersion(object);
  const live = store.get(kind, object.metadata.namespace, object.metadata.name);
  if (live && manager !== null) track(kind, live, next, manager);
  return store.update(kind, next);
}

/** Writes an object's status only (the status subresource). */
export function writeStatus(
  store: Store,
  kind: string,
  object: KubeObject,
  status: unknown,
  manager = CONTROLLER_MANAGER,
): KubeObject {
  const next = { ...withoutVersion(object), status };
  const live = store.get(kind, object.metadata.namespace, object.metadata.name);
  if (live) track(kind, live, next, manager, 'status');
  return store.update(kind, next, { status: true });
}

function withoutVersion(object: KubeObject): KubeObject {
  const metadata = { ...object.metadata } as KubeObject['metadata'] & { resourceVersion?: string };
  delete metadata.resourceVersion;
  return { ...object, metadata };
}

/** Deletes, treating "already gone" as done. */
export function deleteIfPresent(
  store: Store,
  kind: string,
  namespace: string | undefined,
  name: string,
  options: { graceful?: boolean } = {},
): boolean {
  try {
    store.delete(kind, namespace, name, options);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return false;
    throw error;
  }
}

/** The API refuses new objects in a namespace being deleted; controllers must not create there. */
export function namespaceTerminating(store: Store, namespace: string | undefined): boolean {
  if (!namespace) return false;
  const ns = store.get('Namespace', undefined, namespace);
  return (
    ns !== undefined && (ns.metadata.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating')
  );
}

/** Records an Event unless its namespace is going away (the API would refuse it). */
export function announce(
  store: Store,
  about: KubeObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  component: string,
): void {
  if (namespaceTerminating(store, about.metadata.namespace)) return;
  recordEvent(store, about, type, reason, message, component);
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string;
  [field: string]: unknown;
}

export function findCondition(object: KubeObject | { conditions?: Condition[] }, type: string) {
  const conditions = ('metadata' in object ? object.status?.conditions : object.conditions) as
    | Condition[]
    | undefined;
  return conditions?.find((c) => c.type === type);
}

/** Drops zero counts, as the API's `omitempty` does for status integers. */
export function omitZero<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined && v !== 0 && v !== null),
  ) as Partial<T>;
}

export const timestamp = now;

/** Seconds-precision API time to epoch milliseconds (0 when absent or unreadable). */
export function millis(time: unknown): number {
  if (typeof time !== 'string') return 0;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? 0 : parsed;
}

/** Deep equality of JSON values, whatever the key order. */
export const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}
