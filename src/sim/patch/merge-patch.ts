import { own, setOwn } from '../../kube/own.js';

/**
 * JSON Merge Patch (RFC 7386): objects merge, `null` removes, everything else (lists included)
 * replaces. `kubectl patch --type merge` and `kubectl scale` (on the scale subresource) send it.
 */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document of any shape.
type Json = any;

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, applyMergePatch(own(result, key), value));
  }
  return result;
}
