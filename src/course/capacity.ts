import type { KubeObject } from '../kube/objects.js';
import { parseQuantity } from '../kube/quantity.js';
import type { Exercise } from './schema.js';

/**
 * What the course asks of the one kind node, in CPU and memory *requests*: the scheduler places a
 * pod only where the requests of the pods already there plus its own fit in the node's
 * allocatable, and a kind node's allocatable is what Docker gives it (Docker's NCPU and MemTotal:
 * kind sets no kube-reserved or system-reserved, and its partial `evictionHard` resets the 100Mi
 * memory.available threshold to 0). On a Docker Desktop with 4 CPUs the course's pods share
 * 4000m with the node's own pods, so a peak above that leaves a pod Pending.
 *
 * `replayCourse` walks the exercises in course order over the manifests, running what each
 * step's commands and reference solution do to the node's pods (apply, scale, create a Job from a
 * CronJob, roll out, wait for a Job or for the HPA) and what its checks say must hold once it is
 * done, and keeps the moment of each exercise that asks the most. The result is written out below
 * (COURSE_CPU_PEAK, COURSE_MEMORY_PEAK) so that `doctor` needs no YAML; test/content/capacity.test.ts
 * replays the course again and fails when the two drift apart.
 */

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** Identical pods on the node at one moment: how many, and what each one requests. */
export interface PodGroup {
  name: string;
  pods: number;
  cpuMilli: number;
  memoryBytes: number;
}

/** The pods on the node at one moment of the course, and their requests added up. */
export interface Moment {
  /** The exercise's id and its place in course order (1 is deploy-system). */
  exercise: string;
  number: number;
  step: string;
  /** What happens at that moment, in a few words. */
  what: string;
  groups: PodGroup[];
  cpuMilli: number;
  memoryBytes: number;
}

export interface ExercisePeaks {
  exercise: string;
  number: number;
  cpu: Moment;
  memory: Moment;
}

/**
 * The kind node's own pods (kind v0.27, Kubernetes 1.32) and what each requests, from their
 * sources: kubeadm's static pods (cmd/kubeadm/app/phases/controlplane/manifests.go:
 * ComponentResources("250m"), ("200m"), ("100m"), CPU only; etcd in phases/etcd/local.go: 100m,
 * 100Mi), kubeadm's CoreDNS Deployment (phases/addons/dns/manifests.go: 100m, 70Mi; 2 replicas)
 * and kind's kindnet DaemonSet (pkg/build/nodeimage/const_cni.go: 100m, 50Mi). kube-proxy and
 * kind's local-path-provisioner request nothing.
 */
export const KIND_NODE_PODS: PodGroup[] = [
  { name: 'kube-apiserver', pods: 1, cpuMilli: 250, memoryBytes: 0 },
  { name: 'kube-controller-manager', pods: 1, cpuMilli: 200, memoryBytes: 0 },
  { name: 'kube-scheduler', pods: 1, cpuMilli: 100, memoryBytes: 0 },
  { name: 'etcd', pods: 1, cpuMilli: 100, memoryBytes: 100 * MiB },
  { name: 'coredns', pods: 2, cpuMilli: 100, memoryBytes: 70 * MiB },
  { name: 'kindnet', pods: 1, cpuMilli: 100, memoryBytes: 50 * MiB },
];

/**
 * The smoke-test pod `churn-labs up` runs for a moment (src/cluster/environment/smoke.ts), counted
 * as always there: a learner may run `up` again in the middle of any exercise.
 */
export const SMOKE_POD: PodGroup = {
  name: 'smoke (churn-labs up)',
  pods: 1,
  cpuMilli: 10,
  memoryBytes: 32 * MiB,
};

/**
 * Memory the node uses that no request accounts for, so that the scheduler does not see it but
 * the kernel does: kube-apiserver, kube-controller-manager and kube-scheduler request CPU only,
 * etcd uses more than its 100Mi, and the kubelet and containerd run outside any pod. About 1 GiB
 * on an idle kind node; an estimate, added to the requests when Docker's memory is judged.
 */
export const NODE_UNREQUESTED_MEMORY_BYTES = 1 * GiB;

/** metrics-server as manifests/platform/metrics-server.yaml runs it (`churn-labs up` applies it). */
export const METRICS_SERVER_POD: PodGroup = {
  name: 'metrics-server',
  pods: 1,
  cpuMilli: 100,
  memoryBytes: 200 * MiB,
};

/** Everything on the node before the first exercise, and through the whole course. */
export const PLATFORM_PODS: PodGroup[] = [...KIND_NODE_PODS, METRICS_SERVER_POD, SMOKE_POD];

/** The moment of the course that asks the most of one resource. */
export interface CoursePeak {
  exercise: string;
  number: number;
  step: string;
  what: string;
  /** The course's own pods at that moment; the platform's are PLATFORM_PODS. */
  pods: PodGroup[];
  /** Everything on the node, the platform's pods included. */
  cpuMilli: number;
  memoryBytes: number;
}

/**
 * The course's peaks as replayCourse finds them (test/content/capacity.test.ts replays the course
 * and fails when these drift from the labs and manifests). CPU: Exercise 4 at 5 API replicas.
 * Memory: Exercise 3, 3 API replicas beside the 1Gi batch Job (Exercise 4's 5 × 512Mi is as much).
 */
export const COURSE_CPU_PEAK: CoursePeak = {
  exercise: 'scale-api',
  number: 4,
  step: 'scale',
  what: 'churn-api at 5 replicas',
  pods: [{ name: 'churn-api', pods: 5, cpuMilli: 500, memoryBytes: 512 * MiB }],
  cpuMilli: 3560,
  memoryBytes: 3082 * MiB,
};

export const COURSE_MEMORY_PEAK: CoursePeak = {
  exercise: 'batch-job',
  number: 3,
  step: 'trigger',
  what: 'Job manual-batch made from CronJob churn-batch-score',
  pods: [
    { name: 'churn-api', pods: 3, cpuMilli: 500, memoryBytes: 512 * MiB },
    { name: 'manual-batch', pods: 1, cpuMilli: 500, memoryBytes: 1 * GiB },
  ],
  cpuMilli: 3060,
  memoryBytes: 3082 * MiB,
};

/** Whole CPUs Docker must give the kind node (its allocatable is NCPU × 1000m). */
export const COURSE_CPUS = Math.ceil(COURSE_CPU_PEAK.cpuMilli / 1000);

/** Memory Docker must have: the peak of the requests, and what the node uses without requesting it. */
export const COURSE_MEMORY_BYTES = COURSE_MEMORY_PEAK.memoryBytes + NODE_UNREQUESTED_MEMORY_BYTES;

/** The manifests the replay reads, as the labs name them from the workspace (k8s/ is manifests/). */
export interface CourseManifests {
  /**
   * The objects of a path under manifests/: `''` is the top-level folder (its own files only, as
   * `kubectl apply -f k8s/` reads them), otherwise one file (`exercises/qos-guaranteed.yaml`).
   */
  read(path: string): KubeObject[];
  /** The objects of a manifest written into a command (a heredoc piped to `kubectl apply -f -`). */
  parse(text: string): KubeObject[];
}

export interface CourseReplay {
  /** What is on the node before the first exercise: its own pods, metrics-server, the smoke pod. */
  platform: PodGroup[];
  exercises: ExercisePeaks[];
}

// ---------------------------------------------------------------------------------------------
// Requests of a pod

type PodSpec = {
  containers?: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
};
type Container = { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } };

/** A container's request; a limit alone is the request too, as the API server defaults it. */
function containerRequests(c: Container): { cpuMilli: number; memoryBytes: number } {
  const of = (resource: 'cpu' | 'memory') =>
    parseQuantity(c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource]) ?? 0;
  return { cpuMilli: Math.round(of('cpu') * 1000), memoryBytes: Math.round(of('memory')) };
}

/** What the scheduler counts for a pod: its containers added up, or its largest init container. */
export function podRequests(spec: PodSpec | undefined): { cpuMilli: number; memoryBytes: number } {
  const sum = (spec?.containers ?? []).map(containerRequests).reduce(add, { cpuMilli: 0, memoryBytes: 0 });
  for (const init of (spec?.initContainers ?? []).map(containerRequests)) {
    sum.cpuMilli = Math.max(sum.cpuMilli, init.cpuMilli);
    sum.memoryBytes = Math.max(sum.memoryBytes, init.memoryBytes);
  }
  return sum;
}

const add = (a: { cpuMilli: number; memoryBytes: number }, b: { cpuMilli: number; memoryBytes: number }) => ({
  cpuMilli: a.cpuMilli + b.cpuMilli,
  memoryBytes: a.memoryBytes + b.memoryBytes,
});

// ---------------------------------------------------------------------------------------------
// What a command does to the node's pods

type Effect =
  | { type: 'apply'; objects: KubeObject[] }
  | { type: 'delete'; kind: string; name: string }
  | { type: 'scale'; name: string; replicas: number }
  | { type: 'job-from-cronjob'; cronJob: string; name: string }
  | { type: 'rollout'; name: string }
  | { type: 'finished'; name: string }
  | { type: 'hpa-at'; name: string; replicas: number };

/** kubectl verbs that change what runs; one the replay does not know is an error, not a no-op. */
const CHANGING = new Set([
  'apply',
  'create',
  'replace',
  'delete',
  'scale',
  'set',
  'rollout',
  'run',
  'patch',
  'edit',
  'autoscale',
  'expose',
  'label',
  'annotate',
  'drain',
  'cordon',
  'taint',
]);

/** Changing commands that neither start nor stop a pod that requests anything. */
const NO_POD_CHANGE: RegExp[] = [
  /^kubectl create namespace\b/,
  /^kubectl (create|delete|get) --raw\b/,
  // suspend a CronJob, or move the HPA's target: no pod now
  /^kubectl patch (cronjob|hpa)\b/,
  /^kubectl label pod\b/,
  /^kubectl rollout (status|history)\b/,
  // a Deployment's pod: its ReplicaSet starts a replacement while the old one terminates, which
  // only delays it (a terminating pod always goes), unlike a rollout's surge pod that the rollout
  // waits for
  /^kubectl delete pod\s(?:[^\n;&|]*\s)?-l\s/,
  // an HPA a learner added beside churn-api-hpa (the solutions delete it): the replay has none
  /^kubectl delete hpa "\$hpa"/,
];

const NAME = '([a-z0-9][a-z0-9.-]*)';

/** Paths a lab gives kubectl -f, in the workspace (k8s/…), as paths under manifests/. */
function manifestPath(arg: string, where: string): string {
  const path = arg.replace(/^["']|["']$/g, '');
  if (path === 'k8s' || path === 'k8s/') return '';
  if (path.startsWith('k8s/') && /\.ya?ml$/.test(path)) return path.slice('k8s/'.length);
  throw new Error(`${where}: the capacity replay does not know the manifest path ${arg}`);
}

function fileArgs(flags: string): string[] {
  return [...flags.matchAll(/-f\s+(\S+)/g)].map((m) => m[1]!);
}

type Reader = (m: RegExpExecArray, command: string, manifests: CourseManifests, where: string) => Effect[];

const KINDS = { hpa: 'HorizontalPodAutoscaler', deployment: 'Deployment', job: 'Job', pod: 'Pod' } as const;

/** Each kubectl call the labs make that starts or stops pods, and what it does. */
const READERS: [RegExp, Reader][] = [
  [
    /^kubectl apply((?:\s+-f\s+\S+)+)/,
    (m, command, manifests, where) =>
      fileArgs(m[1]!).flatMap((arg): Effect[] => {
        if (arg !== '-') return [{ type: 'apply', objects: manifests.read(manifestPath(arg, where)) }];
        const heredoc = /<<-?\s*'?(\w+)'?[^\n]*\n([\s\S]*?)\n\s*\1\s*$/m.exec(command);
        if (heredoc) return [{ type: 'apply', objects: manifests.parse(heredoc[2]!) }];
        if (/kubectl create namespace \S+ --dry-run=client -o yaml\s*\|\s*kubectl apply -f -/.test(command))
          return [];
        throw new Error(`${where}: the capacity replay cannot tell what "${command}" applies`);
      }),
  ],
  [
    /^kubectl delete((?:\s+-f\s+\S+)+)/,
    (m, _command, manifests, where) =>
      fileArgs(m[1]!).flatMap((arg) =>
        manifests
          .read(manifestPath(arg, where))
          .map(
            (object): Effect => ({ type: 'delete', kind: String(object.kind), name: object.metadata.name }),
          ),
      ),
  ],
  [
    new RegExp(`^kubectl delete (hpa|deployment|job|pod) ${NAME}`),
    (m) => [{ type: 'delete', kind: KINDS[m[1] as keyof typeof KINDS], name: m[2]! }],
  ],
  [
    new RegExp(`^kubectl scale deployment[ /]${NAME}[^\\n;&|]*?--replicas=(\\d+)`),
    (m) => [{ type: 'scale', name: m[1]!, replicas: Number(m[2]) }],
  ],
  [
    new RegExp(`^kubectl create job --from=cronjob/${NAME} ${NAME}`),
    (m) => [{ type: 'job-from-cronjob', cronJob: m[1]!, name: m[2]! }],
  ],
  [
    new RegExp(`^kubectl (?:set image|rollout undo|rollout restart) deployment/${NAME}`),
    (m) => [{ type: 'rollout', name: m[1]! }],
  ],
  [
    new RegExp(`^kubectl wait --for=condition=complete job/${NAME}`),
    (m) => [{ type: 'finished', name: m[1]! }],
  ],
  [
    new RegExp(`^kubectl wait --for=jsonpath='\\{\\.status\\.phase\\}'=(?:Succeeded|Failed) pod/${NAME}`),
    (m) => [{ type: 'finished', name: m[1]! }],
  ],
  [
    new RegExp(`^kubectl wait --for=jsonpath='\\{\\.status\\.currentReplicas\\}'=(\\d+) hpa/${NAME}`),
    (m) => [{ type: 'hpa-at', name: m[2]!, replicas: Number(m[1]) }],
  ],
];

/** The effects of one command, in the order its kubectl calls appear. */
export function commandEffects(command: string, manifests: CourseManifests, where: string): Effect[] {
  const effects: Effect[] = [];
  for (const call of command.matchAll(/\bkubectl\s/g)) {
    const rest = command.slice(call.index);
    const known = READERS.map(([pattern, read]) => [pattern.exec(rest), read] as const).find(([m]) => m);
    if (known) {
      effects.push(...known[1](known[0]!, command, manifests, where));
      continue;
    }
    const verb = /^kubectl\s+(\w+)/.exec(rest)?.[1] ?? '';
    if (CHANGING.has(verb) && !NO_POD_CHANGE.some((p) => p.test(rest)))
      throw new Error(
        `${where}: the capacity replay does not know what "${rest.split('\n')[0]}" does to the node's pods; teach it (src/course/capacity.ts)`,
      );
  }
  return effects;
}

// ---------------------------------------------------------------------------------------------
// The node during the course

interface Workload {
  name: string;
  replicas: number;
  perPod: { cpuMilli: number; memoryBytes: number };
  /** spec.strategy.rollingUpdate.maxSurge (25% when absent), 0 for Recreate. */
  maxSurge: number | string;
}

interface OneShot {
  name: string;
  perPod: { cpuMilli: number; memoryBytes: number };
  /** true: ends by itself (a Job's pod, a pod with restartPolicy Never); false: runs until deleted. */
  ends: boolean;
}

/** A rollout's extra pods: maxSurge of the replicas, a percentage rounded up. */
function surgeOf(workload: Workload): number {
  const { maxSurge, replicas } = workload;
  if (typeof maxSurge === 'number') return maxSurge;
  const percent = /^(\d+)%$/.exec(maxSurge);
  if (!percent)
    throw new Error(`${workload.name}: maxSurge ${maxSurge} is neither a number nor a percentage`);
  return Math.ceil((replicas * Number(percent[1])) / 100);
}

class NodeState {
  readonly deployments = new Map<string, Workload>();
  readonly pods = new Map<string, OneShot>();
  readonly cronJobs = new Map<string, { cpuMilli: number; memoryBytes: number }>();
  readonly hpas = new Map<string, { target: string; min: number }>();

  constructor(readonly platform: PodGroup[]) {}

  apply(object: KubeObject): void {
    const name = object.metadata.name;
    switch (object.kind) {
      case 'Deployment': {
        const strategy = object.spec?.strategy;
        const held = [...this.hpas.values()].some((h) => h.target === name);
        this.deployments.set(name, {
          name,
          // An HPA owns the count of its target; an apply without it keeps what the HPA set.
          replicas: held ? (this.deployments.get(name)?.replicas ?? 1) : (object.spec?.replicas ?? 1),
          perPod: podRequests(object.spec?.template?.spec),
          maxSurge: strategy?.type === 'Recreate' ? 0 : (strategy?.rollingUpdate?.maxSurge ?? '25%'),
        });
        break;
      }
      case 'Job':
        this.pods.set(name, {
          name,
          perPod: mul(podRequests(object.spec?.template?.spec), object.spec?.parallelism ?? 1),
          ends: true,
        });
        break;
      case 'CronJob':
        this.cronJobs.set(name, podRequests(object.spec?.jobTemplate?.spec?.template?.spec));
        break;
      case 'Pod': {
        const spec = object.spec as PodSpec | undefined;
        this.pods.set(name, {
          name,
          perPod: podRequests(spec),
          ends: (spec?.restartPolicy ?? 'Always') !== 'Always',
        });
        break;
      }
      case 'HorizontalPodAutoscaler': {
        const target = String(object.spec?.scaleTargetRef?.name);
        const min = object.spec?.minReplicas ?? 1;
        this.hpas.set(name, { target, min });
        // It keeps the count it finds for its 5-minute scale-down window, and raises one below its minimum.
        const workload = this.deployments.get(target);
        if (workload && workload.replicas < min) workload.replicas = min;
        break;
      }
    }
  }

  delete(kind: string, name: string): void {
    if (kind === 'Deployment') this.deployments.delete(name);
    else if (kind === 'Job' || kind === 'Pod') this.pods.delete(name);
    else if (kind === 'CronJob') this.cronJobs.delete(name);
    else if (kind === 'HorizontalPodAutoscaler') this.hpas.delete(name);
  }

  /** The exercise is over: whatever ends by itself has ended (a Job's pod, an OOMKilled pod). */
  settle(): void {
    for (const [name, pod] of this.pods) if (pod.ends) this.pods.delete(name);
  }

  groups(extra?: PodGroup): PodGroup[] {
    const groups = [...this.platform];
    for (const d of this.deployments.values())
      if (d.replicas > 0) groups.push({ name: d.name, pods: d.replicas, ...d.perPod });
    for (const p of this.pods.values()) groups.push({ name: p.name, pods: 1, ...p.perPod });
    if (extra && extra.pods > 0) groups.push(extra);
    return groups;
  }
}

const mul = (r: { cpuMilli: number; memoryBytes: number }, n: number) => ({
  cpuMilli: r.cpuMilli * n,
  memoryBytes: r.memoryBytes * n,
});

export function totalOf(groups: PodGroup[]): { cpuMilli: number; memoryBytes: number } {
  return groups.map((g) => mul(g, g.pods)).reduce(add, { cpuMilli: 0, memoryBytes: 0 });
}

/**
 * The settled state a step's checks demand: a Deployment's or an HPA's replica count, a Job
 * complete, a pod that has run to its end (Succeeded, or terminated: OOMKilled).
 */
function checkedState(exercise: Exercise, stepIndex: number): Effect[] {
  const effects: Effect[] = [];
  for (const check of exercise.steps[stepIndex]!.checks) {
    if (check.type === 'jobComplete' && check.name) effects.push({ type: 'finished', name: check.name });
    if (check.type !== 'fields') continue;
    for (const field of check.fields) {
      if (
        check.kind === 'Pod' &&
        (/\bterminated\b/.test(field.path) ||
          (field.path === '.status.phase' && (field.equals === 'Succeeded' || field.equals === 'Failed')))
      )
        effects.push({ type: 'finished', name: check.name });
      if (typeof field.equals !== 'number') continue;
      if (check.kind === 'Deployment' && field.path === '.spec.replicas')
        effects.push({ type: 'scale', name: check.name, replicas: field.equals });
      if (check.kind === 'HorizontalPodAutoscaler' && field.path === '.status.currentReplicas')
        effects.push({ type: 'hpa-at', name: check.name, replicas: field.equals });
    }
  }
  return effects;
}

type Path = 'solution' | 'commands';

/**
 * Replays the course in order, once as `solve` runs it (each step's reference solution) and once
 * as a learner types it (each step's commands, then the state its checks demand), and keeps, per
 * exercise, the moment that asks the most CPU and the one that asks the most memory.
 *
 * Not counted: the pods an HPA adds under load (autoscale-load says they may stay Pending; the
 * test checks that at least one more API pod fits), a pod that replaces a deleted one while that
 * one terminates (it waits seconds at most), and the CronJobs' scheduled runs (a run that finds no
 * room waits until there is).
 */
export function replayCourse(exercises: Exercise[], manifests: CourseManifests): CourseReplay {
  const metricsServer = manifests
    .read('platform/metrics-server.yaml')
    .filter((o) => o.kind === 'Deployment')
    .map((o) => ({
      name: o.metadata.name,
      pods: o.spec?.replicas ?? 1,
      ...podRequests(o.spec?.template?.spec),
    }));
  const platform = [...KIND_NODE_PODS, ...metricsServer, SMOKE_POD];

  const peaks = exercises.map(
    (exercise, index) => ({ exercise: exercise.id, number: index + 1 }) as ExercisePeaks,
  );
  for (const path of ['solution', 'commands'] as Path[]) {
    const node = new NodeState(platform);
    exercises.forEach((exercise, index) => {
      const peak = peaks[index]!;
      const keep = (step: string, what: string, extra?: PodGroup) => {
        const groups = node.groups(extra);
        const moment: Moment = {
          exercise: exercise.id,
          number: index + 1,
          step,
          what,
          groups,
          ...totalOf(groups),
        };
        if (!peak.cpu || moment.cpuMilli > peak.cpu.cpuMilli) peak.cpu = moment;
        if (!peak.memory || moment.memoryBytes > peak.memory.memoryBytes) peak.memory = moment;
      };
      keep(exercise.steps[0]!.id, 'as the exercise starts');
      exercise.steps.forEach((step, stepIndex) => {
        const where = `${exercise.id}/${step.id}`;
        for (const command of path === 'solution' ? step.solution : step.commands) {
          for (const effect of commandEffects(command, manifests, where)) {
            apply(node, effect, where);
            if (effect.type === 'rollout') {
              const workload = node.deployments.get(effect.name);
              if (!workload) throw new Error(`${where}: rolls out ${effect.name}, which is not there`);
              const surge = surgeOf(workload);
              keep(step.id, `rolling out ${effect.name} (${surge} extra pod${surge === 1 ? '' : 's'})`, {
                name: `${effect.name} (surge)`,
                pods: surge,
                ...workload.perPod,
              });
            } else keep(step.id, describe(effect));
          }
        }
        for (const effect of checkedState(exercise, stepIndex)) apply(node, effect, where);
        keep(step.id, 'once the step is done');
      });
      node.settle();
    });
  }
  return { platform, exercises: peaks };
}

function apply(node: NodeState, effect: Effect, where: string): void {
  switch (effect.type) {
    case 'apply':
      for (const object of effect.objects) node.apply(object);
      break;
    case 'delete':
      node.delete(effect.kind, effect.name);
      break;
    case 'scale': {
      const workload = node.deployments.get(effect.name);
      if (!workload) throw new Error(`${where}: scales ${effect.name}, which is not there`);
      workload.replicas = effect.replicas;
      break;
    }
    case 'job-from-cronjob': {
      const perPod = node.cronJobs.get(effect.cronJob);
      if (!perPod)
        throw new Error(`${where}: makes a Job from CronJob ${effect.cronJob}, which is not there`);
      node.pods.set(effect.name, { name: effect.name, perPod, ends: true });
      break;
    }
    case 'finished':
      node.pods.delete(effect.name);
      break;
    case 'hpa-at': {
      const hpa = node.hpas.get(effect.name);
      const workload = hpa && node.deployments.get(hpa.target);
      if (!workload) throw new Error(`${where}: waits for HPA ${effect.name}, which scales nothing here`);
      workload.replicas = effect.replicas;
      break;
    }
    case 'rollout':
      break;
  }
}

function describe(effect: Effect): string {
  switch (effect.type) {
    case 'apply':
      return `applied ${effect.objects.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')}`;
    case 'delete':
      return `deleted ${effect.kind} ${effect.name}`;
    case 'scale':
      return `${effect.name} at ${effect.replicas} replicas`;
    case 'job-from-cronjob':
      return `Job ${effect.name} made from CronJob ${effect.cronJob}`;
    case 'finished':
      return `${effect.name} finished`;
    case 'hpa-at':
      return `HPA ${effect.name} at ${effect.replicas} replicas`;
    case 'rollout':
      return `rolling out ${effect.name}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The peaks of a replay, and what doctor says of a machine

/** The moment of the whole course that asks the most CPU, and the one that asks the most memory. */
export function coursePeaks(replay: CourseReplay): { cpu: CoursePeak; memory: CoursePeak } {
  const platform = new Set(replay.platform);
  const summary = (moment: Moment): CoursePeak => ({
    exercise: moment.exercise,
    number: moment.number,
    step: moment.step,
    what: moment.what,
    pods: moment.groups.filter((g) => !platform.has(g)),
    cpuMilli: moment.cpuMilli,
    memoryBytes: moment.memoryBytes,
  });
  const highest = (of: (p: ExercisePeaks) => Moment, value: (m: Moment) => number) =>
    replay.exercises.map(of).reduce((best, m) => (value(m) > value(best) ? m : best));
  return {
    cpu: summary(
      highest(
        (p) => p.cpu,
        (m) => m.cpuMilli,
      ),
    ),
    memory: summary(
      highest(
        (p) => p.memory,
        (m) => m.memoryBytes,
      ),
    ),
  };
}

const cores = (milli: number) => (milli / 1000).toFixed(2).replace(/\.?0+$/, '');
const gib = (bytes: number) => (bytes / GiB).toFixed(1);
const cpuText = (milli: number) => (milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`);
const memoryText = (bytes: number) =>
  bytes % GiB === 0 ? `${bytes / GiB}Gi` : `${Math.round(bytes / MiB)}Mi`;

function podsText(pods: PodGroup[], of: (g: PodGroup) => string): string {
  const each = pods.map((g) => (g.pods === 1 ? `${g.name} ${of(g)}` : `${g.pods} ${g.name} pods × ${of(g)}`));
  return each.length > 1 ? `${each.slice(0, -1).join(', ')} and ${each.at(-1)}` : (each[0] ?? 'nothing');
}

export interface CapacityVerdict {
  ok: boolean;
  detail: string;
}

/**
 * Whether Docker's CPUs (NCPU) and memory (MemTotal, bytes) hold the course at its peaks, and
 * what does not fit, in one sentence each. Either may be unknown (undefined): it is then not
 * judged. `ok` and `detail` cover both; `cpu` and `memory` are the two verdicts apart.
 */
export function capacityVerdict(
  cpus: number | undefined,
  memBytes: number | undefined,
): CapacityVerdict & { cpu?: CapacityVerdict; memory?: CapacityVerdict } {
  const platform = totalOf(PLATFORM_PODS);
  const beside = (value: string) => `beside the kind node's own pods and metrics-server (${value})`;
  let cpu: CapacityVerdict | undefined;
  if (cpus !== undefined) {
    const peak = COURSE_CPU_PEAK;
    const what = `${podsText(peak.pods, (g) => cpuText(g.cpuMilli))} ${beside(cores(platform.cpuMilli))}`;
    const has = `Docker has ${cpus} CPU${cpus === 1 ? '' : 's'}`;
    cpu =
      cpus * 1000 >= peak.cpuMilli
        ? {
            ok: true,
            detail: `${has}; the labs request ${cores(peak.cpuMilli)} at their peak (Exercise ${peak.number}, ${peak.exercise}: ${what})`,
          }
        : {
            ok: false,
            detail: `${has}; Exercise ${peak.number} (${peak.exercise}) requests ${cores(peak.cpuMilli)} CPUs (${what}), so it needs ${COURSE_CPUS}: a pod that does not fit stays Pending`,
          };
  }
  let memory: CapacityVerdict | undefined;
  if (memBytes !== undefined) {
    const peak = COURSE_MEMORY_PEAK;
    const what = `${podsText(peak.pods, (g) => memoryText(g.memoryBytes))}, ${beside(`${gib(platform.memoryBytes)} GiB`)}`;
    const unrequested = `and about ${gib(NODE_UNREQUESTED_MEMORY_BYTES)} GiB the node uses unrequested`;
    const has = `Docker has ${gib(memBytes)} GiB`;
    memory =
      memBytes >= COURSE_MEMORY_BYTES
        ? {
            ok: true,
            detail: `${has}; the labs need about ${gib(COURSE_MEMORY_BYTES)} GiB at their peak (Exercise ${peak.number}, ${peak.exercise}: ${what}, ${unrequested})`,
          }
        : {
            ok: false,
            detail: `${has}; Exercise ${peak.number} (${peak.exercise}) needs about ${gib(COURSE_MEMORY_BYTES)} GiB (${what}, ${unrequested})`,
          };
  }
  const parts = [cpu, memory].filter((v): v is CapacityVerdict => v !== undefined);
  return {
    ok: parts.every((v) => v.ok),
    detail: parts.map((v) => v.detail).join('. '),
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
  };
}
