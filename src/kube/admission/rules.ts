import { semanticEqual } from '../equality.js';
import type { KubeObject } from '../objects.js';
import type { FieldErrors } from './field-errors.js';

/**
 * What the API server does with one kind before it stores it: the defaults applied on decode, the
 * strategy's PrepareForCreate/PrepareForUpdate (reset status, allocate, generate), and validation
 * on create and on update (immutable fields). Each kind's rules live beside their peers.
 */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes object bodies are open JSON.
export type Obj = Record<string, any>;

/**
 * What admission may read of the objects already stored (a claim's StorageClass, the Services'
 * allocated IPs and ports). The simulator's store is one; an empty one judges documents alone.
 */
export interface ObjectLookup {
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(kind: string, namespace?: string): KubeObject[];
}

export interface AdmissionContext {
  store: ObjectLookup;
}

export interface KindRules {
  /** The name format: DNS-1123 subdomain unless said otherwise. */
  name?: (name: string) => string[];
  defaults?(object: Obj): void;
  prepareCreate?(object: Obj, context: AdmissionContext): void;
  prepareUpdate?(object: Obj, old: Obj, context: AdmissionContext): void;
  validate?(object: Obj, errors: FieldErrors, context: AdmissionContext): void;
  validateUpdate?(object: Obj, old: Obj, errors: FieldErrors, context: AdmissionContext): void;
  /** The update checks come before the object's own (ValidateServiceUpdate), not after. */
  updateChecksFirst?: boolean;
}

/** Go's semantic equality: key order, nil against empty and quantity spellings do not count. */
export const same = (a: unknown, b: unknown) => semanticEqual(a, b);

export function nonNegative(value: unknown, path: string, errors: FieldErrors): void {
  if (typeof value === 'number' && value < 0)
    errors.invalid(path, value, 'must be greater than or equal to 0');
}
