import type { KubeObject } from './objects.js';
import { hasOwn, setOwn } from './own.js';
import { type ExactQuantity, exactQuantity, formatExact } from './quantity.js';
import { naming, RESOURCES } from './resources.js';

/**
 * What a ResourceQuota counts (pkg/quota/v1 and its evaluators in pkg/quota/v1/evaluator/core):
 * the usage of one object, resource lists added, masked and compared as resource.Quantity does,
 * and which objects a quota's scopes select. Shared by quota admission and the quota controller.
 */
export type ResourceList = Record<string, string>;

const zero: ExactQuantity = { nanos: 0n, format: 'decimal' };
const exact = (value: unknown): ExactQuantity => exactQuantity(value) ?? zero;

/** quota.Add: the sum of two lists; a shared key keeps the format of the first. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (!hasOwn(out, key)) {
      setOwn(out, key, value);
      continue;
    }
    // Quantity.Add: a zero takes the format of what is added to it.
    const first = exact(out[key]);
    const second = exact(value);
    const format = first.nanos === 0n ? second.format : first.format;
    setOwn(out, key, formatExact({ nanos: first.nanos + second.nanos, format }));
  }
  return out;
}

/** quota.SubtractWithNonNegativeResult. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [key, value] of Object.entries(a)) {
    const first = exact(value);
    const nanos = first.nanos - (hasOwn(b, key) ? exact(b[key]).nanos : 0n);
    setOwn(out, key, formatExact({ nanos: nanos < 0n ? 0n : nanos, format: first.format }));
  }
  return out;
}

export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const name of names) if (hasOwn(list, name)) setOwn(out, name, list[name]);
  return out;
}

export const removeZeros = (list: ResourceList): ResourceList =>
  Object.fromEntries(Object.entries(list).filter(([, v]) => exact(v).nanos !== 0n));

/** quota.LessThanOrEqual: the names whose value in `a` is above `hard` (missing in hard is no limit). */
export function exceeding(a: ResourceList, hard: ResourceList): string[] {
  return Object.keys(a).filter((k) => hasOwn(hard, k) && exact(a[k]).nanos > exact(hard[k]).nanos);
}

/** prettyPrint: `requests.cpu=2,requests.memory=1Gi`, sorted by name. */
export const prettyPrint = (list: ResourceList): string =>
  Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatExact(exact(list[k]))}`)
    .join(',');

export const sameUsage = (a: ResourceList, b: ResourceList): boolean =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.keys(a).every((k) => hasOwn(b, k) && exact(a[k]).nanos === exact(b[k]).nanos);

/** generic.ObjectCountQuotaResourceNameFor: `count/pods`, `count/deployments.apps`. */
export function countName(kind: string): string {
  const { resource, group } = naming(kind);
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

const isTerminal = (pod: KubeObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** QuotaV1Pod: a finished pod, or one past its deletion grace period, is no longer charged. */
function podCharged(pod: KubeObject, nowMs: number): boolean {
  if (isTerminal(pod)) return false;
  const meta = pod.metadata as { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined)
    return nowMs <= Date.parse(meta.deletionTimestamp) + meta.deletionGracePeriodSeconds * 1000;
  return true;
}

type Container = { resources?: { requests?: ResourceList; limits?: ResourceList }; restartPolicy?: string };

/** resourcehelper.PodRequests / PodLimits: containers (and sidecars) summed, the largest init container, overhead. */
export function podResources(
  pod: KubeObject,
  field: 'requests' | 'limits',
  options: { overhead?: boolean } = {},
): ResourceList {
  const containers = (pod.spec?.containers ?? []) as Container[];
  const inits = (pod.spec?.initContainers ?? []) as Container[];
  let sum: ResourceList = {};
  for (const c of containers) sum = addLists(sum, c.resources?.[field] ?? {});
  let sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of inits) {
    const own = c.resources?.[field] ?? {};
    if (c.restartPolicy === 'Always') {
      sum = addLists(sum, own);
      sidecars = addLists(sidecars, own);
      continue;
    }
    // An init container runs beside the sidecars started before it.
    const running = addLists(own, sidecars);
    for (const [k, v] of Object.entries(running))
      if (!hasOwn(initMax, k) || exact(v).nanos > exact(initMax[k]).nanos) setOwn(initMax, k, v);
  }
  for (const [k, v] of Object.entries(initMax))
    if (!hasOwn(sum, k) || exact(v).nanos > exact(sum[k]).nanos) setOwn(sum, k, v);
  if (pod.spec?.overhead && options.overhead !== false) {
    const overhead = mask(pod.spec.overhead as ResourceList, Object.keys(sum));
    sum = addLists(sum, overhead);
  }
  return sum;
}

/** podComputeUsageHelper: what requests and limits charge. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: '1' };
  for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
    if (hasOwn(requests, name)) {
      out[name] = requests[name]!;
      out[`requests.${name}`] = requests[name]!;
    }
    if (hasOwn(limits, name)) out[`limits.${name}`] = limits[name]!;
  }
  for (const [name, value] of Object.entries(requests))
    if (name.startsWith('hugepages-')) {
      setOwn(out, name, value);
      setOwn(out, `requests.${name}`, value);
    }
  return out;
}

function podUsage(pod: KubeObject, nowMs: number): ResourceList {
  const count: ResourceList = { 'count/pods': '1' };
  if (!podCharged(pod, nowMs)) return count;
  return addLists(count, computeUsage(podResources(pod, 'requests'), podResources(pod, 'limits')));
}

function serviceUsage(svc: KubeObject): ResourceList {
  const ports = (svc.spec?.ports ?? []) as { nodePort?: number }[];
  const out: ResourceList = {
    'count/services': '1',
    services: '1',
    'services.nodeports': '0',
    'services.loadbalancers': '0',
  };
  if (svc.spec?.type === 'NodePort') out['services.nodeports'] = String(ports.length);
  if (svc.spec?.type === 'LoadBalancer') {
    const explicit = ports.filter((p) => p.nodePort).length;
    out['services.nodeports'] = String(
      svc.spec?.allocateLoadBalancerNodePorts === false ? explicit : ports.length,
    );
    out['services.loadbalancers'] = '1';
  }
  return out;
}

const CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

function claimUsage(pvc: KubeObject): ResourceList {
  const out: ResourceList = { 'count/persistentvolumeclaims': '1', persistentvolumeclaims: '1' };
  const requested = pvc.spec?.resources?.requests?.storage;
  const allocated = pvc.status?.allocatedResources?.storage;
  let storage = requested;
  if (allocated !== undefined && (requested === undefined || exact(allocated).nanos > exact(requested).nanos))
    storage = allocated;
  const storageClass =
    pvc.spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
  if (storageClass) out[`${storageClass}${CLASS_SUFFIX}persistentvolumeclaims`] = '1';
  if (storage !== undefined) {
    out['requests.storage'] = String(storage);
    if (storageClass) out[`${storageClass}${CLASS_SUFFIX}requests.storage`] = String(storage);
  }
  return out;
}

/** The resources a container asks for, by their own names. */
export const CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
/** Those, and the `requests.` and `limits.` names that quotas and LimitRanges give them (with requests.storage). */
export const COMPUTE_RESOURCES = [
  ...CONTAINER_RESOURCES,
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
];
/** The objects a quota counts by their plain resource names (not `count/`). */
export const OBJECT_COUNTS = [
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
];

/** The quota resources named without `count/` that an object-count evaluator also charges. */
const LEGACY_COUNTS: Record<string, string> = {
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  ReplicationController: 'replicationcontrollers',
  ResourceQuota: 'resourcequotas',
};

/** One kind's evaluator: what an object charges, which quota resources are its, and when writes count. */
export interface Evaluator {
  kind: string;
  usage(object: KubeObject, nowMs: number): ResourceList;
  matches(name: string): boolean;
  /** Updates are charged for what they add (services, claims); otherwise only creates count. */
  updates: boolean;
}

const POD_RESOURCES = new Set([
  'count/pods',
  'pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);

function evaluatorOf(kind: string): Evaluator {
  const count = countName(kind);
  if (kind === 'Pod')
    return {
      kind,
      usage: podUsage,
      updates: false,
      matches: (n) =>
        POD_RESOURCES.has(n) ||
        n.startsWith('hugepages-') ||
        n.startsWith('requests.hugepages-') ||
        (n.startsWith('requests.') && n.includes('/')),
    };
  if (kind === 'Service')
    return {
      kind,
      usage: serviceUsage,
      updates: true,
      matches: (n) =>
        ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'].includes(n),
    };
  if (kind === 'PersistentVolumeClaim')
    return {
      kind,
      usage: claimUsage,
      updates: true,
      matches: (n) =>
        ['count/persistentvolumeclaims', 'persistentvolumeclaims', 'requests.storage'].includes(n) ||
        (n.includes(CLASS_SUFFIX) &&
          ['persistentvolumeclaims', 'requests.storage'].includes(n.slice(n.indexOf('/') + 1))),
    };
  const legacy = LEGACY_COUNTS[kind];
  return {
    kind,
    usage: () => ({ [count]: '1', ...(legacy ? { [legacy]: '1' } : {}) }),
    updates: false,
    matches: (n) => n === count || n === legacy,
  };
}

const evaluators = new Map<string, Evaluator>();
export function evaluatorFor(kind: string): Evaluator {
  const known = evaluators.get(kind);
  if (known) return known;
  const made = evaluatorOf(kind);
  evaluators.set(kind, made);
  return made;
}

/** The kinds whose objects a quota with these hard resources counts (the built-in ones). */
export function kindsCounted(hard: Iterable<string>): string[] {
  const names = [...hard];
  const kinds = new Set(['Pod', 'Service', 'PersistentVolumeClaim', ...Object.keys(LEGACY_COUNTS)]);
  for (const r of RESOURCES) if (!r.virtual) kinds.add(r.kind);
  return [...kinds].filter((kind) => names.some((n) => evaluatorFor(kind).matches(n)));
}

// biome-ignore lint/suspicious/noExplicitAny: a quota's scope selector is open JSON.
type Scoped = { scopeName?: string; operator?: string; values?: any[] };

/** helper.GetScopeSelectorsFromQuota: spec.scopes as Exists requirements, then the scope selector's. */
export function scopeSelectors(quota: KubeObject): Scoped[] {
  const scopes = ((quota.spec?.scopes ?? []) as string[]).map((s) => ({ scopeName: s, operator: 'Exists' }));
  return [...scopes, ...((quota.spec?.scopeSelector?.matchExpressions ?? []) as Scoped[])];
}

function bestEffort(pod: KubeObject): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Container[];
  return all.every(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length === 0 &&
      Object.keys(c.resources?.limits ?? {}).length === 0,
  );
}

/** podMatchesScopeFunc; other kinds match no scope (generic.MatchesNoScopeFunc). */
function matchesScope(kind: string, object: KubeObject, selector: Scoped): boolean {
  if (kind !== 'Pod') return false;
  const deadline = object.spec?.activeDeadlineSeconds;
  const terminating = typeof deadline === 'number' && deadline >= 0;
  switch (selector.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return bestEffort(object);
    case 'NotBestEffort':
      return !bestEffort(object);
    case 'PriorityClass': {
      const priorityClass = object.spec?.priorityClassName ?? '';
      const values = (selector.values ?? []).map(String);
      if (selector.operator === 'Exists') return priorityClass !== '';
      if (selector.operator === 'DoesNotExist') return priorityClass === '';
      if (selector.operator === 'In') return priorityClass !== '' && values.includes(priorityClass);
      if (selector.operator === 'NotIn') return priorityClass === '' || !values.includes(priorityClass);
      return false;
    }
    default:
      return false;
  }
}

/** generic.Matches: the quota's status.hard names a resource of the kind, and every scope selects the object. */
export function quotaMatches(quota: KubeObject, kind: string, object: KubeObject): boolean {
  const hard = Object.keys((quota.status?.hard ?? {}) as ResourceList);
  if (!hard.some((n) => evaluatorFor(kind).matches(n))) return false;
  return scopeSelectors(quota).every((s) => matchesScope(kind, object, s));
}

/**
 * What the quota controller writes as status.used: for each hard resource, the usage of the
 * namespace's objects that the quota's scopes select (CalculateUsageStats).
 */
export function quotaUsed(
  quota: KubeObject,
  list: (kind: string) => KubeObject[],
  nowMs = Date.now(),
): ResourceList {
  const hard = Object.keys((quota.spec?.hard ?? {}) as ResourceList);
  let used: ResourceList = {};
  for (const kind of kindsCounted(hard)) {
    const evaluator = evaluatorFor(kind);
    const names = hard.filter((n) => evaluator.matches(n));
    let sum: ResourceList = Object.fromEntries(names.map((n) => [n, '0']));
    for (const object of list(kind)) {
      if (!scopeSelectors(quota).every((s) => matchesScope(kind, object, s))) continue;
      sum = addLists(sum, mask(evaluator.usage(object, nowMs), names));
    }
    used = addLists(used, sum);
  }
  return used;
}
