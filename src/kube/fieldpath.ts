import { own, setOwn } from './own.js';

/**
 * Sets of field paths, as sigs.k8s.io/structured-merge-diff keeps them for managedFields, in their
 * FieldsV1 wire form: `f:name` a field, `k:{"name":"api"}` a list item by its keys, `v:"x"` an item
 * of a set, `i:3` an item by index, and `.` the node itself when it also has children. Children
 * live in Maps, so a path element named `__proto__` is data like any other.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape.
type Json = any;

/** How deep a FieldsV1 document may nest before it is refused (json-iterator's limit). */
const MAX_DEPTH = 10_000;

export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  static of(...paths: string[][]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Decodes FieldsV1; throws on a document that is not one. */
  static fromFieldsV1(json: Json, depth = 0): FieldSet {
    if (depth > MAX_DEPTH) throw new Error('FieldsV1 nested too deeply');
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new Error('expected an object in FieldsV1');
    const set = new FieldSet();
    for (const key of Object.keys(json)) {
      const value = own(json, key);
      if (key === '.') {
        if (typeof value !== 'object' || value === null || Object.keys(value).length > 0)
          throw new Error('"." must map to an empty object');
        set.member = true;
        continue;
      }
      if (!/^[fkvi]:/.test(key)) throw new Error(`unknown prefix in path element ${JSON.stringify(key)}`);
      if (key[0] === 'k' || key[0] === 'v') JSON.parse(key.slice(2));
      if (key[0] === 'i' && !/^i:\d+$/.test(key)) throw new Error(`invalid index ${JSON.stringify(key)}`);
      const child = FieldSet.fromFieldsV1(value, depth + 1);
      if (child.children.size === 0) child.member = true;
      set.children.set(key, child);
    }
    return set;
  }

  toFieldsV1(): Json {
    const out: Json = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    for (const key of sortedKeys(this.children)) {
      const child = this.children.get(key)!;
      if (child.empty) continue;
      setOwn(out, key, child.children.size > 0 ? child.toFieldsV1() : {});
    }
    return out;
  }

  get empty(): boolean {
    if (this.member) return false;
    for (const child of this.children.values()) if (!child.empty) return false;
    return true;
  }

  child(element: string): FieldSet {
    let child = this.children.get(element);
    if (!child) {
      child = new FieldSet();
      this.children.set(element, child);
    }
    return child;
  }

  insert(path: string[]): void {
    let node: FieldSet = this;
    for (const element of path) node = node.child(element);
    node.member = true;
  }

  has(path: string[]): boolean {
    return this.at(path)?.member ?? false;
  }

  /** The node at `path` (members below it), if any. */
  at(path: string[]): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const element of path) node = node?.children.get(element);
    return node;
  }

  clone(): FieldSet {
    const copy = new FieldSet();
    copy.member = this.member;
    for (const [key, child] of this.children) copy.children.set(key, child.clone());
    return copy;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.member ||= other.member;
    for (const [key, child] of other.children) {
      const mine = out.children.get(key);
      out.children.set(key, mine ? mine.union(child) : child.clone());
    }
    return out;
  }

  /** Members of this set that are not members of `other` (member by member, as Set.Difference). */
  difference(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other?.member;
    for (const [key, child] of this.children) {
      const rest = child.difference(other?.children.get(key));
      if (!rest.empty) out.children.set(key, rest);
    }
    return out;
  }

  /** Members of this set not under any member of `other` (Set.RecursiveDifference). */
  recursiveDifference(other: FieldSet | undefined): FieldSet {
    if (other?.member) return new FieldSet();
    const out = new FieldSet();
    out.member = this.member;
    for (const [key, child] of this.children) {
      const rest = child.recursiveDifference(other?.children.get(key));
      if (!rest.empty) out.children.set(key, rest);
    }
    return out;
  }

  intersection(other: FieldSet | undefined): FieldSet {
    const out = new FieldSet();
    out.member = this.member && (other?.member ?? false);
    if (!other) return out;
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      if (!theirs) continue;
      const both = child.intersection(theirs);
      if (!both.empty) out.children.set(key, both);
    }
    return out;
  }

  /** Every member path, in the set's order. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member && prefix.length > 0) out.push(prefix);
    for (const key of sortedKeys(this.children)) out.push(...this.children.get(key)!.paths([...prefix, key]));
    return out;
  }
}

/** Path elements in structured-merge-diff's order: fields by name, then keys, values, indexes. */
function sortedKeys(children: Map<string, FieldSet>): string[] {
  const rank = (k: string) => 'fkvi'.indexOf(k[0]!);
  return [...children.keys()].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** A path as the API server prints it in a conflict: `.spec.template.spec.containers[name="api"].image`. */
export function pathString(path: string[]): string {
  return path
    .map((element) => {
      const rest = element.slice(2);
      switch (element[0]) {
        case 'f':
          return `.${rest}`;
        case 'k': {
          const keys = JSON.parse(rest) as Record<string, Json>;
          return `[${Object.keys(keys)
            .map((k) => `${k}=${goString(keys[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${goString(JSON.parse(rest))}]`;
        default:
          return `[${rest}]`;
      }
    })
    .join('');
}

/** value.ToString: strings quoted, numbers and booleans bare, null as null. */
function goString(value: Json): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export const fieldElement = (name: string) => `f:${name}`;
export const valueElement = (value: Json) => `v:${JSON.stringify(value)}`;

/** `k:{"containerPort":80,"protocol":"TCP"}`: the key fields sorted by name. */
export function keyElement(item: Json, keys: string[], defaults: Record<string, Json> = {}): string {
  const fields: Record<string, Json> = {};
  for (const k of [...keys].sort()) {
    const v = own(item, k) ?? own(defaults, k);
    if (v !== undefined) setOwn(fields, k, v);
  }
  return `k:${JSON.stringify(fields)}`;
}
