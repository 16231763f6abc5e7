import { FieldErrors, GoLiteral } from '../admission/field-errors.js';
import { hasOwn, setOwn } from '../own.js';

/**
 * What the API server does with a custom resource's body under its version's structural schema
 * (k8s.io/apiextensions-apiserver pkg/apiserver/schema): defaults from `default`, pruning of the
 * fields the schema does not name (unless x-kubernetes-preserve-unknown-fields), and validation of
 * types, required fields, enums and bounds, in the OpenAPI validator's words.
 */
// biome-ignore lint/suspicious/noExplicitAny: schemas and bodies are open JSON.
export type JsonSchema = Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: custom resources are open JSON.
type Json = any;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** metadata, apiVersion and kind are the server's at the root (and in embedded resources). */
const ROOT_FIELDS = ['apiVersion', 'kind', 'metadata'];

/** Fills in `default`s for absent fields, depth first, as decoding does. */
export function applySchemaDefaults(schema: JsonSchema | undefined, value: Json): void {
  if (!schema || value === null || value === undefined) return;
  if (isObject(value)) {
    if (isObject(schema.properties))
      for (const key of Object.keys(schema.properties)) {
        const child = schema.properties[key] as JsonSchema;
        if (!hasOwn(value, key) && isObject(child) && child.default !== undefined)
          setOwn(value, key, structuredClone(child.default));
        if (hasOwn(value, key)) applySchemaDefaults(child, value[key]);
      }
    else if (isObject(schema.additionalProperties))
      for (const key of Object.keys(value))
        applySchemaDefaults(schema.additionalProperties, (value as Json)[key]);
  } else if (Array.isArray(value) && isObject(schema.items))
    for (const item of value) applySchemaDefaults(schema.items, item);
}

/**
 * Drops the fields the schema does not specify and returns their paths (`spec.extra`), which
 * fieldValidation reports as unknown. The root's apiVersion, kind and metadata stay.
 */
export function pruneUnknown(schema: JsonSchema | undefined, value: Json): string[] {
  const unknown: string[] = [];
  if (schema) prune(schema, value, '', true, unknown);
  return unknown;
}

function prune(schema: JsonSchema, value: Json, path: string, root: boolean, unknown: string[]): void {
  if (isObject(value)) {
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    const embedded = root || schema['x-kubernetes-embedded-resource'] === true;
    const properties = isObject(schema.properties) ? schema.properties : undefined;
    const additional = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (embedded && ROOT_FIELDS.includes(key)) continue;
      const child = properties && hasOwn(properties, key) ? properties[key] : additional;
      if (child) prune(child, value[key], at, false, unknown);
      else if (!preserve && schema.additionalProperties !== true) {
        unknown.push(at);
        delete value[key];
      }
    }
  } else if (Array.isArray(value) && isObject(schema.items))
    value.forEach((item, i) => {
      prune(schema.items, item, `${path}[${i}]`, false, unknown);
    });
}

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value === 'object'
          ? 'object'
          : typeof value;

/** Validation of a custom resource's body; its field errors as the API server words them. */
export function validateAgainstSchema(schema: JsonSchema | undefined, value: Json): FieldErrors {
  const errors = new FieldErrors();
  if (schema) check(schema, value, '', errors, true);
  return errors;
}

function check(schema: JsonSchema, value: Json, path: string, errors: FieldErrors, root = false): void {
  const at = path || '<root>';
  if (value === null) {
    if (schema.nullable !== true && schema.type)
      errors.invalid(path, new GoLiteral('"null"'), `${at} in body must be of type ${schema.type}: "null"`);
    return;
  }
  const actual = typeOf(value);
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (actual !== 'integer' && actual !== 'string')
      errors.invalid(path, actual, `${at} in body must be of type integer,string: "${actual}"`);
  } else if (schema.type && schema.type !== actual && !(schema.type === 'number' && actual === 'integer')) {
    errors.invalid(path, actual, `${at} in body must be of type ${schema.type}: "${actual}"`);
    return;
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(value))
  )
    errors.notSupported(
      path,
      value,
      schema.enum.map((e: unknown) => (typeof e === 'string' ? e : JSON.stringify(e))),
    );
  if (typeof value === 'number') {
    if (typeof schema.maximum === 'number') {
      const over = schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum;
      if (over)
        errors.invalid(
          path,
          value,
          `${at} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`,
        );
    }
    if (typeof schema.minimum === 'number') {
      const under = schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum;
      if (under)
        errors.invalid(
          path,
          value,
          `${at} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`,
        );
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.maxLength === 'number' && length > schema.maxLength)
      errors.tooLong(path, schema.maxLength);
    if (typeof schema.minLength === 'number' && length < schema.minLength)
      errors.invalid(path, value, `${at} in body should be at least ${schema.minLength} chars long`);
    if (typeof schema.pattern === 'string') {
      let pattern: RegExp | undefined;
      try {
        pattern = new RegExp(schema.pattern, 'u');
      } catch {
        pattern = undefined;
      }
      if (pattern && !pattern.test(value))
        errors.invalid(path, value, `${at} in body should match '${schema.pattern}'`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      errors.tooMany(path, value.length, schema.maxItems);
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errors.invalid(path, value.length, `${at} in body should have at least ${schema.minItems} items`);
    if (isObject(schema.items))
      value.forEach((item, i) => {
        check(schema.items, item, `${path}[${i}]`, errors);
      });
  }
  if (isObject(value)) {
    for (const key of Array.isArray(schema.required) ? schema.required : [])
      if (!hasOwn(value, key)) errors.required(path ? `${path}.${key}` : key);
    const properties = isObject(schema.properties) ? schema.properties : undefined;
    const additional = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
    for (const key of Object.keys(value)) {
      if (root && ROOT_FIELDS.includes(key)) continue;
      const child = properties && hasOwn(properties, key) ? properties[key] : additional;
      if (child) check(child, value[key], path ? `${path}.${key}` : key, errors);
    }
  }
}
