/**
 * Kubernetes resource quantities (`512Mi`, `1Gi`, `500m`, `0.5`, `129e6`) as plain numbers in base
 * units: bytes for memory, cores for CPU.
 */
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The quantity's value, or undefined when it is not a valid quantity. */
export function parseQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const match = value
    .trim()
    .match(/^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/);
  if (!match) return undefined;
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  return number * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

/** A resource of a container's requests or limits (`cpu`, `memory`), undefined when absent or zero. */
export function resourceOf(
  list: Record<string, string | number> | undefined,
  name: string,
): number | undefined {
  const parsed = parseQuantity(list?.[name]);
  return parsed !== undefined && parsed > 0 ? parsed : undefined;
}
