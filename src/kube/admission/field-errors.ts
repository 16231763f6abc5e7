import type { StatusCause } from '../errors.js';

/**
 * Field errors in the words of k8s.io/apimachinery/pkg/util/validation/field, so that a 422 reads
 * exactly as on a real cluster: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
 */
export class FieldErrors {
  readonly causes: StatusCause[] = [];

  required(field: string, detail = ''): void {
    this.add('FieldValueRequired', field, `Required value${detail ? `: ${detail}` : ''}`);
  }

  invalid(field: string, value: unknown, detail: string): void {
    this.add('FieldValueInvalid', field, `Invalid value: ${goValue(value)}${detail ? `: ${detail}` : ''}`);
  }

  notSupported(field: string, value: unknown, supported: string[]): void {
    const list = supported.map((s) => JSON.stringify(s)).join(', ');
    this.add(
      'FieldValueNotSupported',
      field,
      `Unsupported value: ${goValue(value)}: supported values: ${list}`,
    );
  }

  forbidden(field: string, detail: string): void {
    this.add('FieldValueForbidden', field, `Forbidden: ${detail}`);
  }

  duplicate(field: string, value: unknown): void {
    this.add('FieldValueDuplicate', field, `Duplicate value: ${goValue(value)}`);
  }

  notFound(field: string, value: unknown): void {
    this.add('FieldValueNotFound', field, `Not found: ${goValue(value)}`);
  }

  tooLong(field: string, max: number): void {
    this.add('FieldValueTooLong', field, `Too long: may not be more than ${max} bytes`);
  }

  tooMany(field: string, actual: number, max: number): void {
    this.add('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`);
  }

  immutable(field: string, value: unknown): void {
    this.invalid(field, value, 'field is immutable');
  }

  get empty(): boolean {
    return this.causes.length === 0;
  }

  private add(reason: string, field: string, message: string): void {
    this.causes.push({ reason, message, field });
  }
}

/** Go's %#v-ish rendering of a value, as field errors print it. */
export function goValue(value: unknown): string {
  if (value instanceof GoLiteral) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string'))
      return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
    return `[]interface {}{${value.map(goValue).join(', ')}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.every(([, v]) => typeof v === 'string')) return goStringMap(value as Record<string, string>);
  return '"object"';
}

export function goStringMap(map: Record<string, string> | undefined): string {
  if (!map) return 'map[string]string(nil)';
  const entries = Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

/** A value already rendered the Go way (a struct literal). */
export class GoLiteral {
  constructor(readonly text: string) {}
}

export function goLabelSelector(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined,
) {
  if (!selector) return new GoLiteral('(*v1.LabelSelector)(nil)');
  const expressions = selector.matchExpressions?.length
    ? `[]v1.LabelSelectorRequirement{${selector.matchExpressions
        .map((e) => {
          const r = e as { key: string; operator: string; values?: string[] };
          const values = r.values
            ? `[]string{${r.values.map((v) => JSON.stringify(v)).join(', ')}}`
            : '[]string(nil)';
          return `v1.LabelSelectorRequirement{Key:${JSON.stringify(r.key)}, Operator:${JSON.stringify(r.operator)}, Values:${values}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoLiteral(
    `v1.LabelSelector{MatchLabels:${goStringMap(selector.matchLabels)}, MatchExpressions:${expressions}}`,
  );
}

export function goIntOrString(value: number | string) {
  return new GoLiteral(
    typeof value === 'number'
      ? `intstr.IntOrString{Type:0, IntVal:${value}, StrVal:""}`
      : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(value)}}`,
  );
}
