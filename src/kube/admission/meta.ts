import { randomInt } from 'node:crypto';
import type { FieldErrors } from './field-errors.js';
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
