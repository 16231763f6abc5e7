import type { KubeObject } from '../../kube/objects.js';
import { podStatus as kubectlPodStatus } from '../../kube/pod-status.js';
import { since } from '../../kube/tables/format.js';

/**
 * What the live panel shows of the lab's namespace, in the terms `kubectl get` prints them, so the
 * learner sees the same words in both terminals.
 */
export type PodTone = 'good' | 'busy' | 'bad' | 'done';

export interface PodLine {
  name: string;
  ready: string;
  status: string;
  restarts: number;
  tone: PodTone;
}
export interface DeploymentLine {
  name: string;
  ready: number;
  desired: number;
  image?: string;
}
export interface JobLine {
  name: string;
  succeeded: number;
  completions: number;
  failed: number;
  active: number;
}
export interface AutoscalerLine {
  name: string;
  /** Current and target CPU use, like kubectl's TARGETS column: "cpu: 35%/70%". */
  targets: string;
  replicas: number;
  min: number;
  max: number;
}

export interface CronJobLine {
  name: string;
  schedule: string;
  suspended: boolean;
  /** Like kubectl's LAST SCHEDULE column: "3m", or "<none>" before the first run. */
  lastSchedule: string;
  active: number;
}

export interface NamespaceView {
  namespace: string;
  exists: boolean;
  pods: PodLine[];
  deployments: DeploymentLine[];
  jobs: JobLine[];
  cronJobs: CronJobLine[];
  autoscalers: AutoscalerLine[];
}

export type NamespaceReading = { ok: true; view: NamespaceView } | { ok: false; reason: string };

/** The resources the panel reads, as `kubectl get` takes them in one call. */
export const PANEL_KINDS = ['Pod', 'Deployment', 'CronJob', 'Job', 'HorizontalPodAutoscaler'] as const;

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

export function summariseNamespace(
  namespace: string,
  objects: KubeObject[],
  namespaceExists = true,
  nowMs = Date.now(),
): NamespaceView {
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  return {
    namespace,
    exists: namespaceExists,
    pods: of('Pod').map(podLine).sort(byName),
    deployments: of('Deployment')
      .map((d) => ({
        name: d.metadata.name,
        ready: Number(d.status?.readyReplicas ?? 0),
        desired: Number(d.spec?.replicas ?? 1),
        image: d.spec?.template?.spec?.containers?.[0]?.image as string | undefined,
      }))
      .sort(byName),
    jobs: of('Job')
      .map((j) => ({
        name: j.metadata.name,
        succeeded: Number(j.status?.succeeded ?? 0),
        completions: Number(j.spec?.completions ?? 1),
        failed: Number(j.status?.failed ?? 0),
        active: Number(j.status?.active ?? 0),
      }))
      .sort(byName),
    cronJobs: of('CronJob')
      .map((c) => ({
        name: c.metadata.name,
        schedule: String(c.spec?.schedule ?? ''),
        suspended: c.spec?.suspend === true,
        lastSchedule: c.status?.lastScheduleTime ? since(c.status.lastScheduleTime, nowMs) : '<none>',
        active: Array.isArray(c.status?.active) ? c.status.active.length : 0,
      }))
      .sort(byName),
    autoscalers: of('HorizontalPodAutoscaler').map(autoscalerLine).sort(byName),
  };
}

/** The STATUS, READY and RESTARTS columns of `kubectl get pods`, as kubectl prints them. */
export function podStatus(pod: KubeObject): { status: string; ready: string; restarts: number } {
  const columns = kubectlPodStatus(pod);
  return { status: columns.reason || 'Pending', ready: columns.ready, restarts: columns.restarts };
}

export function podTone(status: string): PodTone {
  if (status === 'Running') return 'good';
  if (status === 'Completed' || status === 'Succeeded') return 'done';
  if (/^(Pending|ContainerCreating|PodInitializing|Terminating|Init:\d+\/\d+)$/.test(status)) return 'busy';
  return 'bad';
}

function podLine(pod: KubeObject): PodLine {
  const { status, ready, restarts } = podStatus(pod);
  return { name: pod.metadata.name, ready, status, restarts, tone: podTone(status) };
}

type Metric = {
  type?: string;
  resource?: {
    name?: string;
    target?: { averageUtilization?: number };
    current?: { averageUtilization?: number };
  };
};

function autoscalerLine(hpa: KubeObject): AutoscalerLine {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  // autoscaling/v2 keeps targets in spec.metrics; autoscaling/v1 has one CPU percentage.
  const target: number | undefined =
    (spec.metrics as Metric[] | undefined)?.find((m) => m.resource?.name === 'cpu')?.resource?.target
      ?.averageUtilization ?? spec.targetCPUUtilizationPercentage;
  const current: number | undefined =
    (status.currentMetrics as Metric[] | undefined)?.find((m) => m.resource?.name === 'cpu')?.resource
      ?.current?.averageUtilization ?? status.currentCPUUtilizationPercentage;
  return {
    name: hpa.metadata.name,
    targets:
      target === undefined
        ? '<none>'
        : `cpu: ${current === undefined ? '<unknown>' : `${current}%`}/${target}%`,
    replicas: Number(status.currentReplicas ?? 0),
    min: Number(spec.minReplicas ?? 1),
    max: Number(spec.maxReplicas ?? 0),
  };
}
