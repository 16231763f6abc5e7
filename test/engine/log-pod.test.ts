import { describe, expect, it } from 'vitest';
import { byLogging, logSource, logTargetKinds } from '../../src/course/log-pod.js';
import { type KubeObject, Snapshot } from '../../src/kube/objects.js';
import { deployment, pod } from './fixtures.js';

const NS = 'churn-mlops';

/** The pod `kubectl logs <target>` reads, chosen as kubectl's podutils.ByLogging chooses it. */
function withReady(p: KubeObject, at: string): KubeObject {
  const copy = structuredClone(p);
  const ready = copy.status.conditions.find((c: { type: string }) => c.type === 'Ready');
  ready.lastTransitionTime = at;
  return copy;
}
const created = (p: KubeObject, at: string): KubeObject => ({
  ...p,
  metadata: { ...p.metadata, creationTimestamp: at },
});
const restarts = (p: KubeObject, n: number): KubeObject => {
  const copy = structuredClone(p);
  copy.status.containerStatuses[0].restartCount = n;
  return copy;
};
const unassigned = (p: KubeObject): KubeObject => ({ ...p, spec: { ...p.spec, nodeName: undefined } });
const names = (pods: KubeObject[]) => [...pods].sort(byLogging).map((p) => p.metadata.name);

describe('the pod kubectl logs reads', () => {
  it('orders as ByLogging: assigned, running, ready, ready longest, most restarts, oldest', () => {
    expect(names([unassigned(pod('a')), pod('b')])).toEqual(['b', 'a']);
    expect(
      names([pod('pending', { phase: 'Pending' }), pod('unknown', { phase: 'Unknown' }), pod('running')]),
    ).toEqual(['running', 'unknown', 'pending']);
    expect(names([pod('not-ready', { ready: false }), pod('ready')])).toEqual(['ready', 'not-ready']);
    expect(
      names([
        withReady(pod('late'), '2026-11-24T10:05:00Z'),
        withReady(pod('early'), '2026-11-24T10:01:00Z'),
      ]),
    ).toEqual(['early', 'late']);
    expect(names([pod('calm'), restarts(pod('crashy'), 3)])).toEqual(['crashy', 'calm']);
    expect(
      names([created(pod('young'), '2026-11-24T10:05:00Z'), created(pod('old'), '2026-11-24T09:00:00Z')]),
    ).toEqual(['old', 'young']);
  });

  it("reads a Job's or a Deployment's pods by its selector, a pod by name, and says what is missing", () => {
    const jobPod = pod('manual-batch-x7k2p', {
      phase: 'Succeeded',
      ready: false,
      labels: { 'batch.kubernetes.io/controller-uid': 'uid-job', 'job-name': 'manual-batch' },
    });
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'manual-batch', namespace: NS },
      spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-job' } } },
    };
    const api = [pod('churn-api-a', { ready: false }), pod('churn-api-b')];
    const snapshot = new Snapshot(NS, [job, jobPod, deployment({ replicas: 2 }), ...api]);
    expect(logSource(snapshot, 'job/manual-batch')).toEqual({ pod: 'manual-batch-x7k2p' });
    expect(logSource(snapshot, 'deployment/churn-api')).toEqual({ pod: 'churn-api-b' });
    expect(logSource(snapshot, 'churn-api-a', 'churn-api')).toEqual({
      pod: 'churn-api-a',
      container: 'churn-api',
    });
    expect(logSource(snapshot, 'pod/churn-api-a')).toEqual({ pod: 'churn-api-a' });
    expect(logSource(snapshot, 'job/nope')).toEqual({
      error: 'error from server (NotFound): jobs.batch "nope" not found in namespace "churn-mlops"',
    });
    expect(logSource(snapshot, 'gone')).toEqual({
      error: 'error from server (NotFound): pods "gone" not found in namespace "churn-mlops"',
    });
    // Kinds kubectl resolves itself, and a Job with no pod yet (kubectl waits for one): kubectl decides.
    expect(logSource(snapshot, 'statefulset/db')).toBeUndefined();
    expect(logTargetKinds('statefulset/db')).toEqual([]);
    expect(logSource(new Snapshot(NS, [job]), 'job/manual-batch')).toBeUndefined();
  });

  it('picks the default container of a pod with several, as kubectl does', () => {
    const two = structuredClone(pod('two'));
    two.spec.containers.push({ name: 'sidecar', image: 'busybox' });
    expect(logSource(new Snapshot(NS, [two]), 'two')).toEqual({ pod: 'two', container: 'churn-api' });
    two.metadata.annotations = { 'kubectl.kubernetes.io/default-container': 'sidecar' };
    expect(logSource(new Snapshot(NS, [two]), 'two')).toEqual({ pod: 'two', container: 'sidecar' });
  });
});
