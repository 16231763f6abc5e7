import { condition, type KubeObject } from './objects.js';

// biome-ignore lint/suspicious/noExplicitAny: container statuses are read as the API writes them.
type Obj = any;

export interface PodStatusColumns {
  /** READY: ready containers of all (sidecars included), e.g. `1/1`. */
  ready: string;
  /** STATUS: CrashLoopBackOff, OOMKilled, Completed, Terminating, ContainerCreating, Init:0/1, ... */
  reason: string;
  restarts: number;
  /** When the last restart's container ended (ms since the epoch), for "3 (2m ago)". */
  lastRestart?: number;
}

/**
 * The READY, STATUS and RESTARTS columns of `kubectl get pods`, computed as kubectl's own printer
 * does (k8s.io/kubernetes/pkg/printers/internalversion/printers.go, printPod). The simulated
 * cluster prints its tables with it, and the terminal app's namespace panel shows the same words
 * a real cluster would.
 */
export function podStatus(pod: KubeObject): PodStatusColumns {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;
  const initSpecs = new Map<string, Obj>((spec.initContainers ?? []).map((c: Obj) => [c.name, c]));
  const restartable = (name: string) => initSpecs.get(name)?.restartPolicy === 'Always';
  let total =
    (spec.containers ?? []).length +
    [...initSpecs.values()].filter((c) => c.restartPolicy === 'Always').length;
  let reason: string = status.reason || status.phase || '';
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const finished = (s: Obj | undefined) => (s?.finishedAt ? Date.parse(s.finishedAt) : 0);

  let initializing = false;
  const initStatuses: Obj[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finished(c.lastState?.terminated));
    if (restartable(c.name)) {
      restartableInitRestarts += c.restartCount ?? 0;
      lastRestartableInitRestart = Math.max(lastRestartableInitRestart, finished(c.lastState?.terminated));
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (restartable(c.name) && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }

  if (!initializing || condition(pod, 'Initialized')?.status === 'True') {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses: Obj[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finished(c.lastState?.terminated));
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning)
      reason = condition(pod, 'Ready')?.status === 'True' ? 'Running' : 'NotReady';
  }

  const phase = status.phase;
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  total = Math.max(total, 0);
  return { ready: `${readyContainers}/${total}`, reason, restarts, lastRestart: lastRestart || undefined };
}
