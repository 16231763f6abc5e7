import { JSONPath } from 'jsonpath-plus';
import type { FieldExpectation } from './schema.js';

/**
 * Reads values with a path written as kubectl writes JSONPath (`.status.readyReplicas`,
 * `{.spec.template.spec.containers[?(@.name=="churn-api")].image}`), with or without the `$`.
 */
export function readPath(object: unknown, path: string): unknown[] {
  let expression = path.trim();
  if (expression.startsWith('{') && expression.endsWith('}')) expression = expression.slice(1, -1).trim();
  if (!expression.startsWith('$'))
    expression =
      expression.startsWith('.') || expression.startsWith('[') ? `$${expression}` : `$.${expression}`;
  try {
    return JSONPath({ path: expression, json: object as object, wrap: true, eval: 'safe' }) as unknown[];
  } catch {
    return [];
  }
}

export interface Outcome {
  passed: boolean;
  /** What was found, in words: "4", "none", `"churn-labs/churn-api:0.1.0"`. */
  found: string;
  /** What was expected, in words: "5", "at least 3", "one of A, B". */
  expected: string;
}

export function show(value: unknown): string {
  if (value === undefined) return 'none';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

export function describeExpectation(e: Omit<FieldExpectation, 'path'>): string {
  const parts: string[] = [];
  if (e.equals !== undefined) parts.push(show(e.equals));
  if (e.matches !== undefined) parts.push(`matching /${e.matches}/`);
  if (e.oneOf !== undefined) parts.push(`one of ${e.oneOf.map(show).join(', ')}`);
  if (e.atLeast !== undefined && e.atMost !== undefined) parts.push(`between ${e.atLeast} and ${e.atMost}`);
  else if (e.atLeast !== undefined) parts.push(`at least ${e.atLeast}`);
  else if (e.atMost !== undefined) parts.push(`at most ${e.atMost}`);
  if (e.present === true && parts.length === 0) parts.push('a value');
  if (e.present === false) parts.push('no value');
  return parts.join(' and ');
}

function satisfies(value: unknown, e: Omit<FieldExpectation, 'path'>): boolean {
  if (e.equals !== undefined && !looselyEqual(value, e.equals)) return false;
  if (
    e.matches !== undefined &&
    !new RegExp(e.matches).test(typeof value === 'string' ? value : JSON.stringify(value))
  )
    return false;
  if (e.oneOf !== undefined && !e.oneOf.some((candidate) => looselyEqual(value, candidate))) return false;
  const n = toNumber(value);
  if (e.atLeast !== undefined && (n === undefined || n < e.atLeast)) return false;
  if (e.atMost !== undefined && (n === undefined || n > e.atMost)) return false;
  return true;
}

/** `3` equals `"3"` and `true` equals `"true"`: annotations and env values are strings in the API. */
function looselyEqual(value: unknown, expected: string | number | boolean): boolean {
  if (value === expected) return true;
  if (typeof value === 'object' || value === undefined) return false;
  return String(value) === String(expected);
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** Evaluates one expectation on an object; when the path finds several values, one satisfying it is enough. */
export function evaluateField(object: unknown, field: FieldExpectation): Outcome {
  let values = readPath(object, field.path);
  if (values.length === 0 && field.default !== undefined) values = [field.default];
  const expected = describeExpectation(field);
  if (field.present !== undefined) {
    const has = values.length > 0;
    if (has !== field.present)
      return { passed: false, found: has ? values.map(show).join(', ') : 'none', expected };
    if (!has) return { passed: true, found: 'none', expected };
  }
  const found = values.length === 0 ? 'none' : values.map(show).join(', ');
  const onlyPresence =
    field.equals === undefined &&
    field.matches === undefined &&
    field.oneOf === undefined &&
    field.atLeast === undefined &&
    field.atMost === undefined;
  if (onlyPresence) return { passed: true, found, expected };
  return { passed: values.some((v) => satisfies(v, field)), found, expected };
}

export function evaluateCount(
  count: number,
  e: { equals?: number; atLeast?: number; atMost?: number },
): Outcome {
  return { passed: satisfies(count, e), found: String(count), expected: describeExpectation(e) };
}
