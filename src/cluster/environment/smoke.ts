import type { UpTimeouts } from '../environment-api.js';
import { type ClusterTarget, targetFlags } from '../kubectl.js';
import { outputTail } from '../tool.js';
import { kube, podEvidence, readJson } from './kube.js';
import { judgePod, type PodLike } from './pods.js';
import { commandLine, type Step, StepFailed, type StepIO } from './steps.js';

export const SMOKE_NAMESPACE = 'churn-labs-smoke';
const POD = 'smoke';
const IMAGE = 'churn-labs/churn-ml:0.1.0';

/**
 * Proves that the cluster can run our images, without doing Exercise 1 for the learner: one short
 * pod of the jobs image, in a scratch namespace that is deleted afterwards.
 */
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SMOKE_NAMESPACE } };
const smokePod = (image: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: POD, namespace: SMOKE_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'churn-labs' } },
  spec: {
    restartPolicy: 'Never',
    containers: [
      {
        name: 'churn-mlops',
        image,
        imagePullPolicy: 'IfNotPresent',
        command: ['churn-mlops', '--version'],
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '250m', memory: '128Mi' } },
      },
    ],
  },
});
// A stream of two JSON documents rather than a v1 List: kubectl validates a List on the client,
// which needs the server's OpenAPI v2; each object on its own is validated by the server.
const manifest = (image: string) => `${JSON.stringify(namespace)}\n${JSON.stringify(smokePod(image))}\n`;

/** `image`: the jobs image as the cluster pulls it (from a registry, off kind). */
export function smokeStep(target: ClusterTarget, timeouts: UpTimeouts, image = IMAGE): Step {
  const applyArgs = ['apply', '-f', '-'];
  return {
    id: 'smoke',
    title: `Smoke test: a pod of ${image}`,
    command: `${commandLine('kubectl', [...targetFlags(target), ...applyArgs])}  # pod ${SMOKE_NAMESPACE}/${POD}: churn-mlops --version`,
    async run(io) {
      const deadline = Date.now() + timeouts.smokeMs;
      await clearLeftovers(io, target, deadline, timeouts.pollMs);
      const applied = await kube(io, target, applyArgs, { input: manifest(image) });
      if (!applied.ok)
        throw new StepFailed(
          `The cluster refused the smoke-test pod (kubectl apply failed).`,
          'Read the output below; is the cluster healthy? (churn-labs doctor, then churn-labs up again)',
          outputTail(applied),
        );
      let lastWhy = '';
      for (;;) {
        const { value: pod } = await readJson<PodLike>(io, target, [
          'get',
          'pod',
          POD,
          '-n',
          SMOKE_NAMESPACE,
        ]);
        const verdict = pod ? judgePod(pod) : { state: 'waiting' as const, why: 'not visible yet' };
        if (verdict.state === 'succeeded') break;
        if (verdict.state === 'broken')
          throw new StepFailed(
            verdict.detail,
            verdict.fix,
            await podEvidence(io, target, SMOKE_NAMESPACE, POD, verdict.logs),
          );
        const why = verdict.state === 'ready' ? 'Running' : verdict.why;
        if (why !== lastWhy) io.say(`pod ${POD}: ${why}`);
        lastWhy = why;
        if (Date.now() + timeouts.pollMs > deadline)
          throw new StepFailed(
            `The smoke-test pod did not finish within ${Math.round(timeouts.smokeMs / 1000)} s (last seen: ${why}).`,
            `The cluster may still be starting: run churn-labs up again in a minute. To see why: kubectl describe pod ${POD} -n ${SMOKE_NAMESPACE} --context ${target.context}`,
            await podEvidence(io, target, SMOKE_NAMESPACE, POD, false),
          );
        await io.pause(timeouts.pollMs);
      }
      const logs = await kube(io, target, ['logs', POD, '-n', SMOKE_NAMESPACE]);
      const printed = logs.stdout.trim().split('\n').at(-1) ?? '';
      // Deleting a namespace takes a while on a real cluster; the next `up` waits for it if it must.
      await kube(io, target, ['delete', 'namespace', SMOKE_NAMESPACE, '--wait=false']);
      return { outcome: 'ok', detail: `${image} ran in the cluster${printed ? ` (${printed})` : ''}` };
    },
  };
}

/** A smoke namespace left by an interrupted or failed run: delete it and wait until it is gone. */
async function clearLeftovers(io: StepIO, target: ClusterTarget, deadline: number, pollMs: number) {
  const ns = ['get', 'namespace', SMOKE_NAMESPACE];
  let { value, result } = await readJson<{ status?: { phase?: string } }>(io, target, ns);
  if (!value) {
    if (/NotFound|not found/i.test(result.stderr)) return;
    throw new StepFailed(
      `The cluster did not answer (kubectl get namespace ${SMOKE_NAMESPACE} failed).`,
      'Check the cluster (churn-labs doctor), then run churn-labs up again.',
      outputTail(result),
    );
  }
  if (value.status?.phase !== 'Terminating') {
    io.say(`a ${SMOKE_NAMESPACE} namespace is left from an earlier run: deleting it first`);
    await kube(io, target, ['delete', 'namespace', SMOKE_NAMESPACE, '--wait=false']);
  }
  while (value) {
    if (Date.now() + pollMs > deadline)
      throw new StepFailed(
        `The namespace ${SMOKE_NAMESPACE} left by an earlier run is still being deleted.`,
        `Wait a minute and run churn-labs up again (see: kubectl get namespace ${SMOKE_NAMESPACE} --context ${target.context}).`,
      );
    await io.pause(pollMs);
    ({ value, result } = await readJson<{ status?: { phase?: string } }>(io, target, ns));
    if (!value && !/NotFound|not found/i.test(result.stderr)) value = { status: { phase: 'Terminating' } };
  }
}
