import { randomInt } from 'node:crypto';
import { printable } from '../managed-fields.js';
import { type FieldErrors, GoLiteral } from './field-errors.js';
import { labelValue, qualifiedName } from './names.js';

/** ObjectMeta: names, generateName, labels and annotations, as every kind's validation starts. */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes object bodies are open JSON.
type Obj = Record<string, any>;

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + five characters from the alphabet the API server uses (no vowels, no 0/1/3). */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `${prefix.length > 58 ? prefix.slice(0, 58) : prefix}${suffix}`;
}

export function validateObjectMeta(
  meta: Obj,
  nameCheck: (name: string) => string[],
  errors: FieldErrors,
): void {
  if (!meta.name) errors.required('metadata.name', 'name or generateName is required');
  else for (const p of nameCheck(meta.name)) errors.invalid('metadata.name', meta.name, p);
  validateLabels(meta.labels, 'metadata.labels', errors);
  validateAnnotations(meta.annotations, 'metadata.annotations', errors);
  validateManagedFields(meta.managedFields, errors);
  (meta.ownerReferences ?? []).forEach((ref: Obj, i: number) => {
    for (const field of ['apiVersion', 'kind', 'name', 'uid'])
      if (!ref?.[field])
        errors.invalid(
          `metadata.ownerReferences[${i}].${field}`,
          ref?.[field] ?? '',
          `${field} must not be empty`,
        );
  });
}

/** ValidateManagedFields: operations, fieldsType, printable managers of at most 128 bytes. */
function validateManagedFields(entries: unknown, errors: FieldErrors): void {
  if (!Array.isArray(entries)) return;
  entries.forEach((entry: Obj, i) => {
    const at = `metadata.managedFields[${i}]`;
    const operation = entry?.operation ?? '';
    if (operation !== 'Apply' && operation !== 'Update')
      errors.invalid(`${at}.operation`, operation, 'must be `Apply` or `Update`');
    if (entry?.fieldsType && entry.fieldsType !== 'FieldsV1')
      errors.invalid(`${at}.fieldsType`, entry.fieldsType, 'must be `FieldsV1`');
    const manager = String(entry?.manager ?? '');
    if (Buffer.byteLength(manager) > 128) errors.tooLong(`${at}.manager`, 128);
    let position = 0;
    for (const ch of manager) {
      if (!printable(ch)) {
        const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        errors.invalid(
          `${at}.manager`,
          new GoLiteral(goQuote(manager)),
          `invalid character U+${code} (at position ${position})`,
        );
      }
      position += Buffer.byteLength(ch);
    }
    if (String(entry?.subresource ?? '').length > 256) errors.tooLong(`${at}.subresource`, 256);
  });
}

const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's %q: printable characters as they are, the rest escaped. */
function goQuote(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (Object.hasOwn(GO_ESCAPES, ch)) out += GO_ESCAPES[ch];
    else if (printable(ch)) out += ch;
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `"${out}"`;
}

export function validateLabels(labels: unknown, path: string, errors: FieldErrors): void {
  if (!labels || typeof labels !== 'object') return;
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    for (const p of qualifiedName(key)) errors.invalid(path, key, p);
    if (typeof value === 'string') for (const p of labelValue(value)) errors.invalid(path, value, p);
  }
}

function validateAnnotations(annotations: unknown, path: string, errors: FieldErrors): void {
  if (!annotations || typeof annotations !== 'object') return;
  let size = 0;
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    for (const p of qualifiedName(key.toLowerCase())) errors.invalid(path, key, p);
    size += key.length + String(value).length;
  }
  if (size > 262144) errors.tooLong(path, 262144);
}
