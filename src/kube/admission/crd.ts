import { type FieldErrors, GoLiteral } from './field-errors.js';
import { dns1035Label, dns1123Subdomain } from './names.js';
import type { KindRules, Obj } from './rules.js';

/**
 * CustomResourceDefinition (apiextensions.k8s.io/v1): its defaults (SetDefaults_*), its strategy
 * (status reset on create, stored versions kept) and validation, after
 * k8s.io/apiextensions-apiserver pkg/apis/apiextensions/validation and pkg/registry/customresourcedefinition.
 */
export const storageVersionOf = (crd: Obj): string | undefined =>
  (crd.spec?.versions ?? []).find((v: Obj) => v?.storage === true)?.name;

function defaults(crd: Obj): void {
  crd.spec ??= {};
  const spec = crd.spec;
  spec.names ??= {};
  const names = spec.names;
  if (typeof names.kind === 'string' && names.kind) {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
}

function prepareCreate(crd: Obj): void {
  const storage = storageVersionOf(crd);
  crd.status = {
    acceptedNames: { kind: '', plural: '' },
    conditions: [],
    storedVersions: storage ? [storage] : [],
  };
}

function prepareUpdate(crd: Obj, old: Obj): void {
  crd.status = structuredClone(old.status ?? {});
  const storage = storageVersionOf(crd);
  crd.status.storedVersions ??= [];
  const stored: string[] = crd.status.storedVersions;
  if (storage && !stored.includes(storage)) stored.push(storage);
}

const joined = (errors: string[]) => errors.join(',');

function validateNames(names: Obj, path: string, errors: FieldErrors): void {
  for (const key of ['plural', 'singular'] as const) {
    const value = names[key];
    if (typeof value === 'string' && value && dns1035Label(value).length)
      errors.invalid(`${path}.${key}`, value, joined(dns1035Label(value)));
  }
  for (const key of ['kind', 'listKind'] as const) {
    const value = names[key];
    if (typeof value === 'string' && value && dns1035Label(value.toLowerCase()).length)
      errors.invalid(
        `${path}.${key}`,
        value,
        `may have mixed case, but should otherwise match: ${joined(dns1035Label(value.toLowerCase()))}`,
      );
  }
  (names.shortNames ?? []).forEach((s: string, i: number) => {
    if (dns1035Label(String(s)).length)
      errors.invalid(`${path}.shortNames[${i}]`, s, joined(dns1035Label(String(s))));
  });
  if (names.kind && names.kind === names.listKind)
    errors.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same');
  (names.categories ?? []).forEach((c: string, i: number) => {
    if (dns1035Label(String(c)).length)
      errors.invalid(`${path}.categories[${i}]`, c, joined(dns1035Label(String(c))));
  });
}

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** The structural schema rules that matter to pruning and defaulting: every field has its type. */
function validateStructural(schema: Obj, path: string, errors: FieldErrors, root: boolean): void {
  if (!schema || typeof schema !== 'object') return;
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (root) {
    if (!schema.type) errors.required(`${path}.type`, 'must not be empty at the root');
    else if (schema.type !== 'object')
      errors.invalid(`${path}.type`, schema.type, 'must be object at the root');
  } else if (!schema.type && !intOrString && !preserve)
    errors.required(`${path}.type`, 'must not be empty for specified object fields');
  if (schema.type && !TYPES.includes(schema.type)) errors.notSupported(`${path}.type`, schema.type, TYPES);
  if (schema.type === 'array' && !schema.items) errors.required(`${path}.items`, 'must be specified');
  if (schema.uniqueItems === true)
    errors.forbidden(
      `${path}.uniqueItems`,
      'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
    );
  if (schema.properties && typeof schema.properties === 'object') {
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== true)
      errors.forbidden(
        `${path}.additionalProperties`,
        'additionalProperties and properties are mutual exclusive',
      );
    for (const key of Object.keys(schema.properties))
      validateStructural(schema.properties[key], `${path}.properties[${key}]`, errors, false);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    validateStructural(schema.additionalProperties, `${path}.additionalProperties`, errors, false);
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items))
    validateStructural(schema.items, `${path}.items`, errors, false);
}

/** Go prints the whole slice of structs; its type says enough here. */
const VERSIONS = new GoLiteral('[]apiextensions.CustomResourceDefinitionVersion{...}');

function validate(crd: Obj, errors: FieldErrors): void {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const name = crd.metadata?.name ?? '';
  if (name && name !== `${names.plural}.${spec.group}`)
    errors.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group');
  if (!spec.group) errors.required('spec.group');
  else if (dns1123Subdomain(spec.group).length)
    errors.invalid('spec.group', spec.group, joined(dns1123Subdomain(spec.group)));
  else if (spec.group.split('.').length < 2)
    errors.invalid('spec.group', spec.group, 'should be a domain with at least one dot');
  if (!spec.scope) errors.required('spec.scope');
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced')
    errors.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']);
  const versions: Obj[] = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0)
    errors.invalid('spec.versions', VERSIONS, 'must have exactly one version marked as storage version');
  const seen = new Set<string>();
  let storage = 0;
  let unique = true;
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    if (v?.storage === true) storage++;
    if (seen.has(v?.name)) unique = false;
    seen.add(v?.name);
    if (typeof v?.name !== 'string' || dns1035Label(v.name).length)
      errors.invalid(`${at}.name`, v?.name ?? '', joined(dns1035Label(String(v?.name ?? ''))));
    const schema = v?.schema?.openAPIV3Schema;
    if (!schema) {
      if (spec.preserveUnknownFields !== true)
        errors.required(`${at}.schema.openAPIV3Schema`, 'schemas are required');
    } else validateStructural(schema, `${at}.schema.openAPIV3Schema`, errors, true);
    (v?.additionalPrinterColumns ?? []).forEach((c: Obj, j: number) => {
      const cat = `${at}.additionalPrinterColumns[${j}]`;
      if (!c?.name) errors.required(`${cat}.name`);
      if (!c?.type) errors.required(`${cat}.type`);
      else if (!TYPES.includes(c.type) && c.type !== 'date')
        errors.notSupported(`${cat}.type`, c.type, [
          'array',
          'boolean',
          'date',
          'integer',
          'number',
          'object',
          'string',
        ]);
      if (!c?.jsonPath) errors.required(`${cat}.JSONPath`);
    });
    const scale = v?.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) errors.required(`${at}.subresources.scale.specReplicasPath`);
      if (!scale.statusReplicasPath) errors.required(`${at}.subresources.scale.statusReplicasPath`);
    }
  });
  if (!unique) errors.invalid('spec.versions', VERSIONS, 'must contain unique version names');
  if (versions.length > 0 && storage !== 1)
    errors.invalid('spec.versions', VERSIONS, 'must have exactly one version marked as storage version');
  if (!names.plural) errors.required('spec.names.plural');
  if (!names.singular) errors.required('spec.names.singular');
  if (!names.kind) errors.required('spec.names.kind');
  if (!names.listKind) errors.required('spec.names.listKind');
  validateNames(names, 'spec.names', errors);
}

function validateUpdate(crd: Obj, old: Obj, errors: FieldErrors): void {
  const established = (old.status?.conditions ?? []).some(
    (c: Obj) => c.type === 'Established' && c.status === 'True',
  );
  const immutable = (path: string, a: unknown, b: unknown) => {
    if (a !== b) errors.immutable(path, a);
  };
  if (established) {
    immutable('spec.scope', crd.spec?.scope, old.spec?.scope);
    immutable('spec.names.kind', crd.spec?.names?.kind, old.spec?.names?.kind);
  }
  immutable('spec.group', crd.spec?.group, old.spec?.group);
  immutable('spec.names.plural', crd.spec?.names?.plural, old.spec?.names?.plural);
  const served = new Set((crd.spec?.versions ?? []).map((v: Obj) => v?.name));
  (crd.status?.storedVersions ?? []).forEach((v: string, i: number) => {
    if (!served.has(v)) errors.invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions');
  });
}

export const crdRules: KindRules = { defaults, prepareCreate, prepareUpdate, validate, validateUpdate };
