import { now } from '../store.js';
import { podQosClass } from './qos.js';
import type { ContainerStateView, PodSpec } from './types.js';

/**
 * The pod status the node reports, computed as the kubelet's generateAPIPodStatus does: the phase
 * from the containers' states (getPhase), the kubelet-owned conditions (PodReadyToStartContainers,
 * Initialized, Ready, ContainersReady, PodScheduled) with their transition times kept while they
 * do not change, addresses, start time, QoS class and the container statuses.
 */
export interface ContainerView {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  state: ContainerStateView;
  lastState: ContainerStateView;
  ready: boolean;
  started: boolean;
  restartCount: number;
}

export interface PodView {
  spec: PodSpec;
  /** The status in the store now (conditions from the scheduler, earlier transition times). */
  previous: Record<string, unknown> | undefined;
  podIP?: string;
  hostIP: string;
  startTime?: string;
  sandboxReady: boolean;
  initContainers: ContainerView[];
  containers: ContainerView[];
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

export function podStatus(view: PodView): Record<string, unknown> {
  const previous = (view.previous ?? {}) as {
    phase?: string;
    conditions?: Condition[];
    reason?: string;
    message?: string;
  };
  let phase = podPhase(view);
  // Pods never leave a terminal phase.
  if (previous.phase === 'Succeeded' || previous.phase === 'Failed') phase = previous.phase;
  const status: Record<string, unknown> = {
    phase,
    conditions: conditions(view, phase, previous.conditions ?? []),
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    ...(view.startTime ? { startTime: view.startTime } : {}),
    ...(view.initContainers.length > 0
      ? { initContainerStatuses: view.initContainers.map(containerStatus) }
      : {}),
    containerStatuses: view.containers.map(containerStatus),
    qosClass: podQosClass(view.spec),
  };
  if (previous.reason) status.reason = previous.reason;
  if (previous.message) status.message = previous.message;
  return status;
}

/** getPhase from pkg/kubelet/kubelet_pods.go, for regular init containers and containers. */
export function podPhase(view: PodView): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  const policy = view.spec.restartPolicy ?? 'Always';
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const spec of view.spec.initContainers ?? []) {
    const status = view.initContainers.find((c) => c.name === spec.name);
    if (!status) pendingInitialization++;
    else if (status.state.running) pendingInitialization++;
    else if (status.state.terminated) {
      if (status.state.terminated.exitCode !== 0) failedInitialization++;
    } else if (status.state.waiting) {
      if (status.lastState.terminated) {
        if (status.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const spec of view.spec.containers) {
    const status = view.containers.find((c) => c.name === spec.name);
    if (!status) unknown++;
    else if (status.state.running) running++;
    else if (status.state.terminated) {
      stopped++;
      if (status.state.terminated.exitCode === 0) succeeded++;
    } else if (status.state.waiting) {
      if (status.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  if (pendingInitialization > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function conditions(view: PodView, phase: string, previous: Condition[]): Condition[] {
  const make = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const before = previous.find((c) => c.type === type);
    const status = ok ? 'True' : 'False';
    return {
      type,
      status,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
      lastProbeTime: null,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now(),
    };
  };
  const incomplete = view.initContainers.filter((c) => c.state.terminated?.exitCode !== 0).map((c) => c.name);
  const pendingInit = (view.spec.initContainers ?? [])
    .map((c) => c.name)
    .filter((name) => incomplete.includes(name) || !view.initContainers.some((c) => c.name === name));
  const initialized =
    pendingInit.length === 0
      ? make('Initialized', true)
      : make(
          'Initialized',
          false,
          'ContainersNotInitialized',
          `containers with incomplete status: [${pendingInit.join(' ')}]`,
        );
  const unready = view.spec.containers
    .map((c) => c.name)
    .filter((name) => !view.containers.find((c) => c.name === name)?.ready);
  const completed = phase === 'Succeeded';
  const readiness = (type: string) =>
    unready.length === 0
      ? make(type, true)
      : completed
        ? make(type, false, 'PodCompleted')
        : make(type, false, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
  const scheduled = previous.find((c) => c.type === 'PodScheduled');
  // Conditions the kubelet does not own (set by others) are kept as they are.
  const owned = new Set([
    'PodReadyToStartContainers',
    'Initialized',
    'Ready',
    'ContainersReady',
    'PodScheduled',
  ]);
  return [
    ...previous.filter((c) => !owned.has(c.type)),
    make('PodReadyToStartContainers', view.sandboxReady),
    initialized,
    readiness('Ready'),
    readiness('ContainersReady'),
    {
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: scheduled?.status === 'True' ? scheduled.lastTransitionTime : now(),
    },
  ];
}

function containerStatus(view: ContainerView): Record<string, unknown> {
  return {
    name: view.name,
    state: view.state,
    lastState: view.lastState,
    ready: view.ready,
    restartCount: view.restartCount,
    image: view.image,
    imageID: view.imageID,
    ...(view.containerID ? { containerID: view.containerID } : {}),
    started: view.started,
  };
}
