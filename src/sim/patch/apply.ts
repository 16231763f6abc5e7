import { hasOwn, own, setOwn } from '../../kube/own.js';
import { fieldSchema, resolve, type Schema } from '../schema/schema.js';
import { now } from '../store.js';

/**
 * Server-side apply (`application/apply-patch+yaml`), simplified honestly: the applied
 * configuration merges into the live object (maps by key, `x-kubernetes-list-type: map` lists by
 * their keys, sets as unions, atomic lists replaced), the fields a manager applied are recorded in
 * metadata.managedFields (FieldsV1), and a field the manager applied before and leaves out now is
 * removed. Conflicts between managers are not detected: every apply behaves as if forced.
 */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document of any shape.
type Json = any;
type JsonMap = Record<string, Json>;
interface FieldSet {
  [entry: string]: FieldSet;
}

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Key fields that have a default, so that an item without them still matches the live one. */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

interface ListInfo {
  type: 'map' | 'set' | 'atomic';
  keys: string[];
  items?: Schema;
}

function listInfo(schema: Schema | undefined, field: string): ListInfo {
  const f = fieldSchema(schema, field);
  const type = f?.['x-kubernetes-list-type'];
  const keys = f?.['x-kubernetes-list-map-keys'] ?? [];
  return {
    type: type === 'map' && keys.length ? 'map' : type === 'set' ? 'set' : 'atomic',
    keys,
    items: resolve(f)?.items ?? f?.items,
  };
}

const itemKey = (item: JsonMap, keys: string[]) =>
  JSON.stringify(Object.fromEntries(keys.map((k) => [k, item?.[k] ?? KEY_DEFAULTS[k]])));

/** The FieldsV1 set of a configuration (what managedFields records for its manager). */
export function fieldsOf(config: JsonMap, schema: Schema | undefined, top = true): FieldSet {
  const set: FieldSet = {};
  for (const [key, value] of Object.entries(config)) {
    if (top && (key === 'apiVersion' || key === 'kind' || key === 'status')) continue;
    if (value === null || value === undefined) continue;
    if (top && key === 'metadata' && isMap(value)) {
      const meta: FieldSet = {};
      for (const field of ['labels', 'annotations']) {
        if (isMap(value[field]))
          meta[`f:${field}`] = Object.fromEntries(Object.keys(value[field]).map((k) => [`f:${k}`, {}]));
      }
      if (Object.keys(meta).length) set['f:metadata'] = meta;
      continue;
    }
    const child = fieldSchema(schema, key);
    if (isMap(value)) set[`f:${key}`] = fieldsOf(value, child, false);
    else if (Array.isArray(value)) {
      const info = listInfo(schema, key);
      if (info.type === 'map') {
        const items: FieldSet = {};
        for (const item of value)
          if (isMap(item))
            items[`k:${itemKey(item, info.keys)}`] = { '.': {}, ...fieldsOf(item, info.items, false) };
        set[`f:${key}`] = items;
      } else if (info.type === 'set') {
        set[`f:${key}`] = Object.fromEntries(value.map((v) => [`v:${JSON.stringify(v)}`, {}]));
      } else set[`f:${key}`] = {};
    } else set[`f:${key}`] = {};
  }
  return set;
}

/** Removes from `live` the fields in `before` that are not in `after`. */
function removeDropped(live: JsonMap, before: FieldSet, after: FieldSet, schema: Schema | undefined): void {
  for (const [entry, children] of Object.entries(before)) {
    if (entry === '.' || !entry.startsWith('f:')) continue;
    const field = entry.slice(2);
    // Field sets and objects come from requests: own properties only, never a prototype's.
    const kept = own(after, entry);
    if (!kept) {
      if (hasOwn(live, field)) delete live[field];
      continue;
    }
    if (!hasOwn(live, field)) continue;
    const value = live[field];
    if (isMap(value)) removeDropped(value, children, kept, fieldSchema(schema, field));
    else if (Array.isArray(value)) {
      const info = listInfo(schema, field);
      if (info.type === 'map') {
        setOwn(
          live,
          field,
          value.filter((item) => {
            const k = `k:${itemKey(item, info.keys)}`;
            const before = own(children, k);
            const still = own(kept, k);
            if (before && !still) return false;
            if (before && still && isMap(item)) removeDropped(item, before, still, info.items);
            return true;
          }),
        );
      } else if (info.type === 'set') {
        live[field] = value.filter(
          (v) => !(own(children, `v:${JSON.stringify(v)}`) && !own(kept, `v:${JSON.stringify(v)}`)),
        );
      }
    }
  }
}

function merge(live: Json, config: Json, schema: Schema | undefined): Json {
  if (!isMap(config)) return structuredClone(config);
  const out: JsonMap = isMap(live) ? live : {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null) {
      delete out[key];
      continue;
    }
    const current = own(out, key);
    if (Array.isArray(value) && Array.isArray(current)) {
      const info = listInfo(schema, key);
      if (info.type === 'map') {
        const result: JsonMap[] = current;
        for (const item of value) {
          const k = itemKey(item, info.keys);
          const at = result.findIndex((r) => itemKey(r, info.keys) === k);
          if (at >= 0) result[at] = merge(result[at], item, info.items);
          else result.push(structuredClone(item));
        }
        setOwn(out, key, result);
      } else if (info.type === 'set') {
        setOwn(out, key, [
          ...current,
          ...value.filter((v) => !current.some((x: Json) => JSON.stringify(x) === JSON.stringify(v))),
        ]);
      } else setOwn(out, key, structuredClone(value));
    } else if (isMap(value) && isMap(current)) {
      setOwn(out, key, merge(current, value, fieldSchema(schema, key)));
    } else setOwn(out, key, structuredClone(value));
  }
  return out;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: FieldSet;
  subresource?: string;
}

/**
 * The object after `manager` applies `config` to `live` (absent: a create), with its managedFields.
 * `schema` is the kind's definition.
 */
export function serverSideApply(
  live: JsonMap | undefined,
  config: JsonMap,
  schema: Schema | undefined,
  manager: string,
): JsonMap {
  const object: JsonMap = live ? structuredClone(live) : {};
  const managed: ManagedFieldsEntry[] = [...(object.metadata?.managedFields ?? [])];
  const previous = managed.find((m) => m.manager === manager && m.operation === 'Apply' && !m.subresource);
  const applied = fieldsOf(config, schema);
  if (previous?.fieldsV1) removeDropped(object, previous.fieldsV1, applied, schema);
  const { metadata: configMeta, ...rest } = config;
  const result = merge(object, rest, schema);
  result.metadata ??= {};
  for (const field of ['labels', 'annotations']) {
    if (!isMap(configMeta?.[field])) continue;
    result.metadata[field] = { ...(result.metadata[field] ?? {}), ...configMeta[field] };
    for (const [k, v] of Object.entries(configMeta[field])) if (v === null) delete result.metadata[field][k];
  }
  for (const field of ['name', 'namespace', 'generateName', 'finalizers', 'ownerReferences']) {
    if (configMeta?.[field] !== undefined && result.metadata[field] === undefined)
      result.metadata[field] = configMeta[field];
  }
  result.metadata.managedFields = [
    ...managed.filter((m) => m !== previous),
    {
      manager,
      operation: 'Apply',
      apiVersion: config.apiVersion,
      time: now(),
      fieldsType: 'FieldsV1',
      fieldsV1: applied,
    },
  ];
  return result;
}
