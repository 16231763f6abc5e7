import { readFileSync } from 'node:fs';
import type { UpTimeouts } from '../environment-api.js';
import { type ClusterTarget, kubectl, targetFlags } from '../kubectl.js';
import { outputTail } from '../tool.js';
import { kube, podEvidence, readJson } from './kube.js';
import { judgePod, type PodLike } from './pods.js';
import { type PackageSources, requireFile } from './sources.js';
import { commandLine, type Step, StepFailed } from './steps.js';

const METRICS_NODES = '/apis/metrics.k8s.io/v1beta1/nodes';

interface DeploymentLike {
  spec?: { replicas?: number };
  status?: {
    availableReplicas?: number;
    conditions?: { type?: string; status?: string; message?: string }[];
  };
}

/**
 * metrics-server feeds `kubectl top` and the HPA of Exercise 4. Its pod being Running is not
 * enough: the aggregated metrics API must answer, which takes a first scrape of the kubelet.
 */
export function metricsServerStep(
  target: ClusterTarget,
  sources: PackageSources,
  timeouts: UpTimeouts,
  options: { offKind?: boolean } = {},
): Step {
  const applyArgs = ['apply', '-f', options.offKind ? '-' : sources.metricsServer];
  return {
    id: 'metrics-server',
    title: 'metrics-server',
    command: commandLine('kubectl', [...targetFlags(target), ...applyArgs]),
    async run(io) {
      requireFile(
        sources.metricsServer,
        'The metrics-server manifest (manifests/platform/metrics-server.yaml)',
      );
      const deadline = Date.now() + timeouts.metricsMs;
      const seconds = Math.round(timeouts.metricsMs / 1000);
      const applied = await kube(io, target, applyArgs, {
        timeoutMs: 60_000,
        input: options.offKind ? offKindManifest(readFileSync(sources.metricsServer, 'utf8')) : undefined,
      });
      if (!applied.ok)
        throw new StepFailed(
          'kubectl could not apply the metrics-server manifest.',
          'Read the output below; is the cluster healthy? (churn-labs doctor, then churn-labs up again)',
          outputTail(applied),
        );
      const unchanged = applied.stdout
        .trim()
        .split('\n')
        .every((line) => line.trim() === '' || / unchanged$/.test(line.trim()));

      let available = false;
      while (!available) {
        const deployment = await readJson<DeploymentLike>(io, target, [
          'get',
          'deployment',
          'metrics-server',
          '-n',
          'kube-system',
        ]);
        available = (deployment.value?.status?.availableReplicas ?? 0) >= 1;
        if (available) break;
        if (Date.now() + timeouts.pollMs > deadline) throw await notAvailable(seconds);
        await io.pause(timeouts.pollMs);
      }
      io.say('metrics-server is available; waiting for the metrics API to answer');

      for (;;) {
        const api = await kubectl(target, ['get', '--raw', METRICS_NODES], {
          signal: io.signal,
          timeoutMs: 15_000,
        });
        if (api.ok)
          return unchanged
            ? { outcome: 'skipped', detail: 'metrics-server was already installed; the metrics API answers' }
            : { outcome: 'ok', detail: 'metrics-server installed; the metrics API answers' };
        if (Date.now() + timeouts.pollMs > deadline)
          throw new StepFailed(
            `metrics-server is running, but the metrics API (${METRICS_NODES}) did not answer within ${seconds} s.`,
            `It can take a minute after a start: run churn-labs up again shortly. If it persists, read its log: kubectl logs -n kube-system deployment/metrics-server --context ${target.context}${options.offKind ? X509_HINT : ''}`,
            outputTail(api, 4),
          );
        await io.pause(timeouts.pollMs);
      }

      async function notAvailable(seconds: number): Promise<StepFailed> {
        const pods = await readJson<{ items?: PodLike[] }>(io, target, [
          'get',
          'pods',
          '-n',
          'kube-system',
          '-l',
          'k8s-app=metrics-server',
        ]);
        for (const pod of pods.value?.items ?? []) {
          const verdict = judgePod(pod);
          const name = pod.metadata?.name ?? 'metrics-server';
          if (verdict.state === 'broken')
            return new StepFailed(
              `metrics-server did not become available: ${verdict.detail}`,
              verdict.fix,
              await podEvidence(io, target, 'kube-system', name, verdict.logs),
            );
          if (verdict.state === 'waiting')
            return new StepFailed(
              `metrics-server did not become available within ${seconds} s (its pod ${name}: ${verdict.why}).`,
              `The cluster may still be starting: run churn-labs up again in a minute. To see why: kubectl describe pod ${name} -n kube-system --context ${target.context}${options.offKind ? X509_HINT : ''}`,
              await podEvidence(io, target, 'kube-system', name, false),
            );
        }
        return new StepFailed(
          `metrics-server did not become available within ${seconds} s.`,
          `Run churn-labs up again in a minute. To see why: kubectl describe deployment metrics-server -n kube-system --context ${target.context}`,
        );
      }
    },
  };
}

/**
 * The manifest as it goes to a cluster that is not kind: without --kubelet-insecure-tls. kind's
 * kubelets serve self-signed certificates, so on kind metrics-server must not verify them; a
 * managed or kubeadm cluster whose kubelets have certificates signed by the cluster's CA should
 * keep that check, as upstream's own manifest does.
 */
export function offKindManifest(manifest: string): string {
  return manifest
    .split('\n')
    .filter((line) => !/^\s*-\s*--kubelet-insecure-tls\b/.test(line))
    .join('\n');
}

const X509_HINT =
  ". If its log says x509 (cannot validate the kubelets' certificates), the nodes' kubelets serve self-signed certificates: turn on serverTLSBootstrap for them, or add --kubelet-insecure-tls to metrics-server's args knowing it then trusts any kubelet";

/**
 * Off kind the metrics API may be there already (GKE, AKS, k3s ship metrics-server). When it is
 * not, metrics-server is installed only with the user's consent (`--yes`, or asked on a terminal):
 * it is a cluster-wide component of someone's cluster. Without consent, the learner is told which
 * exercises cannot pass and how to install it.
 */
export function metricsApiStep(
  target: ClusterTarget,
  sources: PackageSources,
  timeouts: UpTimeouts,
  confirmInstall: ((question: string) => Promise<boolean>) | undefined,
  upCommand: string,
): Step {
  const install = metricsServerStep(target, sources, timeouts, { offKind: true });
  const args = ['get', '--raw', METRICS_NODES];
  return {
    id: 'metrics-server',
    title: 'Metrics API',
    command: commandLine('kubectl', [...targetFlags(target), ...args]),
    async run(io) {
      const api = await io.run(commandLine('kubectl', [...targetFlags(target), ...args]), (o) =>
        kubectl(target, args, { ...o, timeoutMs: 20_000 }),
      );
      if (api.ok) return { outcome: 'skipped', detail: 'the cluster serves the metrics API already' };
      const question = `The cluster of context ${target.context} has no metrics API, which the autoscaling exercises need. Install metrics-server (${sources.metricsServer}) in its kube-system namespace?`;
      if (confirmInstall && (await confirmInstall(question))) return install.run(io);
      io.notice(
        `This cluster has no metrics API (${METRICS_NODES} does not answer): the autoscaling exercises (scale-api's HPA, autoscale-load) and incident-hpa-blind cannot pass until metrics-server is installed. Install it with ${upCommand} --yes, or with your cluster's own add-on.`,
      );
      return { outcome: 'skipped', detail: 'no metrics API (see the warning above)' };
    },
  };
}
