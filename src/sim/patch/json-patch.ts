import { ApiError } from '../../kube/errors.js';
import { hasOwn, own, setOwn } from '../../kube/own.js';

/**
 * JSON Patch (RFC 6902), as `kubectl patch --type json` and `kubectl rollout undo` send it:
 * add, remove, replace, move, copy and test on JSON Pointers (RFC 6901).
 */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document of any shape.
type Json = any;

export interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

const fail = (message: string) => new ApiError(422, 'Invalid', message);

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw fail(`JSON pointer must begin with a slash: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[], op: string, path: string): { parent: Json; key: string } {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    const next = Array.isArray(node) ? node[Number(part)] : own(node, part);
    if (next === undefined || next === null || typeof next !== 'object')
      throw fail(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
    node = next;
  }
  return { parent: node, key: parts[parts.length - 1]! };
}

function get(doc: Json, path: string, op: string): Json {
  let node = doc;
  for (const part of pointer(path)) {
    node = Array.isArray(node) ? node[Number(part)] : own(node, part);
    if (node === undefined)
      throw fail(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return node;
}

function index(parent: Json[], key: string, op: string, path: string, allowEnd: boolean): number {
  if (key === '-' && allowEnd) return parent.length;
  const n = Number(key);
  if (!/^\d+$/.test(key) || n > parent.length || (!allowEnd && n >= parent.length))
    throw fail(`jsonpatch ${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return n;
}

function add(doc: Json, path: string, value: Json, op = 'add'): Json {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) parent.splice(index(parent, key, op, path, true), 0, structuredClone(value));
  else setOwn(parent, key, structuredClone(value));
  return doc;
}

function remove(doc: Json, path: string, op = 'remove'): Json {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts, op, path);
  if (Array.isArray(parent)) parent.splice(index(parent, key, op, path, false), 1);
  else {
    if (!hasOwn(parent, key))
      throw fail(`jsonpatch ${op} operation does not apply: doc is missing key: ${path}`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(document: Json, patch: unknown): Json {
  if (!Array.isArray(patch))
    throw new ApiError(
      400,
      'BadRequest',
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  let doc = structuredClone(document);
  for (const raw of patch as Operation[]) {
    const { op, path } = raw ?? ({} as Operation);
    if (typeof path !== 'string') throw fail(`jsonpatch ${op} operation has no path`);
    switch (op) {
      case 'add':
        doc = add(doc, path, raw.value);
        break;
      case 'remove':
        doc = remove(doc, path);
        break;
      case 'replace':
        get(doc, path, 'replace');
        doc = remove(doc, path, 'replace');
        doc = add(doc, path, raw.value, 'replace');
        break;
      case 'move': {
        const value = get(doc, raw.from ?? '', 'move');
        doc = remove(doc, raw.from ?? '', 'move');
        doc = add(doc, path, value, 'move');
        break;
      }
      case 'copy':
        doc = add(doc, path, get(doc, raw.from ?? '', 'copy'), 'copy');
        break;
      case 'test':
        if (JSON.stringify(get(doc, path, 'test')) !== JSON.stringify(raw.value))
          throw fail(`testing value ${path} failed: test failed`);
        break;
      default:
        throw fail(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}
