import type { KubeObject } from '../../kube/objects.js';
import { parseQuantity } from '../../kube/quantity.js';
import type { StoreEvent } from '../store.js';
import { Controller, type ControllerSettings } from './controller.js';
import { announce, findCondition, keyOf, splitKey, timestamp, writeObject, writeStatus } from './meta.js';
import { isTerminal, podRequests } from './pods.js';
import { claimsOf, isBound, provisionAndBind } from './volumes.js';

const COMPONENT = 'default-scheduler';

interface Verdict {
  /** A reason that no node can fix (counted per node) or a PreFilter failure (said once). */
  reasons: Map<string, number>;
  preFilter?: string;
  /** Whether evicting lower-priority pods could ever help (it cannot when nothing would fit an empty node). */
  preemptionHelps: boolean;
}

export interface SchedulerSettings extends ControllerSettings {
  /** How long an unschedulable pod waits before a periodic retry (changes in the cluster retry at once). */
  retryUnschedulableMs?: number;
}

/**
 * The scheduler with the filters this course meets: requests against the node's allocatable cpu,
 * memory and pod count, node selectors and taints, and volume binding — a claim must exist, an
 * Immediate one must be bound, a WaitForFirstConsumer one is provisioned for the chosen node before the
 * pod is bound. A pod that fits nowhere stays Pending with PodScheduled=False and a FailedScheduling
 * event worded as kube-scheduler words it.
 */
export class Scheduler extends Controller {
  protected readonly name = COMPONENT;
  private readonly unschedulable = new Map<string, number>();

  constructor(
    store: ConstructorParameters<typeof Controller>[0],
    protected override readonly settings: SchedulerSettings = {},
  ) {
    super(store, settings);
  }

  protected keysFor(event: StoreEvent): string[] {
    const o = event.object;
    if (event.kind === 'Pod') {
      if (event.type !== 'DELETED' && !o.spec?.nodeName && !o.metadata.deletionTimestamp) return [keyOf(o)];
      // Room freed on the node: the waiting pods may fit now.
      if (event.type === 'DELETED' || isTerminal(o)) return ['*'];
      return [];
    }
    return ['Node', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass'].includes(event.kind)
      ? ['*']
      : [];
  }

  protected allKeys(): string[] {
    const retryAfter = this.settings.retryUnschedulableMs ?? 60_000;
    return this.store
      .list('Pod')
      .filter((pod) => !pod.spec?.nodeName && !pod.metadata.deletionTimestamp)
      .map(keyOf)
      .filter((key) => Date.now() - (this.unschedulable.get(key) ?? 0) >= retryAfter);
  }

  protected reconcile(key: string): void {
    if (key === '*') {
      for (const waiting of this.unschedulable.keys()) this.queue.add(waiting);
      return;
    }
    const { namespace, name } = splitKey(key);
    const pod = this.store.get('Pod', namespace, name);
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || isTerminal(pod)) {
      this.unschedulable.delete(key);
      return;
    }
    if ((pod.spec?.schedulerName ?? COMPONENT) !== COMPONENT) return;
    const nodes = this.store.list('Node');
    const verdict: Verdict = { reasons: new Map(), preemptionHelps: true };
    const node = nodes.length > 0 ? this.pickNode(pod, nodes, verdict) : undefined;
    if (node) {
      this.bind(pod, node);
      this.unschedulable.delete(key);
      return;
    }
    this.unschedulable.set(key, Date.now());
    this.reportUnschedulable(pod, nodes.length, verdict);
  }

  private pickNode(pod: KubeObject, nodes: KubeObject[], verdict: Verdict): KubeObject | undefined {
    const volumeProblem = this.checkVolumes(pod);
    if (volumeProblem) {
      verdict.preFilter = volumeProblem;
      verdict.preemptionHelps = false;
      return undefined;
    }
    const want = podRequests(pod);
    const pods = this.store.list('Pod');
    for (const node of nodes) {
      const problems = this.filterNode(pod, node, want, pods, verdict);
      if (problems.length === 0) return node;
      for (const problem of problems) verdict.reasons.set(problem, (verdict.reasons.get(problem) ?? 0) + 1);
    }
    return undefined;
  }

  /** VolumeBinding's PreFilter: missing or unusable claims stop the pod before any node is looked at. */
  private checkVolumes(pod: KubeObject): string | undefined {
    for (const claimName of claimsOf(pod)) {
      const pvc = this.store.get('PersistentVolumeClaim', pod.metadata.namespace, claimName);
      if (!pvc) return `persistentvolumeclaim "${claimName}" not found`;
      if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${claimName}" is being deleted`;
      if (isBound(pvc)) continue;
      const className = pvc.spec?.storageClassName;
      const storageClass = className ? this.store.get('StorageClass', undefined, className) : undefined;
      // A class that does not exist counts as Immediate binding (IsDelayBindingMode): the pod waits
      // for an unbound claim, and only the claim's events (ProvisioningFailed) name the class.
      if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer')
        return 'pod has unbound immediate PersistentVolumeClaims';
    }
    return undefined;
  }

  private filterNode(
    pod: KubeObject,
    node: KubeObject,
    want: { cpu: number; memory: number },
    pods: KubeObject[],
    verdict: Verdict,
  ): string[] {
    if (node.spec?.unschedulable) return ['node(s) were unschedulable'];
    const labels = node.metadata.labels ?? {};
    const selector = (pod.spec?.nodeSelector ?? {}) as Record<string, string>;
    if (Object.entries(selector).some(([k, v]) => labels[k] !== v))
      return ["node(s) didn't match Pod's node affinity/selector"];
    const untolerated = ((node.spec?.taints ?? []) as Taint[]).find(
      (t) =>
        t.effect !== 'PreferNoSchedule' &&
        !((pod.spec?.tolerations ?? []) as Toleration[]).some((tol) => tolerates(tol, t)),
    );
    if (untolerated)
      return [
        `node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`.replace(': }', '}'),
      ];

    const allocatable = node.status?.allocatable ?? node.status?.capacity ?? {};
    const onNode = pods.filter((p) => p.spec?.nodeName === node.metadata.name && !isTerminal(p));
    const used = onNode
      .map(podRequests)
      .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
    const problems: string[] = [];
    const maxPods = parseQuantity(allocatable.pods);
    if (maxPods !== undefined && onNode.length + 1 > maxPods) problems.push('Too many pods');
    for (const resource of ['cpu', 'memory'] as const) {
      const capacity = parseQuantity(allocatable[resource]);
      if (capacity === undefined || want[resource] === 0) continue;
      if (used[resource] + want[resource] > capacity + 1e-9) problems.push(`Insufficient ${resource}`);
      if (want[resource] > capacity + 1e-9) verdict.preemptionHelps = false;
    }
    return problems;
  }

  private bind(pod: KubeObject, node: KubeObject): void {
    const nodeName = node.metadata.name;
    for (const claimName of claimsOf(pod)) {
      const pvc = this.store.get('PersistentVolumeClaim', pod.metadata.namespace, claimName);
      if (!pvc || isBound(pvc)) continue;
      const storageClass = this.store.require('StorageClass', undefined, pvc.spec.storageClassName);
      provisionAndBind(this.store, pvc, storageClass, nodeName);
    }
    pod.spec.nodeName = nodeName;
    // The binding subresource sets nodeName without a field manager, as the real one does.
    const bound = writeObject(this.store, 'Pod', pod, null);
    const conditions = ((bound.status?.conditions ?? []) as { type: string }[]).filter(
      (c) => c.type !== 'PodScheduled',
    );
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: timestamp(),
    } as never);
    writeStatus(this.store, 'Pod', bound, { ...(bound.status ?? {}), conditions }, 'kube-scheduler');
    announce(
      this.store,
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
      COMPONENT,
    );
  }

  private reportUnschedulable(pod: KubeObject, nodeCount: number, verdict: Verdict): void {
    const message = unschedulableMessage(nodeCount, verdict);
    const current = findCondition(pod, 'PodScheduled');
    if (current?.status !== 'False' || current.message !== message) {
      const conditions = ((pod.status?.conditions ?? []) as { type: string }[]).filter(
        (c) => c.type !== 'PodScheduled',
      );
      conditions.push({
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: current?.status === 'False' ? current.lastTransitionTime : timestamp(),
        reason: 'Unschedulable',
        message,
      } as never);
      const status = { phase: 'Pending', ...(pod.status ?? {}), conditions };
      writeStatus(this.store, 'Pod', pod, status, 'kube-scheduler');
    }
    announce(this.store, pod, 'Warning', 'FailedScheduling', message, COMPONENT);
  }
}

/** The FitError text: `0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: ...`. */
export function unschedulableMessage(nodeCount: number, verdict: Verdict): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const head = `0/${nodeCount} nodes are available`;
  const reasons = verdict.preFilter
    ? verdict.preFilter
    : [...verdict.reasons.entries()]
        .map(([reason, count]) => `${count} ${reason}`)
        .sort()
        .join(', ');
  const preemption = verdict.preemptionHelps
    ? `${nodeCount} No preemption victims found for incoming pod`
    : `${nodeCount} Preemption is not helpful for scheduling`;
  return `${head}: ${reasons}. preemption: ${head}: ${preemption}.`;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}
