import { osFix } from '../doctor.js';
import { CLUSTER_NAME } from '../kind.js';

/**
 * Reads a pod's status (and its events) the way a person debugging it would, and says what is
 * wrong in the learner's words: an image that is not in the cluster, a node without room, a
 * container that crashes. Pure: the caller fetches the objects.
 */
export interface PodLike {
  metadata?: { name?: string };
  spec?: { containers?: { name?: string; image?: string }[] };
  status?: {
    phase?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
  };
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: Record<string, unknown>;
  terminated?: { exitCode?: number; reason?: string; message?: string };
}

interface ContainerStatus {
  name?: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface EventLike {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  metadata?: { creationTimestamp?: string };
}

export type PodVerdict =
  | { state: 'succeeded' }
  | { state: 'ready' }
  | { state: 'waiting'; why: string }
  /** It will not get better by waiting: say what is wrong and what to do; `logs` if they help. */
  | { state: 'broken'; detail: string; fix: string; logs: boolean };

const IMAGE_PULL = new Set(['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName']);

export function judgePod(pod: PodLike): PodVerdict {
  const status = pod.status ?? {};
  const name = pod.metadata?.name ?? 'the pod';
  if (status.phase === 'Succeeded') return { state: 'succeeded' };
  const containers = status.containerStatuses ?? [];
  for (const container of containers) {
    const waiting = container.state?.waiting;
    const image = container.image || pod.spec?.containers?.find((c) => c.name === container.name)?.image;
    if (waiting?.reason && IMAGE_PULL.has(waiting.reason))
      // Our images exist only on this machine: kind must have been given them, never a registry.
      return image?.startsWith('churn-labs/')
        ? {
            state: 'broken',
            detail: `The pod ${name} cannot get its image ${image} (${waiting.reason}): the image is not loaded into the cluster.`,
            fix: `Run churn-labs up again (it builds and loads the images), or load it yourself: kind load docker-image ${image} --name ${CLUSTER_NAME}`,
            logs: false,
          }
        : {
            state: 'broken',
            detail: `The pod ${name} cannot download its image ${image ?? ''} (${waiting.reason}).`,
            fix: 'Check that Docker can reach the internet (docker pull of that image should work), then run churn-labs up again.',
            logs: false,
          };
    if (waiting?.reason === 'CrashLoopBackOff') {
      const last = container.lastState?.terminated;
      return {
        state: 'broken',
        detail: `The container ${container.name} of pod ${name} keeps crashing (CrashLoopBackOff, ${container.restartCount ?? 0} restarts${last ? `, last exit code ${last.exitCode}${last.reason ? ` ${last.reason}` : ''}` : ''}).`,
        fix: 'Its last log lines are below: fix what they say (for our images, run churn-labs up again to rebuild them).',
        logs: true,
      };
    }
  }
  if (status.phase === 'Failed') {
    const terminated = containers.map((c) => c.state?.terminated).find(Boolean);
    const why = terminated
      ? `its container exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`
      : 'it failed';
    return {
      state: 'broken',
      detail: `The pod ${name} failed: ${why}.`,
      fix:
        terminated?.reason === 'OOMKilled'
          ? `It ran out of memory. ${osFix('memory')}`
          : 'Its last log lines are below: fix what they say (for our images, run churn-labs up again to rebuild them).',
      logs: true,
    };
  }
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    const message = scheduled.message ?? scheduled.reason ?? 'not scheduled';
    const short = /Insufficient (memory|cpu)/i.exec(message);
    if (short)
      return {
        state: 'broken',
        detail: `The pod ${name} cannot be scheduled: ${message.trim()}`,
        fix:
          short[1]?.toLowerCase() === 'memory'
            ? osFix('memory')
            : 'Give Docker more CPUs (Docker Desktop > Settings > Resources), or delete workloads you no longer need, then run churn-labs up again.',
        logs: false,
      };
    return { state: 'waiting', why: `not scheduled yet: ${message.trim()}` };
  }
  if (status.phase === 'Running' && containers.length > 0 && containers.every((c) => c.ready))
    return { state: 'ready' };
  const waitingReason = containers.map((c) => c.state?.waiting?.reason).find(Boolean);
  return { state: 'waiting', why: [status.phase ?? 'Pending', waitingReason].filter(Boolean).join(', ') };
}

/** The pod's recent events, newest last, as lines to show under a failure. */
export function eventLines(events: EventLike[], podName: string, limit = 5): string[] {
  const when = (e: EventLike) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  return events
    .filter((e) => !e.involvedObject?.name || e.involvedObject.name === podName)
    .sort((a, b) => when(a).localeCompare(when(b)))
    .slice(-limit)
    .map((e) => `${e.type ?? 'Normal'} ${e.reason ?? ''}: ${(e.message ?? '').trim()}`);
}
