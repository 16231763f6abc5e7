import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { claim } from './claims.js';
import { Controller } from './controller.js';
import {
  announce,
  controllerRef,
  controllerRefOf,
  createObject,
  keyOf,
  millis,
  namespaceTerminating,
  omitZero,
  same,
  splitKey,
  writeStatus,
} from './meta.js';
import { compareForDeletion, deletePod, isPodAvailable, isPodReady, podFromTemplate } from './pods.js';
import {
  fanOutOrphans,
  ownerKeysFor,
  REVISION_HASH,
  RevisionCollision,
  syncRevisions,
  truncateHistory,
} from './revisions.js';
import { type Taint, type Toleration, tolerates } from './scheduler.js';

const COMPONENT = 'daemonset-controller';
const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/** What the DaemonSet controller adds to its pods' tolerations (util.AddOrUpdateDaemonPodTolerations). */
const DAEMON_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** The node a daemon pod is for: its nodeName, or the node its affinity pins it to before binding. */
function targetNode(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? [])
    for (const field of term?.matchFields ?? [])
      if (field?.key === 'metadata.name' && field.operator === 'In') return field.values?.[0];
  return undefined;
}

/** scaledValue of an int-or-percent against the desired count, rounded as the controller does. */
function scaled(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) {
    const exact = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  return 0;
}

/**
 * The DaemonSet controller (pkg/controller/daemon): one pod on every node the template may run on,
 * ControllerRevisions of the template, RollingUpdate (maxUnavailable, maxSurge) and OnDelete, and
 * the status `kubectl rollout status ds` reads.
 */
export class DaemonSetController extends Controller {
  protected readonly name = COMPONENT;

  protected keysFor(event: StoreEvent): string[] {
    if (event.kind === 'Node') return this.allKeys();
    return ownerKeysFor(event, 'DaemonSet');
  }

  protected allKeys(): string[] {
    return this.store.list('DaemonSet').map(keyOf);
  }

  protected reconcile(key: string): void {
    if (fanOutOrphans(this.store, 'DaemonSet', key, (k) => this.queue.add(k))) return;
    const { namespace, name } = splitKey(key);
    const ds = this.store.get('DaemonSet', namespace, name);
    if (!ds) return;
    const pods = claim(this.store, 'Pod', ds, 'apps/v1', 'DaemonSet', ds.spec?.selector);
    if (ds.metadata.deletionTimestamp) {
      this.updateStatus(ds, pods, undefined);
      return;
    }
    let hash: string;
    let revisions: KubeObject[];
    try {
      const synced = syncRevisions(this.store, ds, 'DaemonSet', ds.spec?.selector, ds.status?.collisionCount);
      hash = synced.update.metadata.labels?.[REVISION_HASH] ?? '';
      revisions = synced.all;
    } catch (error) {
      if (!(error instanceof RevisionCollision)) throw error;
      writeStatus(this.store, 'DaemonSet', ds, {
        ...ds.status,
        collisionCount: (ds.status?.collisionCount ?? 0) + 1,
      });
      return;
    }
    const nodes = this.store.list('Node');
    const byNode = new Map<string, KubeObject[]>();
    for (const pod of pods) {
      const node = targetNode(pod) ?? '';
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    if (!namespaceTerminating(this.store, ds.metadata.namespace)) {
      this.manage(ds, nodes, byNode, hash);
      if (ds.spec?.updateStrategy?.type === 'RollingUpdate') this.rollingUpdate(ds, nodes, byNode, hash);
    }
    const live = this.store
      .list('Pod', ds.metadata.namespace)
      .filter((p) => controllerRefOf(p)?.uid === ds.metadata.uid);
    const inUse = new Set(
      revisions
        .filter((r) =>
          live.some((p) => p.metadata.labels?.[REVISION_HASH] === r.metadata.labels?.[REVISION_HASH]),
        )
        .map((r) => r.metadata.name),
    );
    inUse.add(revisions.find((r) => r.metadata.labels?.[REVISION_HASH] === hash)?.metadata.name ?? '');
    truncateHistory(this.store, revisions, inUse, Number(ds.spec?.revisionHistoryLimit ?? 10));
    this.updateStatus(ds, live, hash);
  }

  /** nodeShouldRunDaemonPod: the node's labels meet the node selector and its taints are tolerated. */
  private shouldRun(ds: KubeObject, node: KubeObject): boolean {
    const spec = ds.spec?.template?.spec ?? {};
    if (spec.nodeName && spec.nodeName !== node.metadata.name) return false;
    const labels = node.metadata.labels ?? {};
    if (Object.entries((spec.nodeSelector ?? {}) as Record<string, string>).some(([k, v]) => labels[k] !== v))
      return false;
    const tolerations = [...((spec.tolerations ?? []) as Toleration[]), ...DAEMON_TOLERATIONS];
    return ((node.spec?.taints ?? []) as Taint[]).every(
      (t) => t.effect === 'PreferNoSchedule' || tolerations.some((tol) => tolerates(tol, t)),
    );
  }

  /** manage: a pod for every node that needs one, none where none belongs, failed pods replaced. */
  private manage(ds: KubeObject, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string): void {
    for (const node of nodes) {
      const nodeName = node.metadata.name;
      const pods = byNode.get(nodeName) ?? [];
      const running = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed');
      for (const failed of pods.filter(
        (p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Failed',
      )) {
        this.deleteDaemonPod(ds, failed);
        announce(
          this.store,
          ds,
          'Warning',
          'FailedDaemonPod',
          `Found failed daemon pod ${ds.metadata.namespace}/${failed.metadata.name} on node ${nodeName}, will try to kill it`,
          COMPONENT,
        );
      }
      if (!this.shouldRun(ds, node)) {
        for (const pod of running) this.deleteDaemonPod(ds, pod);
        continue;
      }
      if (running.length === 0) this.createDaemonPod(ds, nodeName, hash);
      else if (running.length > 1 && ds.spec?.updateStrategy?.type !== 'RollingUpdate') {
        // More than one (a surge that ended): keep the oldest, as the controller does without surge.
        const extra = [...running]
          .sort((a, b) => millis(a.metadata.creationTimestamp) - millis(b.metadata.creationTimestamp))
          .slice(1);
        for (const pod of extra) this.deleteDaemonPod(ds, pod);
      }
    }
    // Pods pinned to nodes that are gone.
    const known = new Set(nodes.map((n) => n.metadata.name));
    for (const [nodeName, pods] of byNode)
      if (!known.has(nodeName))
        for (const pod of pods) if (!pod.metadata.deletionTimestamp) this.deleteDaemonPod(ds, pod);
  }

  /** rollingUpdate: replace old pods while at most maxUnavailable nodes lack an available pod (or surge). */
  private rollingUpdate(
    ds: KubeObject,
    nodes: KubeObject[],
    byNode: Map<string, KubeObject[]>,
    hash: string,
  ): void {
    const eligible = nodes.filter((n) => this.shouldRun(ds, n));
    const rolling = ds.spec?.updateStrategy?.rollingUpdate ?? {};
    const maxSurge = scaled(rolling.maxSurge, eligible.length, true);
    const maxUnavailable = scaled(rolling.maxUnavailable, eligible.length, true);
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    const isNew = (pod: KubeObject) => pod.metadata.labels?.[REVISION_HASH] === hash;
    const alive = (nodeName: string) =>
      (byNode.get(nodeName) ?? []).filter(
        (p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed',
      );
    if (maxSurge === 0) {
      let unavailable = eligible.filter(
        (n) => !alive(n.metadata.name).some((p) => isPodAvailable(p, minReady)),
      ).length;
      for (const node of eligible) {
        const old = alive(node.metadata.name).filter((p) => !isNew(p));
        for (const pod of old) {
          const available = isPodAvailable(pod, minReady);
          if (available && unavailable >= maxUnavailable) continue;
          if (available) unavailable++;
          this.deleteDaemonPod(ds, pod);
        }
      }
      return;
    }
    let surging = 0;
    for (const node of eligible) {
      const pods = alive(node.metadata.name);
      const fresh = pods.filter(isNew);
      const old = pods.filter((p) => !isNew(p));
      if (old.length === 0) continue;
      if (fresh.some((p) => isPodAvailable(p, minReady)))
        for (const pod of old) this.deleteDaemonPod(ds, pod);
      else if (fresh.length === 0 && surging < maxSurge) {
        surging++;
        this.createDaemonPod(ds, node.metadata.name, hash);
      } else if (fresh.length > 0) surging++;
    }
  }

  private createDaemonPod(ds: KubeObject, nodeName: string, hash: string): void {
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION] ?? '1';
    const pod = podFromTemplate(
      ds.spec?.template,
      ds.metadata.namespace,
      ds.metadata.name,
      controllerRef(ds, 'apps/v1', 'DaemonSet'),
    );
    pod.metadata.labels = {
      ...pod.metadata.labels,
      [REVISION_HASH]: hash,
      'pod-template-generation': generation,
    };
    const spec = pod.spec;
    spec.affinity = {
      ...(spec.affinity ?? {}),
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] },
          ],
        },
      },
    };
    const tolerations: Toleration[] = [...(spec.tolerations ?? [])];
    for (const t of DAEMON_TOLERATIONS)
      if (!tolerations.some((have) => have.key === t.key && have.effect === t.effect)) tolerations.push(t);
    spec.tolerations = tolerations;
    let created: KubeObject;
    try {
      created = createObject(this.store, 'Pod', pod);
    } catch (error) {
      // A pod the API refuses (quota, limits) is said in an event, then retried (the queue's delay).
      if (error instanceof ApiError)
        announce(this.store, ds, 'Warning', 'FailedCreate', `Error creating: ${error.message}`, COMPONENT);
      throw error;
    }
    announce(
      this.store,
      ds,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${created.metadata.name}`,
      COMPONENT,
    );
  }

  private deleteDaemonPod(ds: KubeObject, pod: KubeObject): void {
    deletePod(this.store, pod);
    announce(this.store, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, COMPONENT);
  }

  /** updateDaemonSetStatus: counts per node that should run the pod. */
  private updateStatus(ds: KubeObject, pods: KubeObject[], hash: string | undefined): void {
    const nodes = this.store.list('Node');
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const node of nodes) {
      const onNode = pods
        .filter((p) => targetNode(p) === node.metadata.name && !p.metadata.deletionTimestamp)
        .sort(compareForDeletion)
        .reverse();
      const should = this.shouldRun(ds, node);
      if (should) desired++;
      if (onNode.length === 0) continue;
      if (!should) {
        misscheduled++;
        continue;
      }
      current++;
      const pod = onNode[0]!;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady)) available++;
      }
      if (hash !== undefined && onNode.some((p) => p.metadata.labels?.[REVISION_HASH] === hash)) updated++;
    }
    const status: Record<string, unknown> = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      ...omitZero({
        observedGeneration: ds.metadata.generation ?? 1,
        updatedNumberScheduled: updated,
        numberAvailable: available,
        numberUnavailable: desired - available,
        collisionCount: ds.status?.collisionCount,
      }),
    };
    if (hash === undefined) {
      status.observedGeneration = ds.status?.observedGeneration;
      status.updatedNumberScheduled = ds.status?.updatedNumberScheduled;
    }
    for (const k of Object.keys(status)) if (status[k] === undefined) delete status[k];
    if (!same(status, ds.status)) writeStatus(this.store, 'DaemonSet', ds, status);
    if (minReady > 0 && ready !== available) this.queue.addAfter(keyOf(ds), minReady * 1000);
  }
}
