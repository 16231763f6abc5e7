import { decodingDefaults } from '../../kube/admission/index.js';
import { FieldSet } from '../../kube/fieldpath.js';
import {
  decodeManagedFields,
  emptyManaged,
  emptyObject,
  encodeManagedFields,
  fieldManagerOf,
  isResetManagedFields,
  type Managed,
  updateManaged,
  type WriteContext,
} from '../../kube/managed-fields.js';
import type { KubeObject } from '../../kube/objects.js';
import { apiVersionOf, type Resource, resourceOfKind } from '../../kube/resources.js';
import { now } from '../store.js';
import { fieldTypeOf } from './field-types.js';

/**
 * The field manager of the API server's write path (FieldManager.UpdateNoErrors): every create,
 * update and patch leaves metadata.managedFields saying who set what. Objects are in the stored
 * version; the entries name the version the request spoke.
 */
type Meta = KubeObject['metadata'] & { managedFields?: unknown };

const IGNORED = {
  main: FieldSet.of(['f:status']),
  status: FieldSet.of(['f:spec']),
  scale: FieldSet.of(),
};

/** A request's: its `?fieldManager=` or its User-Agent's name, the version it spoke. */
export function writeContext(
  resource: Resource,
  fieldManager: string | undefined,
  userAgent: string | undefined,
  subresource?: string,
): WriteContext {
  return {
    manager: fieldManagerOf(fieldManager, userAgent),
    apiVersion: apiVersionOf(resource),
    subresource,
    type: fieldTypeOf(resource.definition),
    ignored: IGNORED[(subresource as 'status' | 'scale') ?? 'main'] ?? IGNORED.main,
    time: now(),
  };
}

/** A control-plane component's write (kube-controller-manager, kube-scheduler, kubelet). */
export function componentContext(
  kind: string,
  manager: string,
  subresource?: string,
): WriteContext | undefined {
  const resource = resourceOfKind(kind);
  return resource ? writeContext(resource, manager, undefined, subresource) : undefined;
}

/** Decodes what is stored, or nothing when it is not readable. */
export function storedManaged(object: KubeObject | undefined): Managed {
  try {
    return decodeManagedFields((object?.metadata as Meta | undefined)?.managedFields);
  } catch {
    return emptyManaged();
  }
}

/** decodeLiveOrNew: the request's own managedFields when it sets valid ones, else the live object's. */
function requestManaged(requested: unknown, live: KubeObject | undefined, subresource?: string): Managed {
  if (subresource) return storedManaged(live);
  if (isResetManagedFields(requested)) return emptyManaged();
  try {
    const managed = decodeManagedFields(requested);
    if (managed.fields.size > 0) return managed;
  } catch {
    // Not readable: keep what the object had, as the API server does.
  }
  return storedManaged(live);
}

const withoutManaged = (object: KubeObject): KubeObject => {
  const copy = structuredClone(object);
  delete (copy.metadata as Meta).managedFields;
  return copy;
};

/**
 * Sets `next.metadata.managedFields` for a write of `next` over `live` (undefined: a create). `next`
 * is the object as the request left it (its defaults are added here, as decoding adds them, before
 * admission plugins); with a subresource, only what that subresource writes counts.
 */
export function recordWrite(
  ctx: WriteContext,
  kind: string,
  live: KubeObject | undefined,
  next: KubeObject,
): void {
  const meta = next.metadata as Meta;
  const managed = requestManaged(meta.managedFields, live, ctx.subresource);
  if (ctx.subresource) {
    // A subresource writes only its part: compare what the store will keep.
    next = ctx.subresource === 'status' ? { ...structuredClone(live!), status: next.status } : next;
  }
  try {
    const after = withoutManaged(next);
    if (ctx.subresource !== 'status' && live) after.status = structuredClone(live.status);
    decodingDefaults(kind, after);
    const before = live ? withoutManaged(live) : emptyObject(kind);
    const result = updateManaged(managed, before, after, ctx, live === undefined);
    const encoded = encodeManagedFields(result);
    if (encoded) meta.managedFields = encoded;
    else delete meta.managedFields;
  } catch {
    // A write is never refused for its bookkeeping: the object keeps what it had.
    const previous = (live?.metadata as Meta | undefined)?.managedFields;
    if (previous) meta.managedFields = previous;
    else delete meta.managedFields;
  }
}
