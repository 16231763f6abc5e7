import type { KubeObject } from '../../course/objects.js';

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

export interface NamespaceView {
  namespace: string;
  exists: boolean;
  pods: PodLine[];
  deployments: DeploymentLine[];
  jobs: JobLine[];
  autoscalers: AutoscalerLine[];
}

export type NamespaceReading = { ok: true; view: NamespaceView } | { ok: false; reason: string };

/** The resources the panel reads, as `kubectl get` takes them in one call. */
export const PANEL_KINDS = ['Pod', 'Deployment', 'Job', 'HorizontalPodAutoscaler'] as const;

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

export function summariseNamespace(
  namespace: string,
  objects: KubeObject[],
  namespaceExists = true,
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
    autoscalers: of('HorizontalPodAutoscaler').map(autoscalerLine).sort(byName),
  };
}

type ContainerStatus = {
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string };
    running?: object;
    terminated?: { reason?: string; exitCode?: number; signal?: number };
  };
};

/** The STATUS column of `kubectl get pods`, following kubectl's own printer. */
export function podStatus(pod: KubeObject): { status: string; ready: string; restarts: number } {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let reason: string = status.reason || status.phase || 'Pending';
  let restarts = 0;
  let readyContainers = 0;
  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (const [i, container] of initStatuses.entries()) {
    restarts += container.restartCount ?? 0;
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }
  if (!initializing) {
    restarts = 0;
    const statuses: ContainerStatus[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i]!;
      restarts += container.restartCount ?? 0;
      const { waiting, terminated, running } = container.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (container.ready && running) readyContainers++;
    }
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  const total = (spec.containers ?? []).length || (status.containerStatuses ?? []).length;
  return { status: reason, ready: `${readyContainers}/${total}`, restarts };
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
