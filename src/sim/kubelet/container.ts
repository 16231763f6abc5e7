import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { KubeObject } from '../../kube/objects.js';
import { resourceOf } from '../../kube/quantity.js';
import { now } from '../store.js';
import { RestartBackoff } from './backoff.js';
import { builtins } from './builtins.js';
import { ContainerProbes } from './container-probes.js';
import type { NodeContext } from './context.js';
import { type EnvironmentResult, expandReferences } from './env.js';
import { type ExecResult, simpleCommand } from './exec.js';
import { BARE_SHELLS, containerArgv, type ResolvedImage, resolveImage } from './images.js';
import { LogWriter } from './logs.js';
import type { ContainerView } from './pod-status.js';
import type { ProbeTarget } from './probes.js';
import type { RunningProcess } from './processes.js';
import { goDuration, sleep } from './timing.js';
import type { Container, ContainerStateView, PodSpec, TerminatedState } from './types.js';
import { mountVolumes, safeRelative, type VolumeSource } from './volumes.js';

/**
 * One container of a pod on the simulated node: its instances one after the other (restartCount),
 * each a real process (or, for an image the node does not run, an idle container), with its log
 * file, probes, memory limit and restarts by the pod's restartPolicy with the crash-loop back-off.
 */
export interface ContainerHost {
  readonly node: NodeContext;
  pod(): KubeObject;
  podIP(): string;
  readonly rootDir: string;
  readonly logDir: string;
  volumes(): Map<string, VolumeSource>;
  readonly stopping: boolean;
  readonly abort: AbortSignal;
  changed(): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  environment(
    container: Container,
    image: ResolvedImage,
    port: number | undefined,
  ): Promise<EnvironmentResult>;
  waitForConfig(ms: number): Promise<void>;
  /** True the first time an idle image is seen in this pod (one event says so). */
  firstIdle(image: string): boolean;
  /** Runs a command of the node's builtins (echo, ls, cat, ...) in the container, on its files. */
  runBuiltin(container: ContainerRunner, command: string[]): Promise<ExecResult>;
  execProbe(
    container: ContainerRunner,
    command: string[],
    timeoutMs: number,
  ): Promise<{ exitCode: number; output: string } | undefined>;
}

type Policy = 'Always' | 'OnFailure' | 'Never';

const MINIMUM_GRACE_MS = 2_000;
const SHELLS: Record<string, string> = { sh: '/bin/sh', ash: '/bin/sh', dash: '/bin/sh', bash: 'bash' };

export class ContainerRunner {
  restartCount = 0;
  state: ContainerStateView = { waiting: { reason: 'ContainerCreating' } };
  lastState: ContainerStateView = {};
  ready = false;
  started = false;
  containerID: string | undefined;
  /** Where the container's (first) port really listens on 127.0.0.1. */
  port: number | undefined;
  image: ResolvedImage;
  /** The environment of the running instance (for exec). */
  env: Record<string, string> = {};
  private process: RunningProcess | undefined;
  private probes: ContainerProbes | undefined;
  private killReason: 'OOMKilled' | 'Probe' | 'Changed' | undefined;
  private readonly backoff: RestartBackoff;
  private idleStop: (() => void) | undefined;
  private finishedAtMs = 0;

  constructor(
    private readonly host: ContainerHost,
    public spec: Container,
    /** An instance that ended before the node (re)started, still to be acted on by the policy. */
    private pendingExit?: TerminatedState,
  ) {
    this.image = resolveImage(spec.image, host.node.images);
    this.backoff = new RestartBackoff(host.node.backoff.initialMs, host.node.backoff.maxMs);
  }

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return Boolean(this.state.running);
  }

  view(): ContainerView {
    return {
      name: this.spec.name,
      image: this.image.reference,
      imageID: this.containerID ? this.image.imageID : '',
      containerID: this.containerID,
      state: this.state,
      lastState: this.lastState,
      ready: this.ready,
      started: this.started,
      restartCount: this.restartCount,
    };
  }

  /**
   * Runs instances until the policy says the container is done (resolving with its last exit) or
   * the pod stops. Init containers run with OnFailure (or Never) and end at their first success.
   */
  async run(policy: Policy): Promise<TerminatedState | undefined> {
    for (;;) {
      if (this.host.stopping) return undefined;
      const finished = this.pendingExit ?? (await this.instance());
      this.pendingExit = undefined;
      if (!finished) return undefined;
      this.state = { terminated: finished };
      this.ready = false;
      this.started = false;
      this.host.changed();
      if (this.host.stopping) return finished;
      const changed = this.killReason === 'Changed';
      const restart = changed || policy === 'Always' || (policy === 'OnFailure' && finished.exitCode !== 0);
      if (!restart) return finished;
      if (!changed) {
        const finishedAt = this.finishedAtMs || Date.now();
        const wait = this.backoff.waitMs(finishedAt);
        if (wait > 0) {
          const pod = this.host.pod();
          const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
          this.lastState = { terminated: finished };
          this.state = {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off ${goDuration(this.backoff.currentDelayMs)} restarting failed container=${this.name} pod=${podRef}`,
            },
          };
          this.host.event(
            'Warning',
            'BackOff',
            `Back-off restarting failed container ${this.name} in pod ${podRef}`,
          );
          this.host.changed();
          if (!(await sleep(wait, this.host.abort))) return finished;
        }
        this.backoff.restarted(finishedAt);
      }
      this.lastState = { terminated: finished };
      this.restartCount++;
    }
  }

  /**
   * Makes sure the node has the image, as the kubelet does before it creates the container: already
   * present, pulled, or failing with ErrImagePull and then ImagePullBackOff, retried with the
   * back-off until the pod goes or its image changes. False when the pod stopped meanwhile.
   */
  private async pullImage(): Promise<boolean> {
    const backoff = new RestartBackoff(this.host.node.backoff.initialMs, this.host.node.backoff.maxMs);
    for (;;) {
      if (this.host.stopping) return false;
      const image = this.image;
      const name = this.spec.image;
      const policy = this.spec.imagePullPolicy;
      if (image.present && policy !== 'Always') {
        this.host.event('Normal', 'Pulled', `Container image "${name}" already present on machine`);
        return true;
      }
      if (policy === 'Never') {
        const message = `Container image "${name}" is not present with pull policy of Never`;
        this.state = { waiting: { reason: 'ErrImageNeverPull', message } };
        this.host.event('Warning', 'ErrImageNeverPull', message);
      } else {
        this.host.event('Normal', 'Pulling', `Pulling image "${name}"`);
        if (image.pullError === undefined) {
          this.host.event('Normal', 'Pulled', `Successfully pulled image "${name}"`);
          return true;
        }
        this.state = { waiting: { reason: 'ErrImagePull', message: image.pullError } };
        this.host.event('Warning', 'Failed', `Failed to pull image "${name}": ${image.pullError}`);
        this.host.event('Warning', 'Failed', 'Error: ErrImagePull');
        this.host.changed();
        backoff.restarted(Date.now());
        if (!(await this.waitForImage(Math.min(1_000, backoff.currentDelayMs), name))) return false;
        if (this.spec.image !== name) continue;
        this.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${name}"` } };
        this.host.event('Normal', 'BackOff', `Back-off pulling image "${name}"`);
        this.host.event('Warning', 'Failed', 'Error: ImagePullBackOff');
      }
      this.host.changed();
      if (!(await this.waitForImage(Math.max(backoff.currentDelayMs, 1_000), name))) return false;
    }
  }

  /** Sleeps, waking early when the pod's image changes; false when the pod stopped. */
  private async waitForImage(ms: number, image: string): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!(await sleep(Math.min(250, until - Date.now()), this.host.abort))) return false;
      if (this.spec.image !== image) return true;
    }
    return true;
  }

  /** A new image in the pod spec: this instance ends and the next one runs the new image. */
  async replaceSpec(spec: Container, graceMs: number): Promise<void> {
    this.spec = spec;
    this.image = resolveImage(spec.image, this.host.node.images);
    if (!this.running) return;
    this.killReason = 'Changed';
    await this.stop(
      Math.max(graceMs, MINIMUM_GRACE_MS),
      `Container ${this.name} definition changed, will be restarted`,
    );
  }

  /** SIGTERM to the container's processes, SIGKILL after the grace period. */
  async stop(graceMs: number, message = `Stopping container ${this.name}`): Promise<void> {
    if (!this.running || (!this.process && !this.idleStop)) return;
    this.host.event('Normal', 'Killing', message);
    if (this.idleStop) {
      await sleep(Math.min(graceMs, this.host.node.idleGraceMs));
      this.kill();
      return;
    }
    const process = this.process;
    if (!process) return;
    process.signal('SIGTERM');
    const ended = await Promise.race([process.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!ended) process.signal('SIGKILL');
    await process.exited;
  }

  /** Ends the instance at once (the node is shutting down or the pod is gone). */
  kill(): void {
    this.process?.signal('SIGKILL');
    const idle = this.idleStop;
    this.idleStop = undefined;
    idle?.();
  }

  /** Where a container port (number or name) of this container really listens. */
  resolvePort(port: number | string): { local: number; declared: number } | undefined {
    if (this.port === undefined) return undefined;
    const declared = this.spec.ports ?? [];
    if (typeof port === 'string' && !/^\d+$/.test(port)) {
      const named = declared.find((p) => p.name === port);
      return named ? { local: this.port, declared: named.containerPort } : undefined;
    }
    return { local: this.port, declared: Number(port) };
  }

  private async instance(): Promise<TerminatedState | undefined> {
    const env = await this.configure();
    if (!env) return undefined;
    this.env = env;
    const pod = this.host.pod();
    if (!(await this.pullImage())) return undefined;
    await mountVolumes(this.host.rootDir, this.spec, this.host.volumes());
    const cwd = join(this.host.rootDir, safeRelative(this.spec.workingDir ?? this.image.workingDir));
    await mkdir(cwd, { recursive: true });
    const logDir = join(this.host.logDir, this.name);
    await mkdir(logDir, { recursive: true });
    // The pod may have been deleted while its volumes were being set up.
    if (this.host.stopping) return undefined;
    const log = new LogWriter(join(logDir, `${this.restartCount}.log`));
    this.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    this.killReason = undefined;
    this.host.event('Normal', 'Created', `Created container: ${this.name}`);
    const startedAt = now();
    if (!this.image.runnable) return (await this.oneShot(log, startedAt)) ?? this.idle(log, startedAt);

    const argv = hostArgv(
      containerArgv(this.spec, this.image).map((arg) => expandReferences(arg, env)),
      join(this.host.node.dirs.shim, 'churn-mlops'),
    );
    const process = this.host.node.supervisor.spawn({
      argv,
      env,
      cwd,
      onOutput: (stream, chunk) => log.write(stream, chunk),
    });
    if (process.pid === undefined) {
      const exit = await process.exited;
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${exit.startError}: unknown`;
      this.host.event('Warning', 'Failed', `Error: ${message}`);
      await log.close();
      this.finishedAtMs = Date.now();
      return {
        exitCode: 128,
        reason: 'StartError',
        message,
        startedAt: '1970-01-01T00:00:00Z',
        finishedAt: now(),
        containerID: this.containerID,
      };
    }
    this.process = process;
    this.host.event('Normal', 'Started', `Started container ${this.name}`);
    this.state = { running: { startedAt } };
    this.started = !this.spec.startupProbe;
    this.ready = this.started && !this.spec.readinessProbe;
    this.host.changed();
    const key = `${pod.metadata.uid}/${this.name}`;
    const limit = resourceOf(this.spec.resources?.limits, 'memory');
    this.host.node.usage.watch(key, process.pid, limit, () => this.outOfMemory(argv[0] ?? '', process.pid!));
    this.startProbes(Date.now());

    const exit = await process.exited;
    this.probes?.stop();
    this.probes = undefined;
    this.host.node.usage.unwatch(key);
    this.process = undefined;
    await log.close();
    this.finishedAtMs = Date.now();
    const reason =
      this.killReason === 'OOMKilled' ? 'OOMKilled' : exit.exitCode === 0 ? 'Completed' : 'Error';
    return { exitCode: exit.exitCode, reason, startedAt, finishedAt: now(), containerID: this.containerID };
  }

  /** The environment, waiting (CreateContainerConfigError) while a referenced object is missing. */
  private async configure(): Promise<Record<string, string> | undefined> {
    for (;;) {
      if (this.host.stopping) return undefined;
      const result = await this.host.environment(this.spec, this.image, this.port);
      if ('env' in result) return result.env;
      if (this.state.waiting?.message !== result.error) {
        this.state = { waiting: { reason: 'CreateContainerConfigError', message: result.error } };
        this.host.event('Warning', 'Failed', `Error: ${result.error}`);
        this.host.changed();
      }
      await this.host.waitForConfig(5_000);
    }
  }

  /**
   * An image the node does not run, given a command the node can do: the builtins (`echo hi`,
   * `sh -c "ls /data"`) or `sleep N`, as a busybox Job's one-liner. It runs, writes its log and
   * ends with its exit code, so such a Job completes. Undefined for anything else (idle instead).
   */
  private async oneShot(log: LogWriter, startedAt: string): Promise<TerminatedState | undefined> {
    const argv = containerArgv(this.spec, this.image).map((arg) => expandReferences(arg, this.env));
    // A bare shell (busybox's or alpine's CMD) with no input open reads end of file and exits 0.
    const bareShell = argv.length === 1 && BARE_SHELLS.has(basename(argv[0]!)) && !this.spec.stdin;
    const words = bareShell ? ['true'] : simpleCommand(argv, this.env);
    if (!words?.[0]) return undefined;
    const name = basename(words[0]);
    const seconds = name === 'sleep' && words.length === 2 ? Number(words[1]) : Number.NaN;
    if (!(name in builtins) && !Number.isFinite(seconds)) return undefined;
    this.host.event('Normal', 'Started', `Started container ${this.name}`);
    this.state = { running: { startedAt } };
    this.started = true;
    // A command that ends at once (a bare shell, a builtin) has exited before a real kubelet's next
    // look at its containers (PLEG relists each second): its pod is never seen Running and Ready.
    if (Number.isFinite(seconds)) {
      this.ready = true;
      this.host.changed();
    }
    let exitCode = 0;
    if (Number.isFinite(seconds)) {
      const stopped = new Promise<boolean>((resolve) => {
        this.idleStop = () => resolve(false);
      });
      const slept = await Promise.race([sleep(seconds * 1000, this.host.abort), stopped]);
      this.idleStop = undefined;
      if (!slept) exitCode = 137;
    } else {
      const result = await this.host.runBuiltin(this, words);
      if (result.stdout) log.write('stdout', Buffer.from(result.stdout));
      if (result.stderr) log.write('stderr', Buffer.from(result.stderr));
      exitCode = result.exitCode;
    }
    await log.close();
    this.finishedAtMs = Date.now();
    return {
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: now(),
      containerID: this.containerID,
    };
  }

  private async idle(log: LogWriter, startedAt: string): Promise<TerminatedState> {
    const stopped = new Promise<void>((resolve) => {
      this.idleStop = resolve;
    });
    const why = `The simulated node does not run the code of image "${this.spec.image}": the container is shown Running and Ready without a process, and its probes are skipped`;
    await log.note(`[churn-labs] ${why}.`);
    if (!this.host.stopping) {
      if (this.host.firstIdle(this.spec.image)) this.host.event('Normal', 'IdleContainer', `${why}.`);
      this.host.event('Normal', 'Started', `Started container ${this.name}`);
      this.state = { running: { startedAt } };
      this.started = true;
      this.ready = true;
      this.host.changed();
      await stopped;
    }
    this.idleStop = undefined;
    await log.close();
    this.finishedAtMs = Date.now();
    return { exitCode: 0, reason: 'Completed', startedAt, finishedAt: now(), containerID: this.containerID };
  }

  private outOfMemory(program: string, pid: number): void {
    if (this.killReason === 'OOMKilled') return;
    this.killReason = 'OOMKilled';
    this.process?.signal('SIGKILL');
    const node = this.host.node.store.get('Node', undefined, this.host.node.nodeName);
    if (node) {
      this.host.node.event(
        node,
        'Warning',
        'SystemOOM',
        `System OOM encountered, victim process: ${basename(program)}, pid: ${pid}`,
      );
    }
  }

  private startProbes(startedAt: number): void {
    const target: ProbeTarget = {
      podIP: this.host.podIP(),
      resolvePort: (port) => this.resolvePort(port),
      exec: (command, timeoutMs) => this.host.execProbe(this, command, timeoutMs),
    };
    this.probes = new ContainerProbes(this.spec, target, {
      started: () => {
        this.started = true;
        this.ready = !this.spec.readinessProbe;
        this.host.changed();
      },
      ready: (ok) => {
        this.ready = ok && this.started;
        this.host.changed();
      },
      failed: (kind) => this.failedProbe(kind),
      event: (type, reason, message) => this.host.event(type, reason, message),
    });
    this.probes.start(startedAt);
  }

  /** A failed liveness or startup probe: the instance is stopped (and the run loop restarts it). */
  private failedProbe(kind: 'Liveness' | 'Startup'): void {
    if (!this.running) return;
    this.killReason = 'Probe';
    const probe = kind === 'Startup' ? this.spec.startupProbe : this.spec.livenessProbe;
    const seconds =
      probe?.terminationGracePeriodSeconds ??
      (this.host.pod().spec as PodSpec).terminationGracePeriodSeconds ??
      30;
    void this.stop(
      Math.max(seconds * 1000, MINIMUM_GRACE_MS),
      `Container ${this.name} failed ${kind.toLowerCase()} probe, will be restarted`,
    );
  }
}

/** The container's argv as this machine runs it: the workload through its shim, shells as the local sh. */
export function hostArgv(argv: string[], shim: string): string[] {
  const [program, ...rest] = argv;
  if (!program) return argv;
  const name = basename(program);
  if (name === 'churn-mlops') return [shim, ...rest];
  const shell = SHELLS[name];
  if (shell && (program === name || program.startsWith('/bin/') || program.startsWith('/usr/bin/'))) {
    return [shell, ...rest];
  }
  return argv;
}
