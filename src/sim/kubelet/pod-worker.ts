import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../kube/objects.js';
import { componentContext, recordWrite } from '../patch/managed.js';
import { now } from '../store.js';
import { type ContainerHost, ContainerRunner } from './container.js';
import type { NodeContext } from './context.js';
import { containerEnvironment, type EnvironmentResult } from './env.js';
import { containerExecContext, type ExecResult, execInContainer } from './exec.js';
import type { ResolvedImage } from './images.js';
import { freePort } from './network.js';
import { podStatus } from './pod-status.js';
import { Signal } from './timing.js';
import type { Container, PodSpec, TerminatedState } from './types.js';
import {
  checkVolumes,
  prepareVolumes,
  refreshGeneratedVolumes,
  usesObject,
  type VolumeSource,
} from './volumes.js';

const WORKLOAD_EXEC_TIMEOUT_MS = 10 * 60_000;
const SHUTDOWN_GRACE_MS = 1_500;

/**
 * One pod on the simulated node, from scheduling to deletion: waits for its volumes, sets up its
 * "sandbox" (pod IP, root folder, volumes, local ports), runs init containers one by one, then its
 * containers, and reports the pod status after every change. Deletion stops the containers
 * (SIGTERM, SIGKILL after the grace period), removes the pod's folders and then the pod object.
 */
export class PodWorker implements ContainerHost {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly rootDir: string;
  readonly logDir: string;
  private readonly podDir: string;
  private current: KubeObject;
  private ip: string | undefined;
  private sandboxReady = false;
  private readonly startTime: string;
  private sources = new Map<string, VolumeSource>();
  readonly initContainers: ContainerRunner[];
  readonly containers: ContainerRunner[];
  stopping = false;
  private readonly controller = new AbortController();
  private readonly config = new Signal();
  private readonly idleImages = new Set<string>();
  private publishScheduled = false;
  private silenced = false;
  private running: Promise<void> = Promise.resolve();
  private ending: Promise<void> | undefined;

  constructor(
    readonly node: NodeContext,
    pod: KubeObject,
    /** The pod was running here before the node restarted: its processes are gone. */
    recovered = false,
  ) {
    this.current = pod;
    this.uid = pod.metadata.uid ?? '';
    this.namespace = pod.metadata.namespace ?? 'default';
    this.name = pod.metadata.name;
    this.podDir = join(node.dirs.pods, this.uid);
    this.rootDir = join(this.podDir, 'root');
    this.logDir = join(node.dirs.logs, `${this.namespace}_${this.name}_${this.uid}`);
    const status = pod.status ?? {};
    this.startTime = (status.startTime as string | undefined) ?? now();
    if (recovered && status.podIP) {
      this.ip = status.podIP as string;
      node.addresses.keep(this.uid, this.ip);
    }
    const spec = pod.spec as PodSpec;
    const runner = (
      container: Container,
      previous: Record<string, unknown>[] | undefined,
      waiting: string,
    ) => {
      const before = recovered ? previous?.find((s) => s.name === container.name) : undefined;
      const created = new ContainerRunner(this, container, before ? recoveredExit(before) : undefined);
      created.state = { waiting: { reason: waiting } };
      if (before) {
        created.restartCount = Number(before.restartCount ?? 0);
        created.lastState = (before.lastState as ContainerRunner['lastState']) ?? {};
        created.containerID = before.containerID as string | undefined;
      }
      return created;
    };
    const hasInit = (spec.initContainers ?? []).length > 0;
    this.initContainers = (spec.initContainers ?? []).map((c) =>
      runner(c, status.initContainerStatuses, 'PodInitializing'),
    );
    this.containers = spec.containers.map((c) =>
      runner(c, status.containerStatuses, hasInit ? 'PodInitializing' : 'ContainerCreating'),
    );
  }

  get abort(): AbortSignal {
    return this.controller.signal;
  }

  pod(): KubeObject {
    return this.current;
  }

  podIP(): string {
    return this.ip ?? '';
  }

  volumes(): Map<string, VolumeSource> {
    return this.sources;
  }

  start(): void {
    this.running = this.run().catch((error: Error) => {
      this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${error.message}`);
    });
  }

  /** A newer version of the pod object: deletion, or a container image changed. */
  update(pod: KubeObject): void {
    this.current = pod;
    if (pod.metadata.deletionTimestamp) {
      void this.terminate();
      return;
    }
    for (const spec of (pod.spec as PodSpec).containers) {
      const runner = this.containers.find((c) => c.name === spec.name);
      if (runner && runner.spec.image !== spec.image) void runner.replaceSpec(spec, this.graceMs());
    }
  }

  /** A ConfigMap, Secret, claim or volume changed: retry what waits for it, refresh volume files. */
  objectChanged(kind: string, name: string): void {
    this.config.notify();
    if (
      this.sandboxReady &&
      (kind === 'ConfigMap' || kind === 'Secret') &&
      usesObject(this.current, kind, name)
    ) {
      void refreshGeneratedVolumes(this.node.store, this.current, this.sources, this.addresses()).catch(
        () => {},
      );
    }
  }

  /** Graceful deletion: stop the containers, remove the pod's folders, then the pod object. */
  terminate(): Promise<void> {
    this.ending ??= (async () => {
      this.halt();
      const grace = this.graceMs();
      await Promise.all([...this.initContainers, ...this.containers].map((c) => c.stop(grace)));
      await this.running;
      this.silenced = true;
      await this.cleanup();
      const stored = this.node.store.get('Pod', this.namespace, this.name);
      if (stored?.metadata.uid === this.uid) {
        try {
          this.node.store.remove('Pod', this.namespace, this.name);
        } catch {
          // Removed by someone else meanwhile.
        }
      }
    })();
    return this.ending;
  }

  /** The pod object is gone from the store: end everything now. */
  gone(): Promise<void> {
    this.ending ??= (async () => {
      this.halt();
      this.silenced = true;
      for (const c of [...this.initContainers, ...this.containers]) c.kill();
      await this.running;
      await this.cleanup();
    })();
    return this.ending;
  }

  /** The node stops: end the processes, leave the pod's state for the next start. */
  async shutdown(): Promise<void> {
    this.halt();
    this.silenced = true;
    const all = [...this.initContainers, ...this.containers];
    for (const c of all) if (!c.image.runnable) c.kill();
    await Promise.all(all.map((c) => c.stop(SHUTDOWN_GRACE_MS)));
    for (const c of all) c.kill();
    await this.running;
    await this.ending;
  }

  /** Where a container port of this pod really answers (running containers only). */
  address(port: number | string): { host: string; port: number } | undefined {
    const running = this.containers.filter((c) => c.running && c.port !== undefined);
    const named = typeof port === 'string' && !/^\d+$/.test(port);
    const declares = (c: ContainerRunner) =>
      (c.spec.ports ?? []).some((p) => (named ? p.name === port : p.containerPort === Number(port)));
    const found = running.find(declares) ?? (named ? undefined : running.find((c) => c.image.runnable));
    return found?.port !== undefined ? { host: '127.0.0.1', port: found.port } : undefined;
  }

  /**
   * Where `kubectl port-forward` reaches a port: the running container that declares it. A pod that
   * declares no ports at all has its workload's port unknown; any port reaches the workload then,
   * as the proxies do. Idle containers (nginx) have no process, so nothing listens.
   */
  forwardAddress(port: number): { host: string; port: number } | undefined {
    const running = this.containers.filter((c) => c.running && c.port !== undefined);
    const declaresAny = this.containers.some((c) => (c.spec.ports ?? []).length > 0);
    const found = declaresAny
      ? running.find((c) => (c.spec.ports ?? []).some((p) => p.containerPort === port))
      : running.find((c) => c.image.runnable);
    return found?.port !== undefined ? { host: '127.0.0.1', port: found.port } : undefined;
  }

  usage(): { container: string; cpuMillicores: number; memoryBytes: number }[] | undefined {
    const running = this.containers.filter((c) => c.running);
    if (running.length === 0) return undefined;
    return running.map((c) => {
      const measured = c.image.runnable ? this.node.usage.current(`${this.uid}/${c.name}`) : undefined;
      return {
        container: c.name,
        cpuMillicores: measured?.cpuMillicores ?? 0,
        memoryBytes: measured?.memoryBytes ?? 0,
      };
    });
  }

  /** `kubectl exec`: undefined when the container is not running or its image is not run here. */
  exec(
    container: string,
    command: string[],
    timeoutMs = WORKLOAD_EXEC_TIMEOUT_MS,
  ): Promise<ExecResult> | undefined {
    const runner = container ? this.containers.find((c) => c.name === container) : this.containers[0];
    if (!runner?.running || !runner.image.runnable) return undefined;
    return this.execIn(runner, command, timeoutMs);
  }

  /** A command of the node's builtins as the main process of a container whose image is not run. */
  runBuiltin(runner: ContainerRunner, command: string[]): Promise<ExecResult> {
    return this.execIn(runner, command, WORKLOAD_EXEC_TIMEOUT_MS);
  }

  private execIn(runner: ContainerRunner, command: string[], timeoutMs: number): Promise<ExecResult> {
    const mounts = (runner.spec.volumeMounts ?? []).flatMap((m) => {
      const source = this.sources.get(m.name);
      return source ? [{ path: m.mountPath, dir: source.dir }] : [];
    });
    const context = containerExecContext({
      rootDir: this.rootDir,
      cwd: runner.spec.workingDir ?? runner.image.workingDir,
      env: runner.env,
      hostname: this.name,
      mounts,
      supervisor: this.node.supervisor,
      shim: join(this.node.dirs.shim, 'churn-mlops'),
      timeoutMs,
    });
    return execInContainer(context, command);
  }

  async execProbe(runner: ContainerRunner, command: string[], timeoutMs: number) {
    const result = await this.exec(runner.name, command, timeoutMs);
    return result ? { exitCode: result.exitCode, output: result.stdout + result.stderr } : undefined;
  }

  environment(
    container: Container,
    image: ResolvedImage,
    port: number | undefined,
  ): Promise<EnvironmentResult> {
    return this.node.proxies.linksFor(this.namespace).then((serviceLinks) =>
      containerEnvironment({
        store: this.node.store,
        pod: this.current,
        container,
        image,
        podIP: this.podIP(),
        hostIP: this.node.hostIP(),
        serviceLinks,
        rootDir: this.rootDir,
        shimDir: this.node.dirs.shim,
        port,
        nodeAllocatable: this.node.allocatable(),
      }),
    );
  }

  waitForConfig(ms: number): Promise<void> {
    return this.config.wait(ms, this.controller.signal);
  }

  firstIdle(image: string): boolean {
    if (this.idleImages.has(image)) return false;
    this.idleImages.add(image);
    return true;
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.node.event(this.current, type, reason, message);
  }

  /** Reports the status once for every burst of changes (on the next turn of the event loop). */
  changed(): void {
    if (this.publishScheduled || this.silenced) return;
    this.publishScheduled = true;
    setImmediate(() => {
      this.publishScheduled = false;
      this.publish();
    });
  }

  private publish(): void {
    if (this.silenced) return;
    const stored = this.node.store.get('Pod', this.namespace, this.name);
    if (!stored || stored.metadata.uid !== this.uid) return;
    const status = podStatus({
      spec: stored.spec as PodSpec,
      previous: stored.status,
      podIP: this.ip,
      hostIP: this.node.hostIP(),
      startTime: this.startTime,
      sandboxReady: this.sandboxReady,
      initContainers: this.initContainers.map((c) => c.view()),
      containers: this.containers.map((c) => c.view()),
    });
    try {
      const next = { ...stored, status };
      const ctx = componentContext('Pod', 'kubelet', 'status');
      if (ctx) recordWrite(ctx, 'Pod', stored, next);
      this.node.store.update('Pod', next, { status: true });
    } catch {
      // Deleted in between: nothing to report on.
    }
  }

  private async run(): Promise<void> {
    this.changed();
    let reported: string | undefined;
    for (;;) {
      if (this.stopping) return;
      const check = checkVolumes(this.node.store, this.current);
      if (check.ready) break;
      if (check.message !== reported) this.event('Warning', 'FailedMount', check.message);
      reported = check.message;
      await this.config.wait(10_000, this.controller.signal);
    }
    if (!this.ip) {
      const inUse = this.node.store.list('Pod').map((p) => p.status?.podIP as string | undefined);
      this.ip = this.node.addresses.allocate(
        this.uid,
        inUse.filter((ip): ip is string => Boolean(ip)),
      );
      if (!this.ip) throw new Error('no free address left in the node pod CIDR 10.244.0.0/24');
    }
    await mkdir(join(this.rootDir, 'tmp'), { recursive: true });
    this.sources = await prepareVolumes(
      this.node.store,
      this.current,
      { podDir: this.podDir, rootDir: this.rootDir, nodeDir: this.node.dirs.node },
      this.addresses(),
    );
    for (const runner of [...this.initContainers, ...this.containers]) {
      if (runner.image.runnable) runner.port ??= await freePort();
    }
    if (this.stopping) return;
    this.sandboxReady = true;
    this.changed();
    const policy = (this.current.spec as PodSpec).restartPolicy ?? 'Always';
    for (const init of this.initContainers) {
      const result = await init.run(policy === 'Never' ? 'Never' : 'OnFailure');
      if (this.stopping || !result || result.exitCode !== 0) {
        this.changed();
        return;
      }
    }
    await Promise.all(this.containers.map((c) => c.run(policy)));
    this.changed();
  }

  private addresses() {
    return { podIP: this.podIP(), hostIP: this.node.hostIP(), allocatable: this.node.allocatable() };
  }

  private graceMs(): number {
    const meta = this.current.metadata as { deletionGracePeriodSeconds?: number };
    const spec = this.current.spec as PodSpec;
    return (meta.deletionGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  private halt(): void {
    this.stopping = true;
    this.controller.abort();
    this.config.notify();
  }

  private async cleanup(): Promise<void> {
    this.node.addresses.release(this.uid);
    await rm(this.podDir, { recursive: true, force: true });
    await rm(this.logDir, { recursive: true, force: true });
  }
}

/** How a container that was running when the node went down ended, as the kubelet reports it after a reboot. */
function recoveredExit(previous: Record<string, unknown>): TerminatedState | undefined {
  const state = (previous.state ?? {}) as {
    running?: { startedAt: string };
    terminated?: TerminatedState;
    waiting?: unknown;
  };
  const last = (previous.lastState ?? {}) as { terminated?: TerminatedState };
  if (state.terminated) return state.terminated;
  if (state.running) {
    return { exitCode: 255, reason: 'Unknown', startedAt: state.running.startedAt, finishedAt: now() };
  }
  if (state.waiting && last.terminated) return last.terminated;
  return undefined;
}
