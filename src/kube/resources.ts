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
  extra?: Omit<Subresource, 'group' | 'version'>[];
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
      ...(s.extra ?? []).map((x) => ({ ...x, group: x.kind === s.kind ? group : '', version: 'v1' })),
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
    { kind: 'Secret', plural: 'secrets' },
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
  // No custom resources: an empty list answers kubectl's "is this kind a CRD?" before validation.
  ...groupVersion('apiextensions.k8s.io', 'v1', '', [
    {
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      verbs: ['get', 'list'],
      virtual: true,
    },
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

export const GROUPS: ApiGroup[] = [];
for (const r of RESOURCES) {
  const group =
    GROUPS.find((g) => g.name === r.group) ?? GROUPS[GROUPS.push({ name: r.group, versions: [] }) - 1]!;
  if (!group.versions.includes(r.version)) group.versions.push(r.version);
}

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

/** How errors name a kind: `deployments.apps "x" not found`. */
export function naming(kind: string): KindNaming {
  const r = byKind.get(kind);
  return r ? { resource: r.plural, group: r.group } : { resource: `${kind.toLowerCase()}s`, group: '' };
}
