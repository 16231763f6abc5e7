/**
 * The keys of a request body or a state file are data. `__proto__`, `constructor` and `prototype`
 * are ordinary keys to Kubernetes (a ConfigMap may hold them, a patch may name them): reading one
 * must never find what an object inherits, and writing one must never change an object's
 * prototype. Code that walks or merges JSON by keys it was given goes through these.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON of any shape.
type Json = any;

/** The object's own value at `key`, or undefined: never an inherited one. */
export function own(object: unknown, key: string): Json {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key)
    ? (object as Record<string, Json>)[key]
    : undefined;
}

export function hasOwn(object: unknown, key: string): boolean {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key);
}

/** Sets an own, enumerable property, even one named `__proto__`, as JSON.parse would make it. */
export function setOwn(object: object, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}
