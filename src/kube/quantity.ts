/**
 * Kubernetes resource quantities (`500m`, `1Gi`, `2`, `1e3`): the format the API accepts and
 * their numeric value, for validation (requests <= limits), QoS classes and the metrics API.
 */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

const SUFFIXES: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity, or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = value.trim().match(/^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([a-zA-Z]*)([-+]?[0-9]*)$/);
  if (!m) return undefined;
  const [, number, suffix, exponent] = m as unknown as [string, string, string, string];
  if ((suffix === 'e' || suffix === 'E') && exponent !== '') return Number(number) * 10 ** Number(exponent);
  if (exponent !== '') return undefined;
  const factor = SUFFIXES[suffix];
  return factor === undefined ? undefined : Number(number) * factor;
}

export function isQuantity(value: unknown): boolean {
  return parseQuantity(value) !== undefined;
}

/** CPU as metrics-server writes it: nanocores (`12345678n`); memory in KiB (`10240Ki`). */
export function formatCpu(millicores: number): string {
  return `${Math.max(0, Math.round(millicores * 1e6))}n`;
}

export function formatMemory(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}

/** A quantity as resource.Quantity holds it: an exact value (in billionths) and the format it prints in. */
export interface ExactQuantity {
  nanos: bigint;
  format: 'binary' | 'decimal' | 'exponent';
}

/** The exact value of a quantity (rounded up past nano precision, as Kubernetes does), or undefined. */
export function exactQuantity(value: unknown): ExactQuantity | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const m = text
    .trim()
    .match(/^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:([eE])([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign, whole, fraction = '', exponentMark, exponentText, suffix = ''] = m as unknown as string[];
  const binary = /i$/.test(suffix!);
  const format = exponentMark ? 'exponent' : binary ? 'binary' : 'decimal';
  let numerator = BigInt(`${whole || '0'}${fraction}`);
  let denominator = 10n ** BigInt(fraction!.length);
  const decimalPower = exponentMark
    ? Number(exponentText)
    : (({ n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 } as Record<string, number>)[
        suffix!
      ] ?? 0);
  if (binary) numerator *= 1024n ** BigInt(['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'].indexOf(suffix!) + 1);
  const power = decimalPower + 9;
  if (power >= 0) numerator *= 10n ** BigInt(power);
  else denominator *= 10n ** BigInt(-power);
  const nanos = (numerator + denominator - 1n) / denominator;
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

/** resource.Quantity.String() of an exact value in its format. */
export function formatExact({ nanos: signed, format }: ExactQuantity): string {
  if (signed === 0n) return '0';
  const negative = signed < 0n;
  let nanos = negative ? -signed : signed;
  if (format === 'binary' && nanos >= 1024n * 10n ** 9n && nanos % 10n ** 9n === 0n) {
    let bytes = nanos / 10n ** 9n;
    let exponent = 0;
    while (bytes % 1024n === 0n && exponent < 6) {
      bytes /= 1024n;
      exponent++;
    }
    return `${negative ? '-' : ''}${bytes}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][exponent]}`;
  }
  let exponent = -9;
  while (nanos % 1000n === 0n && exponent < 18) {
    nanos /= 1000n;
    exponent += 3;
  }
  const unit =
    format === 'exponent'
      ? exponent === 0
        ? ''
        : `e${exponent}`
      : (
          {
            '-9': 'n',
            '-6': 'u',
            '-3': 'm',
            '0': '',
            '3': 'k',
            '6': 'M',
            '9': 'G',
            '12': 'T',
            '15': 'P',
            '18': 'E',
          } as Record<string, string>
        )[String(exponent)];
  return `${negative ? '-' : ''}${nanos}${unit}`;
}

/**
 * A quantity in the canonical form the API server stores and answers (resource.Quantity.String):
 * `1000m` is `1`, `0.5` is `500m`, `1024Mi` is `1Gi`, `1000` is `1k`. Undefined when not a quantity.
 */
export function canonicalQuantity(value: unknown): string | undefined {
  const exact = exactQuantity(value);
  return exact && formatExact(exact);
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

/** A resource of a container's requests or limits (`cpu`, `memory`), undefined when absent or zero. */
export function resourceOf(
  list: Record<string, string | number> | undefined,
  name: string,
): number | undefined {
  const parsed = parseQuantity(list?.[name]);
  return parsed !== undefined && parsed > 0 ? parsed : undefined;
}
