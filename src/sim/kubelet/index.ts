import { readdirSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../files/atomic.js';
import type { KubeObject } from '../../kube/objects.js';
import { parseQuantity } from '../../kube/quantity.js';
import { packageRoot } from '../../paths.js';
import { recordEvent } from '../events.js';
import type { ControllerOptions, Runtime } from '../runtime-api.js';
import type { Store, StoreEvent } from '../store.js';
import type { NodeContext } from './context.js';
import type { ImageDefinition } from './images.js';
import { PodAddresses } from './network.js';
import { PodWorker } from './pod-worker.js';
import { ProcessSupervisor } from './processes.js';
import { UsageReader } from './sampler.js';
import { ServiceProxies } from './service-proxy.js';
import type { PodSpec } from './types.js';
import { UsageMonitor } from './usage.js';
import { persistentVolumeDir } from './volumes.js';

/**
 * The simulated cluster's node: the kubelet and container runtime in one. It runs the pods bound to
 * its node (spec.nodeName) as real local processes and reports their status, and it implements the
 * Runtime the API server uses for logs, exec, proxies and metrics.
 *
 * Processes: this module tree is the one place in src/sim that spawns processes (processes.ts):
 * each container is a process group spawned by execa (reject: false, a cancel signal), signalled
 * as a group so that nothing it starts survives it; a reaper process kills every group if the
 * simulator dies, and groups left by a previous run are killed at start-up from a pid file.
 *
 * Store: objects are copies and listeners are synchronous, so the listener only queues what
 * changed; the queue is worked through on the next turn of the event loop, never inside it.
 */
export interface KubeletOptions extends ControllerOptions {
  /** The node this kubelet runs pods for (the API server's bootstrap Node). */
  nodeName?: string;
  /** Extra images the node can run, by image name (tests use small scripts as images). */
  images?: Record<string, ImageDefinition>;
  /** The crash-loop back-off: Kubernetes waits 10 s, doubling to 5 min. */
  backOffInitialMs?: number;
  backOffMaxMs?: number;
  /** How often container resource usage is sampled (memory limits are enforced at this pace). */
  sampleIntervalMs?: number;
  /** The bundled workload that `churn-mlops` runs (default: <package>/dist/churn-mlops.js). */
  workloadScript?: string;
}

export type Kubelet = Runtime & { stop(): Promise<void> };

const WATCHED_KINDS = new Set([
  'Pod',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'Service',
]);
const RESYNC_MS = 10_000;

export function startKubelet(store: Store, options: KubeletOptions): Kubelet {
  return new NodeKubelet(store, options);
}

class NodeKubelet implements Kubelet {
  private readonly node: NodeContext;
  private readonly workers = new Map<string, PodWorker>();
  private readonly queue: StoreEvent[] = [];
  private drainScheduled = false;
  private stopped = false;
  private readonly ready: Promise<void>;
  private readonly unsubscribe: () => void;
  private readonly resync: NodeJS.Timeout;
  private readonly workload: string;

  constructor(
    private readonly store: Store,
    options: KubeletOptions,
  ) {
    const stateDir = options.stateDir;
    const nodeName = options.nodeName ?? 'churn-labs-control-plane';
    this.workload = options.workloadScript ?? join(packageRoot(), 'dist', 'churn-mlops.js');
    const supervisor = new ProcessSupervisor(stateDir);
    const reader = new UsageReader();
    this.node = {
      store,
      nodeName,
      dirs: {
        pods: join(stateDir, 'pods'),
        logs: join(stateDir, 'logs'),
        node: join(stateDir, 'node'),
        shim: join(stateDir, 'kubelet', 'bin'),
      },
      images: options.images ?? {},
      backoff: { initialMs: options.backOffInitialMs ?? 10_000, maxMs: options.backOffMaxMs ?? 300_000 },
      idleGraceMs: 1_000,
      supervisor,
      usage: new UsageMonitor(reader, options.sampleIntervalMs ?? 500),
      proxies: new ServiceProxies(store, (ns, pod, port) => this.address(ns, pod, port)),
      addresses: new PodAddresses(),
      hostIP: () => this.hostIP(),
      allocatable: () => this.allocatable(),
      event: (object, type, reason, message) => {
        if (this.stopped) return;
        try {
          recordEvent(store, object, type, reason, message, 'kubelet');
        } catch {
          // An event that cannot be recorded (namespace going away) is not worth failing a pod for.
        }
      },
    };
    this.unsubscribe = store.subscribe((event) => {
      if (!WATCHED_KINDS.has(event.kind)) return;
      this.queue.push(event);
      this.scheduleDrain();
    });
    this.ready = this.start(reader).catch((error: Error) => {
      process.stderr.write(`churn-labs: the simulated node could not start: ${error.message}\n`);
    });
    this.resync = setInterval(() => void this.ready.then(() => this.reconcile()), RESYNC_MS);
    this.resync.unref();
  }

  address(namespace: string, pod: string, port: number | string) {
    return this.workerOf(namespace, pod)?.address(port);
  }

  forwardAddress(namespace: string, pod: string, port: number) {
    return this.workerOf(namespace, pod)?.forwardAddress(port);
  }

  logFile(namespace: string, pod: string, container: string, previous = false): string | undefined {
    const object = this.store.get('Pod', namespace, pod);
    if (!object) return undefined;
    const spec = object.spec as PodSpec;
    const name = container || spec.containers[0]?.name || '';
    const dir = join(this.node.dirs.logs, `${namespace}_${pod}_${object.metadata.uid}`, name);
    let numbers: number[];
    try {
      numbers = readdirSync(dir)
        .filter((f) => /^\d+\.log$/.test(f))
        .map((f) => Number.parseInt(f, 10))
        .sort((a, b) => a - b);
    } catch {
      return undefined;
    }
    const runner = this.workerOf(namespace, pod)?.containers.find((c) => c.name === name);
    const latest = numbers[numbers.length - 1];
    const current = runner && numbers.includes(runner.restartCount) ? runner.restartCount : latest;
    if (current === undefined) return undefined;
    const wanted = previous ? numbers.filter((n) => n < current).pop() : current;
    return wanted === undefined ? undefined : join(dir, `${wanted}.log`);
  }

  usage(namespace: string, pod: string) {
    return this.workerOf(namespace, pod)?.usage();
  }

  async exec(namespace: string, pod: string, container: string, command: string[]) {
    return this.workerOf(namespace, pod)?.exec(container, command);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.resync);
    this.unsubscribe();
    await this.ready;
    await Promise.all([...this.workers.values()].map((w) => w.shutdown()));
    this.node.usage.stop();
    await this.node.proxies.close();
    await this.node.supervisor.stop();
  }

  private async start(reader: UsageReader): Promise<void> {
    const { dirs } = this.node;
    await Promise.all(Object.values(dirs).map((dir) => mkdir(dir, { recursive: true })));
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    await writeFileAtomic(
      join(dirs.shim, 'churn-mlops'),
      `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(this.workload)} "$@"\n`,
    );
    await chmod(join(dirs.shim, 'churn-mlops'), 0o755);
    await this.node.supervisor.start();
    await reader.init();
    await this.node.proxies.sync();
    // Pods this node ran before it (the simulator) stopped: their processes are gone, as after a reboot.
    for (const pod of this.store.list('Pod')) {
      if (!this.isMine(pod)) continue;
      if (pod.metadata.deletionTimestamp) await this.removeLeftover(pod);
      else if (!isTerminal(pod)) this.launch(pod, Boolean(pod.status?.containerStatuses));
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.stopped) return;
    this.drainScheduled = true;
    void this.ready.then(() =>
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain();
      }),
    );
  }

  private drain(): void {
    const events = this.queue.splice(0);
    let servicesChanged = false;
    for (const event of events) {
      if (this.stopped) return;
      const { kind, object } = event;
      if (kind === 'Pod') this.podChanged(event);
      else if (kind === 'Service') servicesChanged = true;
      else {
        for (const worker of this.workers.values()) worker.objectChanged(kind, object.metadata.name);
        if (kind === 'PersistentVolume' && event.type === 'DELETED') void this.reclaim(object);
      }
    }
    if (servicesChanged) void this.node.proxies.sync();
  }

  private podChanged({ type, object: pod }: StoreEvent): void {
    const worker = this.workers.get(pod.metadata.uid ?? '');
    if (type === 'DELETED') {
      if (worker) {
        this.workers.delete(pod.metadata.uid ?? '');
        void worker.gone();
      }
      return;
    }
    if (worker) worker.update(pod);
    else if (!this.isMine(pod)) return;
    else if (pod.metadata.deletionTimestamp) void this.removeLeftover(pod);
    else if (!isTerminal(pod)) this.launch(pod, false);
  }

  private launch(pod: KubeObject, recovered: boolean): void {
    const worker = new PodWorker(this.node, pod, recovered);
    this.workers.set(worker.uid, worker);
    worker.start();
  }

  /** Resync: pods missed by an event, workers whose pod is gone, Service listeners. */
  private reconcile(): void {
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const pod of this.store.list('Pod')) {
      seen.add(pod.metadata.uid ?? '');
      const worker = this.workers.get(pod.metadata.uid ?? '');
      if (worker) worker.update(pod);
      else if (this.isMine(pod) && !pod.metadata.deletionTimestamp && !isTerminal(pod))
        this.launch(pod, false);
    }
    for (const [uid, worker] of this.workers) {
      if (seen.has(uid)) continue;
      this.workers.delete(uid);
      void worker.gone();
    }
    void this.node.proxies.sync();
  }

  /** A pod being deleted that has nothing running here: its folders and the object go at once. */
  private async removeLeftover(pod: KubeObject): Promise<void> {
    const { namespace = 'default', name, uid = '' } = pod.metadata;
    await rm(join(this.node.dirs.pods, uid), { recursive: true, force: true });
    await rm(join(this.node.dirs.logs, `${namespace}_${name}_${uid}`), { recursive: true, force: true });
    if (this.store.get('Pod', namespace, name)?.metadata.uid !== uid) return;
    try {
      this.store.remove('Pod', namespace, name);
    } catch {
      // Already removed.
    }
  }

  /** A PersistentVolume deleted with reclaim policy Delete: its folder on the node goes too. */
  private async reclaim(pv: KubeObject): Promise<void> {
    if ((pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete') !== 'Delete') return;
    await rm(persistentVolumeDir(this.node.dirs.node, pv), { recursive: true, force: true });
  }

  private isMine(pod: KubeObject): boolean {
    return (pod.spec as PodSpec | undefined)?.nodeName === this.node.nodeName;
  }

  private workerOf(namespace: string, name: string): PodWorker | undefined {
    const pod = this.store.get('Pod', namespace, name);
    return pod ? this.workers.get(pod.metadata.uid ?? '') : undefined;
  }

  private hostIP(): string {
    const node = this.store.get('Node', undefined, this.node.nodeName);
    const addresses = (node?.status?.addresses ?? []) as { type: string; address: string }[];
    return addresses.find((a) => a.type === 'InternalIP')?.address ?? '172.18.0.2';
  }

  private allocatable(): { cpu: number; memory: number } {
    const node = this.store.get('Node', undefined, this.node.nodeName);
    const of = node?.status?.allocatable ?? {};
    return {
      cpu: parseQuantity(of.cpu) ?? cpus().length,
      memory: parseQuantity(of.memory) ?? totalmem(),
    };
  }
}

function isTerminal(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
