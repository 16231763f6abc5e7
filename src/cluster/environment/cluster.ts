import type { UpTimeouts } from '../environment-api.js';
import { CLUSTER_NAME, kind } from '../kind.js';
import { type ClusterTarget, kubectl, targetFlags } from '../kubectl.js';
import type { ToolResult } from '../tool.js';
import { takenPort, toolFailure } from './failures.js';
import { type PackageSources, requireFile } from './sources.js';
import { commandLine, type Step, StepFailed, type StepIO } from './steps.js';

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
 * is restarting answers after a few seconds, a half-created cluster never does.
 */
export async function waitForApi(io: StepIO, target: ClusterTarget, waitMs: number, pollMs: number) {
  const args = ['get', '--raw', '/readyz', '--request-timeout=5s'];
  const deadline = Date.now() + waitMs;
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
    await io.pause(pollMs);
  }
}

export function kindClusterStep(target: ClusterTarget, sources: PackageSources, timeouts: UpTimeouts): Step {
  const kubeconfig = kindKubeconfigArgs(target);
  const createArgs = ['create', 'cluster', '--name', CLUSTER_NAME, '--config', sources.kindConfig];
  createArgs.push('--wait', '120s', ...kubeconfig);
  const shownCreate = commandLine('kind', createArgs);
  return {
    id: 'cluster',
    title: `kind cluster ${CLUSTER_NAME}`,
    command: shownCreate,
    async run(io) {
      let recovered = false;
      if ((await kindClusters(io)).includes(CLUSTER_NAME)) {
        let health = await waitForApi(io, target, timeouts.clusterHealthMs, timeouts.pollMs);
        if (!health.ok && health.contextMissing) {
          // The cluster is there but its kubeconfig entry is gone (a reset ~/.kube/config): put it back.
          const exportArgs = ['export', 'kubeconfig', '--name', CLUSTER_NAME, ...kubeconfig];
          await io.run(commandLine('kind', exportArgs), (options) => kind(exportArgs, options));
          health = await waitForApi(io, target, timeouts.clusterHealthMs, timeouts.pollMs);
        }
        if (health.ok)
          return { outcome: 'skipped', detail: `kind cluster ${CLUSTER_NAME} is already running: reused it` };
        io.notice(
          `The kind cluster ${CLUSTER_NAME} exists but its API does not answer (${health.reason}): it was left half-created, or its node stopped. Deleting it and creating it again.`,
        );
        const deleteArgs = ['delete', 'cluster', '--name', CLUSTER_NAME, ...kubeconfig];
        const deleted = await io.run(commandLine('kind', deleteArgs), (options) => kind(deleteArgs, options));
        if (!deleted.ok) throw toolFailure(deleted, 'deleting the half-created cluster');
        recovered = true;
      }

      requireFile(sources.kindConfig, 'The kind cluster configuration (manifests/platform/kind-config.yaml)');
      const before = await io.run(commandLine('kubectl', ['config', 'current-context', ...kubeconfig]), (o) =>
        kubectl(target, ['config', 'current-context'], o),
      );
      const previousContext = before.ok ? before.stdout.trim() : '';
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
