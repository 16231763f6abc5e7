/** The shapes of Kubernetes objects that checks read (only what they read; the rest passes through). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  // biome-ignore lint/suspicious/noExplicitAny: object bodies are read through paths and guards.
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  status?: any;
  [field: string]: unknown;
}

/**
 * The kinds checks may name, with the fully qualified resource that `kubectl get` takes (so that
 * `kubectl get a,b,c` is never ambiguous) and whether they live in a namespace. A group with dots
 * carries its version too: kubectl reads `endpointslices.discovery.k8s.io` first as
 * resource.version.group, finds no version "discovery", and downloads discovery again each time.
 */
export const KINDS: Record<string, { resource: string; namespaced: boolean }> = {
  Namespace: { resource: 'namespaces', namespaced: false },
  Node: { resource: 'nodes', namespaced: false },
  PersistentVolume: { resource: 'persistentvolumes', namespaced: false },
  StorageClass: { resource: 'storageclasses.v1.storage.k8s.io', namespaced: false },
  Pod: { resource: 'pods', namespaced: true },
  Service: { resource: 'services', namespaced: true },
  Endpoints: { resource: 'endpoints', namespaced: true },
  EndpointSlice: { resource: 'endpointslices.v1.discovery.k8s.io', namespaced: true },
  ConfigMap: { resource: 'configmaps', namespaced: true },
  Secret: { resource: 'secrets', namespaced: true },
  PersistentVolumeClaim: { resource: 'persistentvolumeclaims', namespaced: true },
  Event: { resource: 'events', namespaced: true },
  Deployment: { resource: 'deployments.apps', namespaced: true },
  ReplicaSet: { resource: 'replicasets.apps', namespaced: true },
  Job: { resource: 'jobs.batch', namespaced: true },
  CronJob: { resource: 'cronjobs.batch', namespaced: true },
  HorizontalPodAutoscaler: { resource: 'horizontalpodautoscalers.autoscaling', namespaced: true },
};

/** Objects read from the cluster in one batched call, by kind, for one namespace plus cluster-scoped kinds. */
export class Snapshot {
  private readonly byKind = new Map<string, KubeObject[]>();

  constructor(
    readonly namespace: string,
    objects: KubeObject[],
  ) {
    for (const object of objects) {
      if (!object.kind) continue;
      const list = this.byKind.get(object.kind) ?? [];
      list.push(object);
      this.byKind.set(object.kind, list);
    }
  }

  all(kind: string, namespace = this.namespace): KubeObject[] {
    const list = this.byKind.get(kind) ?? [];
    if (!KINDS[kind]?.namespaced) return list;
    return list.filter((o) => (o.metadata.namespace ?? namespace) === namespace);
  }

  get(kind: string, name: string, namespace = this.namespace): KubeObject | undefined {
    return this.all(kind, namespace).find((o) => o.metadata.name === name);
  }
}

/** Label selectors as kubectl takes them: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`. */
export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: string | undefined,
): boolean {
  if (!selector || selector.trim() === '') return true;
  const have = labels ?? {};
  return splitSelector(selector).every((term) => {
    const set = term.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      const value = have[set[1]!];
      return set[2] === 'in'
        ? value !== undefined && values.includes(value)
        : value === undefined || !values.includes(value);
    }
    const cmp = term.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/);
    if (cmp) {
      const value = have[cmp[1]!];
      return cmp[2] === '!=' ? value !== cmp[3] : value === cmp[3];
    }
    if (term.startsWith('!')) return have[term.slice(1).trim()] === undefined;
    return have[term] !== undefined;
  });
}

function splitSelector(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) terms.push(current.trim());
  return terms;
}

/** A Deployment's matchLabels as a selector string, for reading its ReplicaSets and pods. */
export function selectorOf(object: KubeObject): Record<string, string> {
  return (object.spec?.selector?.matchLabels as Record<string, string> | undefined) ?? {};
}

export function labelsMatch(
  labels: Record<string, string> | undefined,
  wanted: Record<string, string>,
): boolean {
  return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

export function isOwnedBy(object: KubeObject, owner: KubeObject): boolean {
  return (object.metadata.ownerReferences ?? []).some(
    (ref) =>
      ref.kind === owner.kind &&
      ref.name === owner.metadata.name &&
      (!ref.uid || !owner.metadata.uid || ref.uid === owner.metadata.uid),
  );
}

export function condition(
  object: KubeObject,
  type: string,
):
  | { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
  | undefined {
  const conditions = (object.status?.conditions ?? []) as {
    type: string;
    status: string;
    reason?: string;
    message?: string;
    lastTransitionTime?: string;
  }[];
  return conditions.find((c) => c.type === type);
}

export function isPodReady(pod: KubeObject): boolean {
  return condition(pod, 'Ready')?.status === 'True' && !pod.metadata.deletionTimestamp;
}
