import { badRequest } from '../../kube/errors.js';
import { hasOwn, own, setOwn } from '../../kube/own.js';
import { fieldSchema, resolve, type Schema } from '../schema/schema.js';

/**
 * Strategic merge patch, as k8s.io/apimachinery/pkg/util/strategicpatch applies it on the server:
 * lists with a patch merge key (containers by name, ports by containerPort, ...) merge item by
 * item, primitive lists with the merge strategy are unions, the rest replace; with the directives
 * kubectl's three-way apply and `kubectl patch` send: `$patch: replace|delete|merge`,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys`.
 */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document of any shape.
type Json = any;
type JsonMap = Record<string, Json>;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ListMeta {
  merge: boolean;
  replace: boolean;
  key?: string;
  items?: Schema;
}

function listMeta(schema: Schema | undefined, field: string): ListMeta {
  const f = fieldSchema(schema, field);
  const strategies = (f?.['x-kubernetes-patch-strategy'] ?? '').split(',');
  return {
    merge: strategies.includes('merge'),
    replace: strategies.includes('replace'),
    key: f?.['x-kubernetes-patch-merge-key'],
    items: resolve(f)?.items ?? f?.items,
  };
}

export function applyStrategicMergePatch(original: Json, patch: Json, schema: Schema | undefined): Json {
  if (!isMap(patch))
    throw badRequest('unable to find api field in struct for the patch: the patch must be a JSON object');
  return mergeMap(isMap(original) ? structuredClone(original) : {}, structuredClone(patch), schema);
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: Schema | undefined): JsonMap {
  const directive = patch[DIRECTIVE];
  if (directive !== undefined) {
    delete patch[DIRECTIVE];
    if (directive === 'replace') return patch;
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw badRequest(`Unknown patch type: ${directive}`);
  }
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(retain)) throw badRequest('invalid patch format of retainKeys');
    for (const key of Object.keys(original)) if (!retain.includes(key)) delete original[key];
  }

  for (const orderKey of Object.keys(patch).filter((k) => k.startsWith(SET_ORDER))) {
    const field = orderKey.slice(SET_ORDER.length);
    const order = patch[orderKey];
    delete patch[orderKey];
    if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
    const meta = listMeta(schema, field);
    const current: Json[] = Array.isArray(own(original, field)) ? own(original, field) : [];
    const patchList: Json[] = Array.isArray(own(patch, field)) ? own(patch, field) : [];
    const merged = mergeList(current, patchList, meta);
    setOwn(original, field, normalizeOrder(merged, order, current, meta.key));
    delete patch[field];
  }

  for (const [rawKey, value] of Object.entries(patch)) {
    if (rawKey.startsWith(DELETE_PRIMITIVE)) {
      if (!Array.isArray(value)) throw badRequest('invalid patch format of primitive list');
      const field = rawKey.slice(DELETE_PRIMITIVE.length);
      const list = own(original, field);
      if (Array.isArray(list) && Array.isArray(value))
        setOwn(
          original,
          field,
          list.filter((v: Json) => !value.some((d) => JSON.stringify(d) === JSON.stringify(v))),
        );
      continue;
    }
    const key = rawKey;
    if (value === null) {
      delete original[key];
      continue;
    }
    if (!hasOwn(original, key)) {
      setOwn(original, key, stripDirectives(value));
      continue;
    }
    const current = own(original, key);
    if (isMap(current) && isMap(value)) {
      const meta = listMeta(schema, key);
      setOwn(
        original,
        key,
        meta.replace ? stripDirectives(value) : mergeMap(current, value, fieldSchema(schema, key)),
      );
    } else if (Array.isArray(current) && Array.isArray(value)) {
      const meta = listMeta(schema, key);
      setOwn(
        original,
        key,
        meta.merge
          ? normalizeOrder(mergeList(current, value, meta), value, current, meta.key)
          : stripDirectives(value),
      );
    } else {
      setOwn(original, key, stripDirectives(value));
    }
  }
  return original;
}

const keyOf = (item: Json, key: string | undefined) =>
  key && isMap(item) ? JSON.stringify(own(item, key)) : JSON.stringify(item);

function mergeList(original: Json[], patch: Json[], meta: ListMeta): Json[] {
  const items = meta.items;
  const objects = [...original, ...patch].some((v) => isMap(v));
  if (!objects) {
    const seen = new Set<string>();
    return [...original, ...patch].filter((v) => {
      const k = JSON.stringify(v);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  if (!meta.key) return patch.map(stripDirectives);
  if (patch.some((p) => isMap(p) && p[DIRECTIVE] === 'replace')) {
    return patch.filter((p) => !(isMap(p) && p[DIRECTIVE] === 'replace')).map(stripDirectives);
  }
  let result = original.map((o) => structuredClone(o));
  for (const p of patch) {
    if (!isMap(p)) continue;
    const k = keyOf(p, meta.key);
    if (p[DIRECTIVE] === 'delete') {
      result = result.filter((o) => keyOf(o, meta.key) !== k);
      continue;
    }
    const at = result.findIndex((o) => keyOf(o, meta.key) === k);
    if (at >= 0) result[at] = mergeMap(result[at], structuredClone(p), items);
    else result.push(mergeMap({}, structuredClone(p), items));
  }
  return result;
}

/**
 * Items the patch names come in the patch's order; items only the server has keep their place
 * relative to them (strategicpatch's normalizeElementOrder and mergeSortedSlice).
 */
function normalizeOrder(
  merged: Json[],
  patchOrder: Json[],
  serverOrder: Json[],
  key: string | undefined,
): Json[] {
  const indexIn = (list: Json[], item: Json) => list.findIndex((x) => keyOf(x, key) === keyOf(item, key));
  const inPatch = merged
    .filter((m) => indexIn(patchOrder, m) >= 0)
    .sort((a, b) => indexIn(patchOrder, a) - indexIn(patchOrder, b));
  const serverOnly = merged
    .filter((m) => indexIn(patchOrder, m) < 0)
    .sort((a, b) => indexIn(serverOrder, a) - indexIn(serverOrder, b));
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < inPatch.length) {
    if (i >= serverOnly.length) out.push(inPatch[j++]);
    else if (j >= inPatch.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(serverOrder, serverOnly[i]);
      const ri = indexIn(serverOrder, inPatch[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(inPatch[j++]);
    }
  }
  return out;
}

/** A value taken whole from the patch carries no directives into the object. */
function stripDirectives(value: Json): Json {
  if (Array.isArray(value))
    return value.filter((v) => !(isMap(v) && v[DIRECTIVE] === 'delete')).map(stripDirectives);
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE))
      continue;
    if (v === null) continue;
    setOwn(out, k, stripDirectives(v));
  }
  return out;
}
