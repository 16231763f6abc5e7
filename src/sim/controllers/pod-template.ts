import { defaultPodTemplate } from '../../kube/admission/pod-defaults.js';
import { parseQuantity } from '../../kube/quantity.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';

/**
 * A template as Go's semantic equality sees it: null, empty maps and empty lists are the same as
 * absent (kubectl's `rollout undo` sends `creationTimestamp: null` and `resources: {}` back), and
 * resource quantities compare by value (`1000m` is `1`).
 */
export function normalizeTemplate(value: unknown, path: string[] = []): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalizeTemplate(v, path)).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const inQuantities = ['limits', 'requests', 'overhead'].includes(path.at(-1) ?? '');
    for (const key of Object.keys(value).sort()) {
      const raw = (value as Record<string, unknown>)[key];
      const quantity = inQuantities ? parseQuantity(raw) : undefined;
      const v = quantity !== undefined ? quantity : normalizeTemplate(raw, [...path, key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value;
}

/**
 * The template as the API stores it: defaulted (idempotent for one that already was), so that a
 * Deployment written straight into the store compares equal to the ReplicaSets made from it.
 */
function stored(template: unknown): { metadata?: { labels?: Record<string, string> } } {
  const copy = structuredClone((template ?? {}) as { metadata?: { labels?: Record<string, string> } });
  defaultPodTemplate(copy);
  return copy;
}

function withoutHashLabel(template: unknown): unknown {
  const copy = stored(template);
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
  return copy;
}

/** deploymentutil.EqualIgnoreHash: the same pod template but for the pod-template-hash label. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return (
    JSON.stringify(normalizeTemplate(withoutHashLabel(a))) ===
    JSON.stringify(normalizeTemplate(withoutHashLabel(b)))
  );
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * controller.ComputeHash: FNV-32a of the template (here its canonical JSON rather than Go's struct
 * dump, so the value differs from a real cluster's but is as stable), plus the collision count,
 * written as its decimal digits mapped onto the API's safe alphabet — 9 or 10 of `4-9bcdf`.
 */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  const bytes = [...Buffer.from(JSON.stringify(normalizeTemplate(stored(template)) ?? {}), 'utf8')];
  if (collisionCount !== undefined) {
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    bytes.push(...extra);
  }
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash >>> 0)].map((ch) => SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}
