/**
 * Resource quantities as Kubernetes writes them (`500m`, `0.5`, `512Mi`, `1G`, `129e6`), read into
 * numbers of base units (cores, bytes) and written back in the canonical DecimalSI form the API uses
 * for the HPA's averageValue.
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

/** The value in base units, or undefined when the text is not a quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = value
    .trim()
    .match(/^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/);
  if (!match) return undefined;
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  return number * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

/** As Quantity.MilliValue(): thousandths of the unit, rounded up. */
export function milliValue(value: unknown): number | undefined {
  const base = parseQuantity(value);
  return base === undefined ? undefined : Math.ceil(Math.round(base * 1e9) / 1e6);
}

const SUFFIX_BY_EXPONENT: Record<number, string> = {
  [-3]: 'm',
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};

/** resource.NewMilliQuantity(milli, DecimalSI).String(): the largest exact SI suffix. */
export function formatMilli(milli: number): string {
  let mantissa = Math.round(milli);
  if (mantissa === 0) return '0';
  let exponent = -3;
  while (mantissa % 1000 === 0 && exponent < 18) {
    mantissa /= 1000;
    exponent += 3;
  }
  return `${mantissa}${SUFFIX_BY_EXPONENT[exponent]}`;
}
