import { own } from './own.js';
import { parseQuantity } from './quantity.js';

/**
 * apimachinery's `equality.Semantic.DeepEqual` over JSON: the API server compares decoded Go
 * structs, so the order of keys means nothing, a missing field equals an empty list, an empty map
 * or null (nil and empty slices and maps are equal there), and quantities in resource lists are
 * compared by value (`1` and `1000m` are the same CPU).
 */
const RESOURCE_LISTS = new Set(['limits', 'requests', 'overhead', 'capacity', 'allocatable', 'hard']);

export function semanticEqual(a: unknown, b: unknown, parentKey = ''): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => semanticEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const quantities = RESOURCE_LISTS.has(parentKey);
    for (const key of keys) {
      const x = own(a, key);
      const y = own(b, key);
      if (quantities && sameQuantity(x, y)) continue;
      if (!semanticEqual(x, y, key)) return false;
    }
    return true;
  }
  return a === b;
}

function sameQuantity(x: unknown, y: unknown): boolean {
  if ((typeof x !== 'string' && typeof x !== 'number') || (typeof y !== 'string' && typeof y !== 'number'))
    return false;
  const p = parseQuantity(x);
  const q = parseQuantity(y);
  return p !== undefined && p === q;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** nil, an empty slice and an empty map are one value to the semantic comparison. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).length === 0;
}
