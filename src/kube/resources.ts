/** How the API names a kind: its resource (plural) and group, as errors and discovery spell them. */
export interface KindNaming {
  resource: string;
  group: string;
}

/**
 * Every resource the simulated API serves, as discovery describes it. The store keeps each kind in
 * one version (the first listed here); a second version of the same kind (autoscaling/v1
 * HorizontalPodAutoscaler) is converted on the way in and out.
 */
export interface Subresource {
  name: string;
  kind: string;
  group: string;
  version: string;
  verbs: string[];
}

export interface Resource {
  kind: string;
  /** The kind under which the store keeps these objects (differs only for metrics). */
  storeKind: string;
  group: string;
  version: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: Subresource[];
  /** The OpenAPI definition of the kind, when the simulator has its schema. */
  definition?: string;
  /** Served from the runtime (metrics.k8s.io), not the store. */
  virtual?: boolean;
  /** Defined at run time by a CustomResourceDefinition (see `Catalog`). */
  custom?: CustomResource;
}

/** What a CustomResourceDefinition says of one served version of its resource. */
export interface CustomResource {
  /** The CRD's name, `<plural>.<group>`: also the kind under which the store keeps the objects. */
  crd: string;
  /** The version the objects are stored in (any served version reads and writes them as they are). */
  storageVersion: string;
  listKind: string;
  /** The version's openAPIV3Schema (structural). */
  schema?: Record<string, unknown>;
  printerColumns: PrinterColumn[];
  /** The scale subresource's paths, when declared. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  status: boolean;
}

/** An additionalPrinterColumn of a CRD version. */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS = (group: string, version: string, kind: string): Subresource => ({
  name: 'status',
  kind,
  group,
  version,
  verbs: ['get', 'patch', 'update'],
});
const SCALE = (): Subresource => ({
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
});

interface Spec {
  kind: string;
  plural: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  status?: boolean;
  scale?: boolean;
  extra?: (Omit<Subresource, 'group' | 'version'> & { group?: string })[];
  definition?: string;
  virtual?: boolean;
}

function groupVersion(group: string, version: string, definitionPrefix: string, specs: Spec[]): Resource[] {
  return specs.map((s) => ({
    kind: s.kind,
    storeKind: s.kind,
    group,
    version,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced ?? true,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: s.verbs ?? ALL_VERBS,
    subresources: [
      ...(s.scale ? [SCALE()] : []),
      ...(s.status ? [STATUS(group, version, s.kind)] : []),
      ...(s.extra ?? []).map((x) => ({
        ...x,
        group: x.group ?? (x.kind === s.kind ? group : ''),
        version: 'v1',
      })),
    ],
    definition: s.definition ?? (s.virtual ? undefined : `${definitionPrefix}.${s.kind}`),
    virtual: s.virtual,
  }));
}

const podExtras: Spec['extra'] = [
  { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  { name: 'binding', kind: 'Binding', verbs: ['create'] },
  { name: 'eviction', kind: 'Eviction', verbs: ['create'] },
  { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { name: 'log', kind: 'Pod', verbs: ['get'] },
  { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
];

export const RESOURCES: Resource[] = [
  ...groupVersion('', 'v1', 'io.k8s.api.core.v1', [
    { kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] },
    { kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] },
    {
      kind: 'Event',
      plural: 'events',
      shortNames: ['ev'],
    },
    { kind: 'LimitRange', plural: 'limitranges', shortNames: ['limits'] },
    {
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      status: true,
      extra: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
    },
    {
      kind: 'Node',
      plural: 'nodes',
      namespaced: false,
      shortNames: ['no'],
      status: true,
      extra: [
        { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      ],
    },
    {
      kind: 'PersistentVolumeClaim',
      plural: 'persistentvolumeclaims',
      shortNames: ['pvc'],
      status: true,
    },
    {
      kind: 'PersistentVolume',
      plural: 'persistentvolumes',
      namespaced: false,
      shortNames: ['pv'],
      status: true,
    },
    { kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'], status: true, extra: podExtras },
    {
      kind: 'ReplicationController',
      plural: 'replicationcontrollers',
      shortNames: ['rc'],
      categories: ['all'],
      status: true,
      scale: true,
    },
    { kind: 'ResourceQuota', plural: 'resourcequotas', shortNames: ['quota'], status: true },
    { kind: 'Secret', plural: 'secrets' },
    {
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      shortNames: ['sa'],
      extra: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', verbs: ['create'] }],
    },
    {
      kind: 'Service',
      plural: 'services',
      shortNames: ['svc'],
      categories: ['all'],
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      status: true,
      extra: [
        { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      ],
    },
  ]),
  ...groupVersion('apps', 'v1', 'io.k8s.api.apps.v1', [
    { kind: 'ControllerRevision', plural: 'controllerrevisions' },
    { kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'], status: true },
    {
      kind: 'Deployment',
      plural: 'deployments',
      shortNames: ['deploy'],
      categories: ['all'],
      status: true,
      scale: true,
    },
    {
      kind: 'ReplicaSet',
      plural: 'replicasets',
      shortNames: ['rs'],
      categories: ['all'],
      status: true,
      scale: true,
    },
    {
      kind: 'StatefulSet',
      plural: 'statefulsets',
      shortNames: ['sts'],
      categories: ['all'],
      status: true,
      scale: true,
    },
  ]),
  ...groupVersion('autoscaling', 'v2', 'io.k8s.api.autoscaling.v2', [
    {
      kind: 'HorizontalPodAutoscaler',
      plural: 'horizontalpodautoscalers',
      shortNames: ['hpa'],
      categories: ['all'],
      status: true,
    },
  ]),
  ...groupVersion('autoscaling', 'v1', 'io.k8s.api.autoscaling.v1', [
    {
      kind: 'HorizontalPodAutoscaler',
      plural: 'horizontalpodautoscalers',
      shortNames: ['hpa'],
      categories: ['all'],
      status: true,
    },
  ]),
  ...groupVersion('batch', 'v1', 'io.k8s.api.batch.v1', [
    { kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'], status: true },
    { kind: 'Job', plural: 'jobs', categories: ['all'], status: true },
  ]),
  ...groupVersion('coordination.k8s.io', 'v1', 'io.k8s.api.coordination.v1', [
    { kind: 'Lease', plural: 'leases' },
  ]),
  ...groupVersion('discovery.k8s.io', 'v1', 'io.k8s.api.discovery.v1', [
    { kind: 'EndpointSlice', plural: 'endpointslices' },
  ]),
  ...groupVersion('networking.k8s.io', 'v1', 'io.k8s.api.networking.v1', [
    { kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], status: true },
  ]),
  ...groupVersion('storage.k8s.io', 'v1', 'io.k8s.api.storage.v1', [
    { kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] },
  ]),
  ...groupVersion('apiextensions.k8s.io', 'v1', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1', [
    {
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      status: true,
    },
  ]),
  ...groupVersion('rbac.authorization.k8s.io', 'v1', 'io.k8s.api.rbac.v1', [
    { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
    { kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
    { kind: 'RoleBinding', plural: 'rolebindings' },
    { kind: 'Role', plural: 'roles' },
  ]),
  // Reviews: created and answered, never stored.
  ...groupVersion('authentication.k8s.io', 'v1', 'io.k8s.api.authentication.v1', [
    { kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'] },
    { kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: ['create'] },
  ]),
  ...groupVersion('authorization.k8s.io', 'v1', 'io.k8s.api.authorization.v1', [
    {
      kind: 'SelfSubjectAccessReview',
      plural: 'selfsubjectaccessreviews',
      namespaced: false,
      verbs: ['create'],
    },
    {
      kind: 'SelfSubjectRulesReview',
      plural: 'selfsubjectrulesreviews',
      namespaced: false,
      verbs: ['create'],
    },
    { kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', verbs: ['create'] },
    { kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: ['create'] },
  ]),
  ...groupVersion('metrics.k8s.io', 'v1beta1', '', [
    { kind: 'NodeMetrics', plural: 'nodes', namespaced: false, verbs: ['get', 'list'], virtual: true },
    { kind: 'PodMetrics', plural: 'pods', verbs: ['get', 'list'], virtual: true },
  ]),
];

/** A served group and its versions, the preferred one first. */
export interface ApiGroup {
  name: string;
  versions: string[];
}

export const GROUPS: ApiGroup[] = groupsOf(RESOURCES);

const byPath = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));
const byKind = new Map<string, Resource>();
for (const r of RESOURCES) if (!byKind.has(r.kind)) byKind.set(r.kind, r);

export function findResource(group: string, version: string, plural: string): Resource | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

/** The stored (first-listed) version of a kind. */
export function resourceOfKind(kind: string): Resource | undefined {
  return byKind.get(kind);
}

export const apiVersionOf = (r: { group: string; version: string }) =>
  r.group ? `${r.group}/${r.version}` : r.version;

/**
 * How errors name a kind: `deployments.apps "x" not found`. Custom resources are stored under
 * their CRD's name, `<plural>.<group>`, which says it.
 */
export function naming(kind: string): KindNaming {
  const r = byKind.get(kind);
  if (r) return { resource: r.plural, group: r.group };
  const dot = kind.indexOf('.');
  if (dot > 0) return { resource: kind.slice(0, dot), group: kind.slice(dot + 1) };
  return { resource: `${kind.toLowerCase()}s`, group: '' };
}

/**
 * The resources one API server serves: the built-in ones and those its CustomResourceDefinitions
 * define, which come and go at run time. `generation` changes with them, so that what is computed
 * from the catalog (discovery, OpenAPI) is computed again.
 */
export class Catalog {
  private readonly custom = new Map<string, Resource[]>();
  private all: Resource[] = RESOURCES;
  private groupList: ApiGroup[] = GROUPS;
  generation = 0;

  get resources(): Resource[] {
    return this.all;
  }

  get groups(): ApiGroup[] {
    return this.groupList;
  }

  find(group: string, version: string, plural: string): Resource | undefined {
    const builtin = findResource(group, version, plural);
    if (builtin) return builtin;
    for (const served of this.custom.values())
      for (const r of served) if (r.group === group && r.version === version && r.plural === plural) return r;
    return undefined;
  }

  /** The CRD-defined resources, one per served version, or none to stop serving them. */
  define(crd: string, served: Resource[]): void {
    const before = JSON.stringify(this.custom.get(crd) ?? []);
    if (served.length === 0) this.custom.delete(crd);
    else this.custom.set(crd, served);
    if (before === JSON.stringify(served)) return;
    this.all = [...RESOURCES, ...[...this.custom.values()].flat()];
    this.groupList = groupsOf(this.all);
    this.generation++;
  }

  /** The served resources of a CRD (its versions). */
  defined(crd: string): Resource[] {
    return this.custom.get(crd) ?? [];
  }
}

function groupsOf(resources: Resource[]): ApiGroup[] {
  const groups: ApiGroup[] = [];
  for (const r of resources) {
    const group =
      groups.find((g) => g.name === r.group) ?? groups[groups.push({ name: r.group, versions: [] }) - 1]!;
    if (!group.versions.includes(r.version)) group.versions.push(r.version);
  }
  return groups;
}
