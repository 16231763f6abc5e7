import { createHash } from 'node:crypto';
import { type Catalog, GROUPS, RESOURCES, type Resource } from '../../kube/resources.js';
import { definitions, type Schema } from '../schema/schema.js';
import { KUBERNETES_VERSION } from './discovery.js';

/**
 * OpenAPI v3, one document per group-version, built on first use and cached. kubectl reads it to
 * learn that the server validates fields itself (each PATCH operation carries the fieldValidation
 * parameter and x-kubernetes-group-version-kind), so it sends fieldValidation=Strict instead of
 * refusing `apply`; `kubectl explain` reads the component schemas.
 */
const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

const param = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});
const WRITE_PARAMS = [
  param('dryRun', 'When present, indicates that modifications should not be persisted.'),
  param(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  param(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
];
const PATCH_PARAMS = [
  ...WRITE_PARAMS,
  {
    ...param('force', 'Force is going to "force" Apply requests.'),
    schema: { type: 'boolean', uniqueItems: true },
  },
];
const LIST_PARAMS = [
  param('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  param('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  param('limit', 'limit is a maximum number of responses to return for a list call.'),
  param('continue', 'The continue option should be set when retrieving more results from the server.'),
  param(
    'resourceVersion',
    'resourceVersion sets a constraint on what resource versions a request may be served from.',
  ),
  param('timeoutSeconds', 'Timeout for the list/watch call.'),
  param(
    'watch',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
  ),
];

function content(ref: string) {
  const schema = { $ref: `#/components/schemas/${ref}` };
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function operation(
  action: string,
  gvk: { group: string; version: string; kind: string },
  definition: string,
  parameters: object[] = [],
  body = false,
) {
  return {
    description: `${action} ${gvk.kind}`,
    operationId: `${action}${gvk.group.replace(/\W/g, '')}${gvk.version}${gvk.kind}`,
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { content: content(definition), required: true } } : {}),
    responses: { '200': { description: 'OK', content: content(definition) } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

/** A custom resource's definition name: its group reversed, its version and kind (com.example.v1.Widget). */
const customName = (r: Resource) => `${r.group.split('.').reverse().join('.')}.${r.version}.${r.kind}`;
const definitionOf = (r: Resource) => r.definition ?? (r.custom ? customName(r) : undefined);

function pathsOf(r: Resource, prefix: string): Record<string, object> {
  const definition = definitionOf(r);
  if (!definition) return {};
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const list = `${definition}List`;
  const base = r.namespaced ? `/${prefix}/namespaces/{namespace}/${r.plural}` : `/${prefix}/${r.plural}`;
  const paths: Record<string, object> = {
    [base]: {
      get: operation('list', gvk, list, LIST_PARAMS),
      post: operation('post', gvk, definition, WRITE_PARAMS, true),
      delete: operation('deletecollection', gvk, 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', LIST_PARAMS),
    },
    [`${base}/{name}`]: {
      get: operation('get', gvk, definition),
      put: operation('put', gvk, definition, WRITE_PARAMS, true),
      patch: operation('patch', gvk, definition, PATCH_PARAMS, true),
      delete: operation(
        'delete',
        gvk,
        'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
        WRITE_PARAMS.slice(0, 1),
      ),
    },
  };
  for (const s of r.subresources) {
    if (s.name !== 'status' && s.name !== 'scale') continue;
    const sgvk = { group: s.group, version: s.version, kind: s.kind };
    const sdef = s.name === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : definition;
    paths[`${base}/{name}/${s.name}`] = {
      get: operation('get', sgvk, sdef),
      put: operation('put', sgvk, sdef, WRITE_PARAMS, true),
      patch: operation('patch', sgvk, sdef, PATCH_PARAMS, true),
    };
  }
  if (r.namespaced) paths[`/${prefix}/${r.plural}`] = { get: operation('list', gvk, list, LIST_PARAMS) };
  return paths;
}

/** Every definition reachable from the roots, with the GVK extension on the kinds themselves. */
function componentsFor(
  roots: string[],
  kinds: Map<string, object[]>,
  own: Record<string, Schema> = {},
): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    const schema = Object.hasOwn(own, name) ? own[name] : definitions[name];
    if (out[name] || !schema) continue;
    const gvks = kinds.get(name);
    out[name] = gvks ? { ...schema, 'x-kubernetes-group-version-kind': gvks } : schema;
    const text = JSON.stringify(schema);
    for (const m of text.matchAll(/#\/components\/schemas\/([\w.-]+)/g)) pending.push(m[1]!);
  }
  return out;
}

const documents = new Map<string, { body: string; hash: string }>();

/**
 * A custom resource's schema as the API server publishes it: the CRD's, with apiVersion, kind and
 * metadata (ObjectMeta) added, and its list.
 */
function customSchemas(r: Resource): Record<string, Schema> {
  const name = customName(r);
  const schema = structuredClone((r.custom?.schema ?? { type: 'object' }) as Schema);
  schema.properties = {
    apiVersion: {
      type: 'string',
      description:
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    },
    kind: {
      type: 'string',
      description:
        'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    },
    metadata: {
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    },
    ...(schema.properties ?? {}),
  };
  return {
    [name]: schema,
    [`${name}List`]: {
      description: `${r.kind}List is a list of ${r.kind}`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        items: { type: 'array', items: { $ref: `#/components/schemas/${name}` } },
        kind: { type: 'string' },
        metadata: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }] },
      },
    },
  };
}

function build(
  group: string,
  version: string,
  all: Resource[] = RESOURCES,
): { body: string; hash: string } | undefined {
  const resources = all.filter((r) => r.group === group && r.version === version && definitionOf(r));
  if (resources.length === 0) return undefined;
  const own: Record<string, Schema> = {};
  for (const r of resources) if (r.custom) Object.assign(own, customSchemas(r));
  const prefix = gvPath(group, version);
  const paths: Record<string, object> = {};
  for (const r of resources) Object.assign(paths, pathsOf(r, prefix));
  const kinds = new Map<string, object[]>();
  for (const r of resources)
    kinds.set(definitionOf(r)!, [{ group: r.group, kind: r.kind, version: r.version }]);
  const roots = [
    ...resources.filter((r) => !r.custom).flatMap((r) => [definitionOf(r)!, `${definitionOf(r)}List`]),
    ...Object.keys(own),
    'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
    'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  ];
  if (resources.some((r) => r.subresources.some((s) => s.name === 'scale')))
    roots.push('io.k8s.api.autoscaling.v1.Scale');
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths,
    components: { schemas: componentsFor(roots, kinds, own) },
  };
  const body = JSON.stringify(doc);
  return { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() };
}

const customDocuments = new WeakMap<
  Catalog,
  { generation: number; documents: Map<string, { body: string; hash: string }> }
>();

function documentFor(path: string, catalog?: Catalog): { body: string; hash: string } | undefined {
  const m = path.match(/^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/);
  if (!m) return undefined;
  const [group, version] = m[1] ? ['', m[1]] : [m[2]!, m[3]!];
  const key = `${group}/${version}`;
  if (catalog?.resources.some((r) => r.custom && r.group === group && r.version === version)) {
    let cache = customDocuments.get(catalog);
    if (cache?.generation !== catalog.generation) {
      cache = { generation: catalog.generation, documents: new Map() };
      customDocuments.set(catalog, cache);
    }
    if (!cache.documents.has(key)) {
      const built = build(group, version, catalog.resources);
      if (!built) return undefined;
      cache.documents.set(key, built);
    }
    return cache.documents.get(key);
  }
  if (!documents.has(key)) {
    const built = build(group, version);
    if (!built) return undefined;
    documents.set(key, built);
  }
  return documents.get(key);
}

/** The root listing every group-version document; hashes make kubectl cache them safely. */
export function openapiRoot(catalog?: Catalog): string {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of catalog?.groups ?? GROUPS) {
    for (const version of g.versions) {
      const prefix = gvPath(g.name, version);
      const doc = documentFor(`/openapi/v3/${prefix}`, catalog);
      if (doc) paths[prefix] = { serverRelativeURL: `/openapi/v3/${prefix}?hash=${doc.hash}` };
    }
  }
  return JSON.stringify({ paths });
}

/** Every group-version document, parsed (the Swagger 2.0 JSON form is made from them). */
export function groupVersionDocuments(catalog?: Catalog): {
  paths: Record<string, object>;
  components: { schemas: object };
}[] {
  const docs = [];
  for (const g of catalog?.groups ?? GROUPS) {
    for (const version of g.versions) {
      const doc = documentFor(`/openapi/v3/${gvPath(g.name, version)}`, catalog);
      if (doc) docs.push(JSON.parse(doc.body));
    }
  }
  return docs;
}

let root: string | undefined;

/**
 * The OpenAPI answer for a path: the root or a group-version document, with caching headers that
 * let kubectl keep a document in its HTTP cache for as long as its hash stays the same.
 */
export function openapiDocument(
  path: string,
  hash: string | null,
  catalog?: Catalog,
): { body: string; headers: Record<string, string> } | undefined {
  if (path === '/openapi/v3' || path === '/openapi/v3/') {
    if (catalog && catalog.generation > 0)
      return { body: openapiRoot(catalog), headers: { 'Cache-Control': 'no-cache, private' } };
    root ??= openapiRoot();
    return { body: root, headers: { 'Cache-Control': 'no-cache, private' } };
  }
  const doc = documentFor(path, catalog);
  if (!doc) return undefined;
  const immutable = hash === doc.hash;
  return {
    body: doc.body,
    headers: immutable
      ? {
          'Cache-Control': 'public, immutable',
          Etag: `"${doc.hash}"`,
          Expires: new Date(Date.now() + 365 * 86_400_000).toUTCString(),
        }
      : { 'Cache-Control': 'no-cache, private', Etag: `"${doc.hash}"` },
  };
}
