import { FieldSet, fieldElement, keyElement, valueElement } from './fieldpath.js';
import { hasOwn, own, setOwn } from './own.js';

/**
 * The walks structured-merge-diff does over an object and its schema: the field set of an applied
 * configuration, the comparison of two versions of an object (added, modified, removed), the merge
 * of a configuration into an object, and the removal of fields. The schema reaches them as a
 * FieldType, so that this file knows nothing of where schemas come from.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape.
type Json = any;

export interface FieldType {
  /**
   * scalar: a leaf; atomic: a map, struct or list replaced and owned whole; struct: named fields;
   * map: any keys, each owned apart (labels); associative: a list of items by their keys; set: a
   * list of distinct scalars.
   */
  kind: 'scalar' | 'atomic' | 'struct' | 'map' | 'associative' | 'set';
  /** A struct's declared field (undefined when unknown), or a map's value type. */
  field(name: string): FieldType | undefined;
  /** The items' type of a list. */
  items(): FieldType;
  /** An associative list's key fields, and the defaults of those that have one. */
  keys: string[];
  keyDefaults?: Record<string, Json>;
}

export const ATOMIC: FieldType = { kind: 'atomic', field: () => undefined, items: () => ATOMIC, keys: [] };

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v) =>
    isObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, own(v, k)]),
        )
      : v,
  );

export const sameJson = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** The list items of a value by their path element; the first of duplicates wins. */
function itemsByElement(list: Json, t: FieldType): Map<string, Json> {
  const out = new Map<string, Json>();
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const element = t.kind === 'set' ? valueElement(item) : keyElement(item, t.keys, t.keyDefaults);
    if (!out.has(element)) out.set(element, item);
  }
  return out;
}

const granular = (t: FieldType) => t.kind === 'struct' || t.kind === 'map';
const listy = (t: FieldType) => t.kind === 'associative' || t.kind === 'set';

/** Whether a value is walked as one leaf: scalars, atomics, and maps or lists empty on both sides. */
function isLeaf(t: FieldType, a: Json, b: Json): boolean {
  if (granular(t)) {
    const ok = (v: Json) => v === undefined || v === null || isObject(v);
    return (
      !(ok(a) && ok(b)) || !((isObject(a) && Object.keys(a).length) || (isObject(b) && Object.keys(b).length))
    );
  }
  if (listy(t)) {
    const ok = (v: Json) => v === undefined || v === null || Array.isArray(v);
    return !(ok(a) && ok(b)) || !((Array.isArray(a) && a.length) || (Array.isArray(b) && b.length));
  }
  return true;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** TypedValue.Compare: what changed from `lhs` to `rhs` (undefined: absent). */
export function compare(lhs: Json, rhs: Json, t: FieldType): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare([], lhs, rhs, t, c);
  return c;
}

function walkCompare(path: string[], l: Json, r: Json, t: FieldType, c: Comparison): void {
  if (isLeaf(t, l, r)) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!sameJson(l, r)) c.modified.insert(path);
    return;
  }
  if (granular(t)) {
    const keys = new Set([...Object.keys(isObject(l) ? l : {}), ...Object.keys(isObject(r) ? r : {})]);
    for (const key of keys)
      walkCompare([...path, fieldElement(key)], own(l, key), own(r, key), t.field(key) ?? ATOMIC, c);
  } else {
    const left = itemsByElement(l, t);
    const right = itemsByElement(r, t);
    const items = t.kind === 'set' ? ATOMIC : t.items();
    for (const element of new Set([...left.keys(), ...right.keys()]))
      walkCompare([...path, element], left.get(element), right.get(element), items, c);
  }
  if (path.length === 0) return;
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

/** TypedValue.ToFieldSet: the fields an applied configuration sets. */
export function toFieldSet(value: Json, t: FieldType): FieldSet {
  const set = new FieldSet();
  walkSet([], value, t, set);
  return set;
}

function walkSet(path: string[], v: Json, t: FieldType, set: FieldSet): void {
  if (granular(t) && isObject(v)) {
    for (const key of Object.keys(v)) {
      const value = own(v, key);
      const declared = t.kind === 'struct' ? t.field(key) : undefined;
      const child = [...path, fieldElement(key)];
      walkSet(child, value, t.field(key) ?? ATOMIC, set);
      if (!declared || value === null || (isObject(value) && Object.keys(value).length === 0))
        set.insert(child);
    }
    return;
  }
  if (listy(t) && Array.isArray(v)) {
    const items = t.kind === 'set' ? ATOMIC : t.items();
    for (const [element, item] of itemsByElement(v, t)) {
      if (t.kind === 'associative') walkSet([...path, element], item, items, set);
      set.insert([...path, element]);
    }
    return;
  }
  // Scalars and atomics are leaves; a null map or list is inserted by its parent.
  if (path.length > 0 && !granular(t) && !listy(t)) set.insert(path);
}

/** TypedValue.Merge: `config` over `live`, maps by key, associative lists by item keys, sets as unions. */
export function merge(live: Json, config: Json, t: FieldType): Json {
  if (granular(t) && isObject(config)) {
    const out: Record<string, Json> = isObject(live) ? structuredClone(live) : {};
    for (const key of Object.keys(config)) {
      const value = own(config, key);
      if (value === null) {
        delete out[key];
        continue;
      }
      setOwn(out, key, merge(own(out, key), value, t.field(key) ?? ATOMIC));
    }
    return out;
  }
  if (t.kind === 'associative' && Array.isArray(config) && Array.isArray(live)) {
    const out: Json[] = structuredClone(live);
    const elementOf = (item: Json) => keyElement(item, t.keys, t.keyDefaults);
    for (const item of config) {
      const at = out.findIndex((o) => elementOf(o) === elementOf(item));
      if (at >= 0) out[at] = merge(out[at], item, t.items());
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (t.kind === 'set' && Array.isArray(config) && Array.isArray(live)) {
    const seen = new Set(live.map(canonical));
    return [...structuredClone(live), ...config.filter((v) => !seen.has(canonical(v)))];
  }
  return structuredClone(config);
}

/**
 * Removes from `value` (in place) each member of `remove` that `keep` neither holds nor holds
 * anything under: what an applier stopped applying and nobody else owns.
 */
export function prune(value: Json, remove: FieldSet, keep: FieldSet | undefined, t: FieldType): Json {
  if (granular(t) && isObject(value)) {
    for (const [element, node] of remove.children) {
      if (!element.startsWith('f:')) continue;
      const key = element.slice(2);
      if (!hasOwn(value, key)) continue;
      const kept = keep?.children.get(element);
      if (node.member && !kept?.member && (!kept || kept.empty)) delete value[key];
      else setOwn(value, key, prune(own(value, key), node, kept, t.field(key) ?? ATOMIC));
    }
    return value;
  }
  if (listy(t) && Array.isArray(value)) {
    const items = t.kind === 'set' ? ATOMIC : t.items();
    return value
      .filter((item) => {
        const element = t.kind === 'set' ? valueElement(item) : keyElement(item, t.keys, t.keyDefaults);
        const node = remove.children.get(element);
        const kept = keep?.children.get(element);
        return !(node?.member && !kept?.member && (!kept || kept.empty));
      })
      .map((item) => {
        const element = t.kind === 'set' ? valueElement(item) : keyElement(item, t.keys, t.keyDefaults);
        const node = remove.children.get(element);
        return node ? prune(item, node, keep?.children.get(element), items) : item;
      });
  }
  return value;
}
