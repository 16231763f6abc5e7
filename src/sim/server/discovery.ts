import { createHash } from 'node:crypto';
import {
  type ApiGroup,
  type Catalog,
  GROUPS,
  RESOURCES,
  type Resource,
  resourceOfKind,
} from '../../kube/resources.js';

/**
 * Discovery, computed once: the aggregated form kubectl 1.27+ asks for first (apidiscovery.k8s.io
 * v2 and v2beta1: every group, version and resource in two answers, /api and /apis) and the legacy
 * documents older clients and the fallback read (/api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION).
 */
export const KUBERNETES_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.2',
  gitCommit: '67a30c0adcf52bd3f56ff0893ce19966be12991f',
  gitTreeState: 'clean',
  buildDate: '2025-02-12T21:19:47Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const gv = (group: string, version: string) => (group ? `${group}/${version}` : version);

/**
 * The legacy documents' storageVersionHash of a stored resource: the first 8 bytes of the SHA-256
 * of its storage "group/version/kind", in base64 (apiserver's storageversionhash package). The
 * metrics API is aggregated (metrics-server has no storage) and gives none.
 */
function storageVersionHash(r: Resource): string | undefined {
  if (r.group === 'metrics.k8s.io') return undefined;
  const stored = resourceOfKind(r.kind) ?? r;
  return createHash('sha256')
    .update(`${stored.group}/${stored.version}/${stored.kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}

function legacyResources(all: Resource[], group: string, version: string): object {
  const resources: object[] = [];
  for (const r of all.filter((x) => x.group === group && x.version === version)) {
    const hash = storageVersionHash(r);
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
      ...(hash ? { storageVersionHash: hash } : {}),
    });
    for (const s of r.subresources) {
      resources.push({
        name: `${r.plural}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.group !== group || s.version !== version ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources };
}

function aggregatedResource(r: Resource): object {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group, version: s.version, kind: s.kind },
            verbs: s.verbs,
          })),
        }
      : {}),
  };
}

function aggregated(all: Resource[], groups: ApiGroup[], apiVersion: string, core: boolean): object {
  const items = groups
    .filter((g) => (g.name === '') === core)
    .map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        resources: all.filter((r) => r.group === g.name && r.version === version).map(aggregatedResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

function apiGroup(name: string, versions: string[]): object {
  const list = versions.map((version) => ({ groupVersion: gv(name, version), version }));
  return { name, versions: list, preferredVersion: list[0] };
}

export interface Document {
  body: string;
  contentType: string;
}

const json = (value: object, contentType = 'application/json'): Document => ({
  body: JSON.stringify(value),
  contentType,
});

const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

type Documents = ReturnType<typeof documentsOf>;

/** Every discovery document of a set of resources. */
const documentsOf = (all: Resource[], groups: ApiGroup[]) => ({
  version: json(KUBERNETES_VERSION),
  api: json({
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
  }),
  apis: json({
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.filter((g) => g.name !== '').map((g) => apiGroup(g.name, g.versions)),
  }),
  apiV2: json(aggregated(all, groups, 'apidiscovery.k8s.io/v2', true), AGGREGATED_V2),
  apisV2: json(aggregated(all, groups, 'apidiscovery.k8s.io/v2', false), AGGREGATED_V2),
  apiV2beta1: json(aggregated(all, groups, 'apidiscovery.k8s.io/v2beta1', true), AGGREGATED_V2BETA1),
  apisV2beta1: json(aggregated(all, groups, 'apidiscovery.k8s.io/v2beta1', false), AGGREGATED_V2BETA1),
  groups: new Map(
    groups.map((g) => [
      g.name,
      json({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.name, g.versions) }),
    ]),
  ),
  resources: new Map(
    groups.flatMap((g) =>
      g.versions.map((v) => [gv(g.name, v), json(legacyResources(all, g.name, v))] as const),
    ),
  ),
});

const builtin = documentsOf(RESOURCES, GROUPS);
const computed = new WeakMap<Catalog, { generation: number; documents: Documents }>();

/** The documents of a server's catalog, computed again when its CRDs change what it serves. */
function documentsFor(catalog: Catalog | undefined): Documents {
  if (!catalog || catalog.generation === 0) return builtin;
  const cached = computed.get(catalog);
  if (cached?.generation === catalog.generation) return cached.documents;
  const documents = documentsOf(catalog.resources, catalog.groups);
  computed.set(catalog, { generation: catalog.generation, documents });
  return documents;
}

/** Which aggregated discovery version the client accepts, in its order of preference. */
function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    if (!/as=APIGroupDiscoveryList/.test(part) || !/g=apidiscovery\.k8s\.io/.test(part)) continue;
    if (/v=v2beta1/.test(part)) return 'v2beta1';
    if (/v=v2(;|$)/.test(part)) return 'v2';
  }
  return undefined;
}

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discoveryDocument(
  path: string,
  accept: string | undefined,
  catalog?: Catalog,
): Document | undefined {
  const documents = documentsFor(catalog);
  if (path === '/version' || path === '/version/') return documents.version;
  if (path === '/api' || path === '/api/') {
    const v = aggregatedVersion(accept);
    return v === 'v2' ? documents.apiV2 : v === 'v2beta1' ? documents.apiV2beta1 : documents.api;
  }
  if (path === '/apis' || path === '/apis/') {
    const v = aggregatedVersion(accept);
    return v === 'v2' ? documents.apisV2 : v === 'v2beta1' ? documents.apisV2beta1 : documents.apis;
  }
  if (path === '/api/v1') return documents.resources.get('v1');
  const group = path.match(/^\/apis\/([^/]+)\/?$/);
  if (group) return documents.groups.get(group[1]!);
  const version = path.match(/^\/apis\/([^/]+)\/([^/]+)\/?$/);
  if (version) return documents.resources.get(`${version[1]}/${version[2]}`);
  return undefined;
}
