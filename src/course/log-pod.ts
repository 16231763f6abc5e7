import { condition, isPodReady, type KubeObject, labelsMatch, type Snapshot } from '../kube/objects.js';

/**
 * Which pod and container `kubectl logs <target>` reads, decided from objects already read, so the
 * logs can be fetched with one request (`/api/v1/namespaces/NS/pods/POD/log`) instead of one more
 * kubectl. The choice is kubectl's own: the pods of the owner's selector, sorted by ByLogging
 * (k8s.io/kubectl/pkg/util/podutils), the first one; the container named, else the one the
 * `kubectl.kubernetes.io/default-container` annotation names, else the first.
 */
const OWNERS: Record<string, { kind: string; resource: string }> = {
  job: { kind: 'Job', resource: 'jobs.batch' },
  jobs: { kind: 'Job', resource: 'jobs.batch' },
  deployment: { kind: 'Deployment', resource: 'deployments.apps' },
  deployments: { kind: 'Deployment', resource: 'deployments.apps' },
  deploy: { kind: 'Deployment', resource: 'deployments.apps' },
};
const POD_TYPES = new Set(['pod', 'pods', 'po']);

function parse(target: string): { type?: string; name: string } {
  const slash = target.indexOf('/');
  return slash === -1
    ? { name: target }
    : { type: target.slice(0, slash).toLowerCase(), name: target.slice(slash + 1) };
}

/** The kinds to read for choosing the pod of a target; none when kubectl must decide. */
export function logTargetKinds(target: string): string[] {
  const { type } = parse(target);
  if (type === undefined || POD_TYPES.has(type)) return ['Pod'];
  const owner = OWNERS[type];
  return owner ? ['Pod', owner.kind] : [];
}

export type LogSource = { pod: string; container?: string } | { error: string };

/**
 * The pod (and container) to read, an error as the API server would give it, or undefined when
 * kubectl must decide: a kind it resolves itself, a selector with expressions, or no pod yet
 * (kubectl then waits for one).
 */
export function logSource(snapshot: Snapshot, target: string, container?: string): LogSource | undefined {
  const { type, name } = parse(target);
  let pod: KubeObject | undefined;
  if (type === undefined || POD_TYPES.has(type)) {
    pod = snapshot.get('Pod', name);
    if (!pod) return { error: notFound(snapshot, 'pods', name) };
  } else {
    const owner = OWNERS[type];
    if (!owner) return undefined;
    const object = snapshot.get(owner.kind, name);
    if (!object) return { error: notFound(snapshot, owner.resource, name) };
    const selector = object.spec?.selector;
    if (!selector?.matchLabels || selector.matchExpressions?.length) return undefined;
    const pods = snapshot.all('Pod').filter((p) => labelsMatch(p.metadata.labels, selector.matchLabels));
    pod = [...pods].sort(byLogging)[0];
    if (!pod) return undefined;
  }
  const containers: { name: string }[] = pod.spec?.containers ?? [];
  const chosen =
    container ??
    pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ??
    (containers.length > 1 ? containers[0]?.name : undefined);
  return chosen ? { pod: pod.metadata.name, container: chosen } : { pod: pod.metadata.name };
}

/** Worded as `kubectl logs` words it, so the check says what the learner's command would. */
const notFound = (snapshot: Snapshot, resource: string, name: string) =>
  `error from server (NotFound): ${resource} "${name}" not found in namespace "${snapshot.namespace}"`;

const PHASE_RANK: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };

/** ByLogging.Less as a comparator: the pod kubectl would pick comes first. */
export function byLogging(a: KubeObject, b: KubeObject): number {
  const assignedA = Boolean(a.spec?.nodeName);
  const assignedB = Boolean(b.spec?.nodeName);
  if (a.spec?.nodeName !== b.spec?.nodeName && assignedA !== assignedB) return assignedA ? -1 : 1;
  const rankA = PHASE_RANK[a.status?.phase] ?? 0;
  const rankB = PHASE_RANK[b.status?.phase] ?? 0;
  if (rankA !== rankB) return rankA - rankB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? -1 : 1;
  if (readyA && readyB) {
    const order = earlierFirst(readyTime(a), readyTime(b));
    if (order !== 0) return order;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  return earlierFirst(timeOf(a.metadata.creationTimestamp), timeOf(b.metadata.creationTimestamp));
}

/** afterOrZero: the earlier time first, a missing time last; 0 when equal. */
function earlierFirst(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}

const timeOf = (value: unknown) => (typeof value === 'string' && value ? Date.parse(value) : undefined);
const readyTime = (pod: KubeObject) => timeOf(condition(pod, 'Ready')?.lastTransitionTime);

function maxRestarts(pod: KubeObject): number {
  const statuses: { restartCount?: number }[] = pod.status?.containerStatuses ?? [];
  return Math.max(0, ...statuses.map((s) => s.restartCount ?? 0));
}
