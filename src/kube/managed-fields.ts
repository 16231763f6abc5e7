import { ApiError, badRequest, type StatusCause } from './errors.js';
import { FieldSet, pathString } from './fieldpath.js';
import { own, setOwn } from './own.js';
import { compare, type FieldType, merge, prune, sameJson, toFieldSet } from './typed-value.js';

/**
 * metadata.managedFields as the API server keeps them (k8s.io/apimachinery/pkg/util/managedfields):
 * every create, update and patch records an `Update` entry for its field manager with the fields it
 * changed, taken from whoever owned them; server-side apply records an `Apply` entry with the fields
 * of the configuration, refuses (409) to change a field another manager owns unless forced, and, for
 * kubectl moving from client-side apply, honours and refreshes the last-applied annotation.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape.
type Json = any;

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Json;
  subresource?: string;
}

interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Field sets by manager identifier (manager, operation, apiVersion of updaters, subresource). */
export interface Managed {
  fields: Map<string, VersionedSet>;
  times: Map<string, string | undefined>;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const FIELD_MANAGER_MAX = 128;
const MAX_UPDATE_MANAGERS = 10;

/** Fields nobody owns: type and identity metadata (stripmeta.go). */
const STRIPPED = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation']
    .concat(['managedFields', 'resourceVersion'])
    .map((f) => ['f:metadata', `f:${f}`]),
);

/**
 * The empty object the API server compares a create with (`scope.Creater.New`): Go's zero value,
 * whose struct fields are there, empty, so a created object's spec is not itself "added".
 */
const POD_SPEC = { containers: null };
const TEMPLATE = { metadata: {}, spec: POD_SPEC };
const EMPTY: Record<string, Json> = {
  Pod: { spec: POD_SPEC, status: {} },
  Service: { spec: {}, status: { loadBalancer: {} } },
  Deployment: { spec: { selector: null, template: TEMPLATE, strategy: {} }, status: {} },
  ReplicaSet: { spec: { selector: null, template: TEMPLATE }, status: {} },
  Job: { spec: { template: TEMPLATE }, status: {} },
  CronJob: { spec: { jobTemplate: { metadata: {}, spec: { template: TEMPLATE } } }, status: {} },
  PersistentVolumeClaim: { spec: { resources: {} }, status: {} },
  PersistentVolume: { spec: {}, status: {} },
  Namespace: { spec: {}, status: {} },
  Node: { spec: {}, status: { daemonEndpoints: { kubeletEndpoint: {} }, nodeInfo: {} } },
  HorizontalPodAutoscaler: { spec: { scaleTargetRef: {} }, status: {} },
  Event: { involvedObject: {}, source: {} },
  Lease: { spec: {} },
};

export function emptyObject(kind: string): Json {
  return { metadata: {}, ...structuredClone(EMPTY[kind] ?? {}) };
}

/** The manager a request writes as: `?fieldManager=`, else its User-Agent up to the first `/`. */
export function fieldManagerOf(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]!) {
    if (!printable(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX) break;
    out += ch;
  }
  return out;
}

export const printable = (ch: string) => /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch);

function identifier(e: { manager: string; operation: string; apiVersion?: string; subresource?: string }) {
  const id: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation !== 'Apply' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

/** A request's `managedFields: []` or `[{}]`: start again with none. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  const [only] = entries;
  return entries.length === 1 && typeof only === 'object' && only !== null && Object.keys(only).length === 0;
}

/** managedFields as the API sends them, into sets; throws when they are not well formed. */
export function decodeManagedFields(entries: unknown): Managed {
  const managed = emptyManaged();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((entry, i) => {
    const operation = own(entry, 'operation');
    if (operation !== 'Apply' && operation !== 'Update')
      throw new Error('operation must be `Apply` or `Update`');
    const apiVersion = own(entry, 'apiVersion');
    if (typeof apiVersion !== 'string' || apiVersion === '') throw new Error('apiVersion must not be empty');
    const fieldsType = own(entry, 'fieldsType');
    if (fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType in managed fields entry ${i}`);
    const manager = own(entry, 'manager') ?? '';
    const subresource = own(entry, 'subresource') ?? '';
    if (typeof manager !== 'string' || typeof subresource !== 'string') throw new Error('not a string');
    const id = identifier({ manager, operation, apiVersion, subresource });
    managed.fields.set(id, {
      set: FieldSet.fromFieldsV1(own(entry, 'fieldsV1') ?? {}),
      apiVersion,
      applied: operation === 'Apply',
    });
    const time = own(entry, 'time');
    managed.times.set(id, typeof time === 'string' ? time : undefined);
  });
  return managed;
}

/** Sets back into entries, in the API server's order: Apply first, then by time, manager, version. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, versioned] of managed.fields) {
    const parsed = JSON.parse(id) as ManagedFieldsEntry;
    const entry: ManagedFieldsEntry = {
      manager: parsed.manager,
      operation: versioned.applied ? 'Apply' : parsed.operation,
      apiVersion: versioned.apiVersion,
    };
    const time = managed.times.get(id);
    if (time) entry.time = time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = versioned.set.toFieldsV1();
    if (parsed.subresource) entry.subresource = parsed.subresource;
    entries.push(entry);
  }
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

export interface WriteContext {
  /** The manager, as fieldManagerOf gives it. */
  manager: string;
  /** The request's group/version. */
  apiVersion: string;
  subresource?: string;
  /** The kind's type, from its schema. */
  type: FieldType;
  /** Fields this endpoint does not write (status on the main resource, spec on status). */
  ignored: FieldSet;
  /** Now, in API time. */
  time: string;
}

/**
 * Takes from every manager what the write changed or removed; drops those left with nothing. The
 * changed fields are returned.
 */
function takeOwnership(managed: Managed, live: Json, next: Json, ctx: WriteContext, except?: string) {
  const c = compare(live, next, ctx.type);
  const changed = c.modified.union(c.added).recursiveDifference(ctx.ignored);
  const removed = c.removed.recursiveDifference(ctx.ignored);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, versioned] of managed.fields) {
    if (id === except) continue;
    const taken = versioned.set.intersection(changed);
    if (!taken.empty) conflicts.set(id, taken);
  }
  return { changed, removed, conflicts };
}

function dropFromOthers(managed: Managed, sets: Map<string, FieldSet>, removed: FieldSet, except?: string) {
  for (const [id, versioned] of managed.fields) {
    if (id === except) continue;
    let set = versioned.set.difference(removed);
    const taken = sets.get(id);
    if (taken) set = set.difference(taken);
    if (set.empty) managed.fields.delete(id);
    else managed.fields.set(id, { ...versioned, set });
  }
  for (const id of managed.times.keys()) if (!managed.fields.has(id)) managed.times.delete(id);
}

/**
 * The managed fields after a create, update or patch that turns `live` into `next` (both in the
 * request's version; `live` is emptyObject(kind) for a create). An object that had none before
 * keeps none, as the API server's skipNonAppliedManager does.
 */
export function updateManaged(
  managed: Managed,
  live: Json,
  next: Json,
  ctx: WriteContext,
  create: boolean,
): Managed {
  if (managed.fields.size === 0 && !create) return managed;
  const { changed, removed, conflicts } = takeOwnership(managed, live, next, ctx);
  dropFromOthers(managed, conflicts, removed);
  const owned = changed.difference(STRIPPED);
  if (!owned.empty) {
    const id = identifier({ ...ctx, operation: 'Update' });
    const previous = managed.fields.get(id)?.set;
    managed.fields.set(id, {
      set: previous ? owned.union(previous) : owned,
      apiVersion: ctx.apiVersion,
      applied: false,
    });
    managed.times.set(id, ctx.time);
  }
  capUpdateManagers(managed, ctx);
  return managed;
}

/** More than ten update managers: the oldest are folded into one "ancient-changes" entry. */
function capUpdateManagers(managed: Managed, ctx: WriteContext): void {
  const updaters = () => [...managed.fields].filter(([, v]) => !v.applied).map(([id]) => id);
  while (updaters().length > MAX_UPDATE_MANAGERS) {
    const oldest = updaters().sort(
      (a, b) => Date.parse(managed.times.get(a) ?? '0') - Date.parse(managed.times.get(b) ?? '0'),
    )[0]!;
    const versioned = managed.fields.get(oldest)!;
    const id = identifier({
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: versioned.apiVersion,
      subresource: ctx.subresource,
    });
    if (id === oldest) break;
    const into = managed.fields.get(id);
    managed.fields.set(id, {
      set: into ? into.set.union(versioned.set) : versioned.set,
      apiVersion: versioned.apiVersion,
      applied: false,
    });
    managed.times.set(id, managed.times.get(oldest));
    managed.fields.delete(oldest);
    managed.times.delete(oldest);
  }
}

interface Conflict {
  manager: string;
  path: string[];
}

/** How a conflicting manager is named: `"kubectl-client-side-apply" using apps/v1`. */
function printManager(id: string): string {
  let entry: ManagedFieldsEntry;
  try {
    entry = JSON.parse(id);
  } catch {
    return JSON.stringify(id);
  }
  let out = JSON.stringify(entry.manager ?? '');
  if (entry.subresource) out += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') out += ` using ${entry.apiVersion ?? ''}`;
  return out;
}

/** The 409 an apply that would change other managers' fields gets (internal/conflict.go). */
export function conflictError(conflicts: Conflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const [c] = conflicts;
    message = `Apply failed with 1 conflict: conflict with ${printManager(c!.manager)}: ${pathString(c!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts)
      byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)]);
    const lines: string[] = [];
    for (const id of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(id)}:`);
      for (const path of byManager.get(id)!) lines.push(`- ${path}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/**
 * The fields of the last-applied configuration whose values the live object still has: a client-side
 * apply's fields that kubectl may take over without conflict (lastappliedmanager.go). Undefined when
 * there is no usable annotation.
 */
function allowedFromLastApplied(live: Json, ctx: WriteContext): FieldSet | undefined {
  const text = own(own(own(live, 'metadata'), 'annotations'), LAST_APPLIED);
  if (typeof text !== 'string' || text === '') return undefined;
  let last: Json;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof last !== 'object' || last === null || own(last, 'apiVersion') !== ctx.apiVersion)
    return undefined;
  const c = compare(last, live, ctx.type);
  return toFieldSet(last, ctx.type).difference(c.modified).difference(c.added).difference(c.removed);
}

/**
 * Server-side apply of `config` by ctx.manager to `live` (undefined: a create). Returns the merged
 * object, with its managed fields in `managed`; throws the 409 on conflicts unless `force`.
 */
export function applyManaged(
  managed: Managed,
  live: Json | undefined,
  config: Json,
  ctx: WriteContext,
  force: boolean,
): Json {
  if (own(own(config, 'metadata'), 'managedFields') !== undefined)
    throw badRequest('metadata.managedFields must be nil');
  if (own(config, 'apiVersion') !== ctx.apiVersion)
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${own(config, 'apiVersion')}, expected: ${ctx.apiVersion}`,
    );
  const base = live ?? { metadata: {} };
  const id = identifier({ manager: ctx.manager, operation: 'Apply', subresource: ctx.subresource });
  const attempt = (forced: boolean) => {
    const fields = new Map(managed.fields);
    const times = new Map(managed.times);
    const trial: Managed = { fields, times };
    const merged = merge(base, config, ctx.type);
    const applied = toFieldSet(config, ctx.type).recursiveDifference(ctx.ignored).difference(STRIPPED);
    const last = fields.get(id)?.set;
    fields.set(id, { set: applied, apiVersion: ctx.apiVersion, applied: true });
    if (last) {
      let owned = new FieldSet();
      for (const v of fields.values()) owned = owned.union(v.set);
      prune(merged, last, owned, ctx.type);
    }
    const { removed, conflicts } = takeOwnership(trial, base, merged, ctx, id);
    if (!forced && conflicts.size > 0) {
      const list: Conflict[] = [];
      for (const [manager, set] of conflicts) for (const path of set.paths()) list.push({ manager, path });
      return { conflicts: list };
    }
    dropFromOthers(trial, conflicts, removed, id);
    if (fields.get(id)!.set.empty) fields.delete(id);
    if (!live || !sameJson(base, merged)) times.set(id, ctx.time);
    return { merged, trial };
  };
  let result = attempt(force);
  if (result.conflicts && ctx.manager === 'kubectl' && live) {
    // Moving from client-side apply: fields the annotation agrees with are kubectl's to take.
    const allowed = allowedFromLastApplied(live, ctx);
    if (allowed) {
      const left = result.conflicts.filter((c) => !allowed.has(c.path));
      result = left.length === 0 ? attempt(true) : { conflicts: left };
    }
  }
  if (result.conflicts) throw conflictError(result.conflicts);
  managed.fields = result.trial!.fields;
  managed.times = result.trial!.times;
  const merged = result.merged;
  if (ctx.manager === 'kubectl') refreshLastApplied(merged, config);
  return merged;
}

/** kubectl's server-side apply keeps a client-side apply annotation in step (lastappliedupdater.go). */
function refreshLastApplied(object: Json, config: Json): void {
  const annotations = own(own(object, 'metadata'), 'annotations');
  const current = own(annotations, LAST_APPLIED);
  if (typeof current !== 'string' || current === '') return;
  const applied = structuredClone(config);
  const appliedAnnotations = own(own(applied, 'metadata'), 'annotations');
  if (appliedAnnotations && typeof appliedAnnotations === 'object') delete appliedAnnotations[LAST_APPLIED];
  setOwn(annotations, LAST_APPLIED, `${goJson(applied)}\n`);
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += k.length + String(v).length;
  if (size > 262144) delete annotations[LAST_APPLIED];
}

/** encoding/json of a map: keys sorted, and <, >, & escaped as Go escapes them in HTML-safe mode. */
function goJson(value: Json): string {
  const sorted = (v: Json): Json =>
    Array.isArray(v)
      ? v.map(sorted)
      : typeof v === 'object' && v !== null
        ? Object.keys(v)
            .sort()
            .reduce((o: Record<string, Json>, k) => {
              setOwn(o, k, sorted(own(v, k)));
              return o;
            }, {})
        : v;
  return JSON.stringify(sorted(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}
