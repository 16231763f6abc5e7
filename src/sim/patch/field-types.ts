import { ATOMIC, type FieldType } from '../../kube/typed-value.js';
import { definition, fieldSchema, resolve, type Schema } from '../schema/schema.js';

/**
 * The served schemas as structured-merge-diff sees them: which objects are structs, which maps,
 * which lists are keyed, and which types the Go API marks atomic (`+structType=atomic`,
 * `+mapType=atomic`), owned and replaced whole.
 */
const ATOMIC_TYPES = new Set(
  [
    'apimachinery.pkg.apis.meta.v1.LabelSelector',
    'apimachinery.pkg.apis.meta.v1.OwnerReference',
    'api.core.v1.ConfigMapKeySelector',
    'api.core.v1.SecretKeySelector',
    'api.core.v1.ObjectFieldSelector',
    'api.core.v1.ResourceFieldSelector',
    'api.core.v1.LocalObjectReference',
    'api.core.v1.ObjectReference',
    'api.core.v1.TypedLocalObjectReference',
    'api.core.v1.SecretReference',
    'api.core.v1.NodeSelector',
    'api.core.v1.NodeSelectorTerm',
    'api.core.v1.TopologySelectorTerm',
  ].map((name) => `#/components/schemas/io.k8s.${name}`),
);

/** Maps of arbitrary keys that are atomic all the same. */
const ATOMIC_FIELDS = new Set([
  'io.k8s.api.core.v1.ServiceSpec.selector',
  'io.k8s.api.core.v1.PodSpec.nodeSelector',
]);

const KEY_DEFAULTS = { protocol: 'TCP' };

const SCALAR: FieldType = { kind: 'scalar', field: () => undefined, items: () => SCALAR, keys: [] };

const cache = new WeakMap<Schema, FieldType>();

const refOf = (schema: Schema) => schema.$ref ?? schema.allOf?.[0]?.$ref;

function typeOf(schema: Schema | undefined, owner?: string, field?: string): FieldType {
  if (!schema) return ATOMIC;
  if (owner && field && ATOMIC_FIELDS.has(`${owner}.${field}`)) return ATOMIC;
  const ref = refOf(schema);
  if (ref && ATOMIC_TYPES.has(ref)) return ATOMIC;
  const cached = cache.get(schema);
  if (cached) return cached;
  const resolved = resolve(schema) ?? schema;
  let type: FieldType;
  if (resolved.type === 'array') {
    const listType = schema['x-kubernetes-list-type'] ?? resolved['x-kubernetes-list-type'];
    const keys = schema['x-kubernetes-list-map-keys'] ?? resolved['x-kubernetes-list-map-keys'] ?? [];
    const items = resolved.items;
    if (listType === 'map' && keys.length)
      type = {
        kind: 'associative',
        field: () => undefined,
        items: () => typeOf(items),
        keys,
        keyDefaults: KEY_DEFAULTS,
      };
    else if (listType === 'set')
      type = { kind: 'set', field: () => undefined, items: () => SCALAR, keys: [] };
    else type = ATOMIC;
  } else if (resolved.type === 'object' && resolved.properties) {
    const name = ref ? ref.replace('#/components/schemas/', '') : field === undefined ? owner : undefined;
    type = {
      kind: 'struct',
      field: (f) => {
        const child = fieldSchema(resolved, f);
        return child ? typeOf(child, name, f) : undefined;
      },
      items: () => ATOMIC,
      keys: [],
    };
  } else if (resolved.type === 'object' && resolved.additionalProperties) {
    const values = resolved.additionalProperties;
    type = { kind: 'map', field: () => typeOf(values), items: () => ATOMIC, keys: [] };
  } else if (resolved.type === 'object' && !resolved.format) type = ATOMIC;
  else type = SCALAR;
  cache.set(schema, type);
  return type;
}

/** The FieldType of a served kind, by its definition name or its definition. */
export function fieldTypeOf(kind: string | Schema | undefined): FieldType {
  const schema = typeof kind === 'string' ? definition(kind) : kind;
  if (!schema) return ATOMIC;
  return typeOf(schema, typeof kind === 'string' ? kind : undefined);
}
