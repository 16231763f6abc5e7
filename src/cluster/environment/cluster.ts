import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../files/atomic.js';
import { docker } from '../docker.js';
import type { UpTimeouts } from '../environment-api.js';
import { CLUSTER_NAME, kind } from '../kind.js';
import { type ClusterTarget, kubectl, targetFlags } from '../kubectl.js';
import type { ToolResult } from '../tool.js';
import { takenPort, toolFailure } from './failures.js';
import { type PackageSources, requireFile } from './sources.js';
import { commandLine, type Step, type StepDone, StepFailed, type StepIO } from './steps.js';

/** kind writes the cluster's entry where kubectl reads it: --kubeconfig when we were given one. */
export const kindKubeconfigArgs = (target: ClusterTarget) =>
  target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : [];

/** The clusters kind knows (it finds them by their node containers, so half-created ones too). */
export async function kindClusters(io: Pick<StepIO, 'run'>): Promise<string[]> {
  const result = await io.run('kind get clusters', (options) => kind(['get', 'clusters'], options));
  if (!result.ok) throw toolFailure(result, 'listing the kind clusters');
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^No kind clusters found/i.test(line));
}

type Health = { ok: true } | { ok: false; reason: string; contextMissing: boolean };

/**
 * Asks the API server whether it is ready, again and again until the deadline: an API server that
 * is restarting answers after a few seconds (a minute or more on a slow laptop after a reboot), a
 * half-created cluster never does. `progress` is told how long it has waited, every few seconds.
 */
export async function waitForApi(
  io: StepIO,
  target: ClusterTarget,
  waitMs: number,
  pollMs: number,
  progress?: (waitedMs: number, reason: string) => void,
) {
  const args = ['get', '--raw', '/readyz', '--request-timeout=5s'];
  const started = Date.now();
  const deadline = started + waitMs;
  let told = started;
  for (;;) {
    const result = await io.run(commandLine('kubectl', [...targetFlags(target), ...args]), (options) =>
      kubectl(target, args, { ...options, timeoutMs: 15_000 }),
    );
    // A server that answers 404 for /readyz is still a server that answers.
    if (result.ok || /NotFound|could not find the requested resource/i.test(result.stderr))
      return { ok: true } as Health;
    const reason = shortReason(result);
    // No entry for the context, or no kubeconfig file at all: kind can write it again.
    const contextMissing = /context "[^"]*" does not exist|context was not found|stat .*no such file/i.test(
      result.stderr,
    );
    if (contextMissing || Date.now() + pollMs > deadline)
      return { ok: false, reason, contextMissing } as Health;
    if (progress && Date.now() - told >= Math.min(PROGRESS_EVERY_MS, waitMs / 5)) {
      told = Date.now();
      progress(told - started, reason);
    }
    await io.pause(pollMs);
  }
}

const PROGRESS_EVERY_MS = 10_000;
export const NODE_CONTAINER = `${CLUSTER_NAME}-control-plane`;

/**
 * What `up` remembers of the kind cluster it creates, in the state folder: `creating` from the
 * moment it runs `kind create cluster` until the API answers, then `created`. A cluster that exists
 * while the marker says `creating` was left half-made by an interrupted `up`, and nothing of the
 * learner's can be in it; any other cluster may hold their namespace and the volume's data.
 */
interface ClusterMarker {
  name: string;
  state: 'creating' | 'created';
  at: string;
}

export const clusterMarkerPath = (home: string) => join(home, 'kind-cluster.json');

async function readMarker(path: string): Promise<ClusterMarker | undefined> {
  try {
    const marker = JSON.parse(await readFile(path, 'utf8')) as Partial<ClusterMarker>;
    if (marker.name === CLUSTER_NAME && (marker.state === 'creating' || marker.state === 'created'))
      return marker as ClusterMarker;
  } catch {
    // Absent or unreadable: nothing is known of how the cluster came to be.
  }
  return undefined;
}

const writeMarker = (path: string, state: ClusterMarker['state']) =>
  writeFileAtomic(path, `${JSON.stringify({ name: CLUSTER_NAME, state, at: new Date().toISOString() })}\n`);

/** The node container's state as Docker reports it: running, exited, restarting, paused, created… */
async function nodeState(io: StepIO): Promise<string | undefined> {
  const args = ['container', 'inspect', '--format', '{{.State.Status}}', NODE_CONTAINER];
  const result = await io.run(commandLine('docker', args), (o) => docker(args, o));
  if (!result.ok) {
    if (/no such (container|object)/i.test(result.stderr)) return undefined;
    throw toolFailure(result, `looking at the kind node ${NODE_CONTAINER}`);
  }
  return result.stdout.trim();
}

export interface ClusterStepOptions {
  /** The state folder, where the marker of a cluster being created is kept. */
  home: string;
  /**
   * Asked before deleting a cluster whose API does not answer, since it may hold the learner's
   * work; `up --yes` answers yes, a script without it gets a failure that says what to run.
   */
  confirmRecreate?: (question: string) => Promise<boolean>;
}

export function kindClusterStep(
  target: ClusterTarget,
  sources: PackageSources,
  timeouts: UpTimeouts,
  options: ClusterStepOptions,
): Step {
  const kubeconfig = kindKubeconfigArgs(target);
  const createArgs = ['create', 'cluster', '--name', CLUSTER_NAME, '--config', sources.kindConfig];
  createArgs.push('--wait', '120s', ...kubeconfig);
  const shownCreate = commandLine('kind', createArgs);
  const marker = clusterMarkerPath(options.home);
  return {
    id: 'cluster',
    title: `kind cluster ${CLUSTER_NAME}`,
    command: shownCreate,
    async run(io) {
      let recovered = false;
      if ((await kindClusters(io)).includes(CLUSTER_NAME)) {
        const reused = await bringBack(io);
        if (reused) return reused;
        recovered = true;
      }

      requireFile(sources.kindConfig, 'The kind cluster configuration (manifests/platform/kind-config.yaml)');
      const before = await io.run(commandLine('kubectl', ['config', 'current-context', ...kubeconfig]), (o) =>
        kubectl(target, ['config', 'current-context'], o),
      );
      const previousContext = before.ok ? before.stdout.trim() : '';
      await writeMarker(marker, 'creating');
      const created = await io.run(shownCreate, (options) => kind(createArgs, options));
      if (!created.ok) throw createFailure(created.stdout + created.stderr, () => toolFailure(created, what));
      const health = await waitForApi(
        io,
        target,
        Math.max(timeouts.clusterHealthMs, 60_000),
        timeouts.pollMs,
      );
      if (!health.ok)
        throw new StepFailed(
          `kind created the cluster ${CLUSTER_NAME}, but its API does not answer (${health.reason}).`,
          'Run churn-labs up again (it re-creates a half-created cluster); if that fails too, run churn-labs down --yes first.',
        );
      await writeMarker(marker, 'created');
      if (previousContext && previousContext !== target.context)
        io.notice(
          `kind switched kubectl's current context from ${previousContext} to ${target.context}. churn-labs does not need that (every command it runs passes --context ${target.context}); to switch back: kubectl config use-context ${previousContext}`,
        );
      return {
        outcome: 'ok',
        detail: recovered
          ? `re-created the half-created kind cluster ${CLUSTER_NAME}`
          : `created kind cluster ${CLUSTER_NAME}`,
      };
    },
  };

  /**
   * The cluster is there: bring its node back if it stopped (a reboot, Docker restarted), wait for
   * its API server as long as a slow laptop needs, and reuse it. Only a cluster that never answers
   * is deleted, and only without asking when `up` itself left it half-created.
   */
  async function bringBack(io: StepIO): Promise<StepDone | undefined> {
    const halfMade = (await readMarker(marker))?.state === 'creating';
    const state = await nodeState(io);
    let restarted = false;
    if (state === 'exited' || state === 'created' || state === 'dead') {
      io.notice(
        `The kind node ${NODE_CONTAINER} was stopped (the machine rebooted, or Docker restarted): starting it again. Your namespace and the volume's data are kept.`,
      );
      const startArgs = ['start', NODE_CONTAINER];
      const started = await io.run(commandLine('docker', startArgs), (o) => docker(startArgs, o));
      if (!started.ok) throw toolFailure(started, `starting the kind node ${NODE_CONTAINER}`);
      restarted = true;
    } else if (state === 'paused') {
      const unpauseArgs = ['unpause', NODE_CONTAINER];
      const unpaused = await io.run(commandLine('docker', unpauseArgs), (o) => docker(unpauseArgs, o));
      if (!unpaused.ok) throw toolFailure(unpaused, `unpausing the kind node ${NODE_CONTAINER}`);
      restarted = true;
    }
    const starting = restarted || state === 'restarting';
    const waitMs = starting ? timeouts.clusterStartMs : timeouts.clusterHealthMs;
    // What the learner is told counts from the first look, up to all the waits below together.
    const since = Date.now();
    const budgetMs = starting
      ? timeouts.clusterStartMs
      : waitMs + (state === 'running' && !halfMade ? timeouts.clusterStartMs : 0);
    const progress = (_waited: number, reason: string) =>
      io.say(
        `waiting for the API server of ${CLUSTER_NAME} to start: ${Math.round((Date.now() - since) / 1000)} s so far, up to ${Math.round(budgetMs / 1000)} s (${reason})`,
      );
    let health = await waitForApi(io, target, waitMs, timeouts.pollMs, progress);
    if (!health.ok && health.contextMissing) {
      // The cluster is there but its kubeconfig entry is gone (a reset ~/.kube/config): put it back.
      const exportArgs = ['export', 'kubeconfig', '--name', CLUSTER_NAME, ...kubeconfig];
      await io.run(commandLine('kind', exportArgs), (options) => kind(exportArgs, options));
      health = await waitForApi(io, target, waitMs, timeouts.pollMs, progress);
    }
    // A node that was running all along but whose API is down may be restarting by itself (kind's
    // nodes restart once, on failure): give it the time a start takes before judging it.
    if (!health.ok && !halfMade && waitMs < timeouts.clusterStartMs && state === 'running') {
      io.say(`the API server of ${CLUSTER_NAME} does not answer yet (${health.reason}): waiting for it`);
      health = await waitForApi(io, target, timeouts.clusterStartMs, timeouts.pollMs, progress);
    }
    if (health.ok)
      return {
        outcome: 'skipped',
        detail: restarted
          ? `kind cluster ${CLUSTER_NAME} is running again (its node was started): reused it`
          : `kind cluster ${CLUSTER_NAME} is already running: reused it`,
      };

    const seconds = Math.round(timeouts.clusterStartMs / 1000);
    if (halfMade)
      io.notice(
        `The kind cluster ${CLUSTER_NAME} was left half-created by an interrupted churn-labs up, and its API does not answer (${health.reason}). Deleting it and creating it again.`,
      );
    else {
      const question = `The kind cluster ${CLUSTER_NAME} exists, but its API server has not answered (${health.reason}). Deleting and re-creating it loses everything in it, your churn-mlops namespace and the volume's data included. Delete it and create it again?`;
      const yes = options.confirmRecreate ? await options.confirmRecreate(question) : false;
      if (!yes)
        throw new StepFailed(
          `The kind cluster ${CLUSTER_NAME} exists, but its API server did not answer${state ? ` (node ${state})` : ''}: ${health.reason}. churn-labs did not delete it, since it may hold your churn-mlops namespace and the volume's data.`,
          `See why: docker logs ${NODE_CONTAINER} --tail 30. Restart Docker (or the machine) and run churn-labs up again, which waits up to ${seconds} s for a starting node; to delete the cluster and start over: churn-labs up --yes.`,
        );
      io.notice(
        `Deleting the kind cluster ${CLUSTER_NAME}, whose API does not answer, and creating it again.`,
      );
    }
    const deleteArgs = ['delete', 'cluster', '--name', CLUSTER_NAME, ...kubeconfig];
    const deleted = await io.run(commandLine('kind', deleteArgs), (options) => kind(deleteArgs, options));
    if (!deleted.ok) throw toolFailure(deleted, 'deleting the cluster that does not answer');
    return undefined;
  }
}

const what = `creating the kind cluster ${CLUSTER_NAME}`;

function createFailure(output: string, otherwise: () => StepFailed): StepFailed {
  const port = takenPort(output);
  if (port === undefined) return otherwise();
  return new StepFailed(
    `Port ${port} on this machine is already taken, so kind could not publish it for the cluster.`,
    `Stop what holds port ${port} (a container: docker ps --filter publish=${port}; another program: lsof -i :${port}), then run churn-labs up again.`,
    output.trim().split('\n').slice(-6).join('\n'),
  );
}

/** The simulated cluster is not ours to start here: it must already be serving. */
export function simClusterStep(target: ClusterTarget, timeouts: UpTimeouts): Step {
  return {
    id: 'cluster',
    title: 'Simulated cluster',
    command: commandLine('kubectl', [...targetFlags(target), 'get', '--raw', '/readyz']),
    async run(io) {
      const health = await waitForApi(io, target, timeouts.clusterHealthMs, timeouts.pollMs);
      if (!health.ok)
        throw new StepFailed(
          `The simulated cluster (context ${target.context}) does not answer (${health.reason}).`,
          'Start it in another terminal with churn-labs sim serve, then run churn-labs up --context churn-labs-sim again; or use churn-labs start --simulate, which starts it for you.',
        );
      return { outcome: 'skipped', detail: 'the simulated cluster is running (no kind, no Docker)' };
    },
  };
}

/** What kubectl said, in a few words: the first line of its error, without kubectl's log prefix. */
function shortReason(result: ToolResult): string {
  if (result.timedOut) return 'no answer in time';
  const line = (result.stderr || result.stdout)
    .split('\n')
    .map((l) => l.replace(/^E\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /, '').trim())
    .find((l) => l !== '');
  if (!line) return 'no answer';
  return line
    .replace(/^(error|Error from server|Unable to connect to the server):\s*/i, '')
    .replace(/ - did you specify the right host or port\?$/, '')
    .replace(/^The /, 'the ');
}
