import { join } from 'node:path';
import { execa } from 'execa';
import type { KubeObject } from '../../../src/kube/objects.js';
import { type ControlPlaneOptions, startControlPlane } from '../../../src/sim/controllers/control-plane.js';
import { createObject, NODE_NAME } from '../../../src/sim/controllers/meta.js';
import { SimClock } from '../../../src/sim/controllers/sim-clock.js';
import { now, Store } from '../../../src/sim/store.js';

export const NS = 'churn-mlops';

/** A store holding what the API server bootstraps: the node, the namespace, kind's `standard` class. */
export function clusterStore(
  node: { cpu?: string; memory?: string; pods?: string } = {},
  file?: string,
): Store {
  const store = new Store({ file });
  const allocatable = { cpu: node.cpu ?? '4', memory: node.memory ?? '8Gi', pods: node.pods ?? '110' };
  store.create('Node', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME } },
    spec: {},
    status: { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
  });
  store.create('Namespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
  store.create('StorageClass', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  return store;
}

/** Polls until `check` returns a truthy value (or stops throwing), failing with the last state after `ms`. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(check: () => T, ms = 5000, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = check();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets queued controller work run (the queues drain on setImmediate). */
export const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

let ip = 10;

/**
 * The node's part, played by hand: what the kubelet writes in a pod's status. Tests call these to
 * make pods run, become ready, finish or go away.
 */
export const node = {
  run(store: Store, pod: KubeObject, ready = true): KubeObject {
    const current = store.require('Pod', pod.metadata.namespace, pod.metadata.name);
    const at = now();
    const containers = (current.spec?.containers ?? []) as { name: string; image: string }[];
    const readyStatus = ready ? 'True' : 'False';
    const scheduled = ((current.status?.conditions ?? []) as { type: string }[]).filter(
      (c) => c.type === 'PodScheduled',
    );
    return store.update(
      'Pod',
      {
        ...current,
        status: {
          ...current.status,
          phase: 'Running',
          podIP: current.status?.podIP ?? `10.244.0.${ip++}`,
          hostIP: '172.18.0.2',
          startTime: current.status?.startTime ?? at,
          conditions: [
            ...scheduled,
            { type: 'Initialized', status: 'True', lastTransitionTime: at },
            { type: 'ContainersReady', status: readyStatus, lastTransitionTime: at },
            { type: 'Ready', status: readyStatus, lastTransitionTime: at },
          ],
          containerStatuses: containers.map((c) => ({
            name: c.name,
            image: c.image,
            ready,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: at } },
          })),
        },
      },
      { status: true },
    );
  },

  finish(store: Store, pod: KubeObject, exitCode: number): KubeObject {
    const current = store.require('Pod', pod.metadata.namespace, pod.metadata.name);
    const at = now();
    return store.update(
      'Pod',
      {
        ...current,
        status: {
          ...current.status,
          phase: exitCode === 0 ? 'Succeeded' : 'Failed',
          conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: at }],
          containerStatuses: ((current.spec?.containers ?? []) as { name: string }[]).map((c) => ({
            name: c.name,
            ready: false,
            restartCount: 0,
            state: {
              terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: at },
            },
          })),
        },
      },
      { status: true },
    );
  },

  /** Ends pods marked for deletion, as the kubelet does after the grace period. */
  reap(store: Store): number {
    let count = 0;
    for (const pod of store.list('Pod'))
      if (pod.metadata.deletionTimestamp) {
        store.remove('Pod', pod.metadata.namespace, pod.metadata.name);
        count++;
      }
    return count;
  },
};

/**
 * A node that keeps up on its own: every scheduled pod starts and turns Ready (unless `ready` says
 * otherwise for it), and pods being deleted go away. Work is queued, never done inside the listener.
 */
export function autoNode(store: Store, options: { ready?: (pod: KubeObject) => boolean } = {}) {
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    node.reap(store);
    for (const pod of store.list('Pod'))
      if (
        pod.spec?.nodeName &&
        pod.status?.phase !== 'Running' &&
        !['Succeeded', 'Failed'].includes(pod.status?.phase)
      )
        node.run(store, pod, options.ready ? options.ready(pod) : true);
  };
  const unsubscribe = store.subscribe((event) => {
    if (event.kind === 'Pod' && !scheduled) {
      scheduled = true;
      setImmediate(tick);
    }
  });
  return { stop: unsubscribe };
}

export function deploymentObject(
  name: string,
  options: {
    replicas?: number;
    image?: string;
    strategy?: unknown;
    progressDeadlineSeconds?: number;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  } = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, annotations: {} },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      strategy: options.strategy ?? {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      revisionHistoryLimit: options.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
      ...(options.minReadySeconds ? { minReadySeconds: options.minReadySeconds } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image: options.image ?? 'churn-labs/churn-api:0.1.0',
              ports: [{ containerPort: 8000, protocol: 'TCP' }],
              resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
            },
          ],
          restartPolicy: 'Always',
        },
      },
    },
  };
}

export const podsOf = (store: Store, app: string) =>
  store.list('Pod', NS).filter((p) => p.metadata.labels?.app === app);

/** Creates an object as kubectl would, through the API's admission (defaults, generated fields). */
export function apply(store: Store, kind: string, object: KubeObject): KubeObject {
  return createObject(store, kind, object);
}

export interface Usage {
  container: string;
  cpuMillicores: number;
  memoryBytes: number;
}

/** What metrics-server reports, set by the test: pod name → per-container usage. */
export function fakeMetrics() {
  const usage = new Map<string, Usage[]>();
  return {
    usage: (_namespace: string, pod: string) => usage.get(pod),
    set(pod: string, cpuMillicores: number, memoryBytes = 100 * 2 ** 20) {
      usage.set(pod, [{ container: 'main', cpuMillicores, memoryBytes }]);
    },
    clear: () => usage.clear(),
  };
}

/**
 * The whole control plane on a store with test timings; stopped by `stopAll`. Returns it with the
 * fake metrics it reads.
 */
export function startPlane(
  store: Store,
  options: Partial<ControlPlaneOptions> = {},
  metrics = fakeMetrics(),
) {
  const plane = startControlPlane(store, metrics, {
    stateDir: '',
    clock: options.clock ?? new SimClock(1),
    job: { podFailureBackoffMs: 20, ...options.job },
    hpa: {
      syncPeriodMs: 100,
      cpuInitializationPeriodMs: 0,
      initialReadinessDelayMs: 0,
      ...options.hpa,
    },
    ...options,
  });
  running.push(() => plane.stop());
  return { plane, metrics };
}

const running: (() => void)[] = [];

export function stopAll(): void {
  while (running.length) running.pop()!();
}

export function onStop(stop: () => void): void {
  running.push(stop);
}

type SimTarget = () => { kubeconfig: string; context: string; home: string };

/**
 * The real kubectl on a simulator started in-process: its kubeconfig and context, and a discovery
 * cache of the test's own; `input`, if given, is its stdin. `target` is read at each call (tests
 * start the simulator in beforeAll).
 */
export function simKubectl(target: SimTarget, timeout = 90_000) {
  return async (args: string[], input?: string) => {
    const { kubeconfig, context, home } = target();
    const result = await execa(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--context', context, '--cache-dir', join(home, 'kube-cache'), ...args],
      { reject: false, timeout, ...(input === undefined ? {} : { input }) },
    );
    return { code: result.exitCode, out: String(result.stdout), err: String(result.stderr) };
  };
}

/** simKubectl in the default namespace, its arguments spread. */
export function kubectlOf(target: SimTarget, timeout = 90_000) {
  const kubectl = simKubectl(target, timeout);
  return (...args: string[]) => kubectl(['-n', 'default', ...args]);
}
