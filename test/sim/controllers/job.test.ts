import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import type { Store } from '../../../src/sim/store.js';
import { apply, clusterStore, NS, node, startPlane, stopAll, waitFor } from './helpers.js';

afterEach(stopAll);

function jobObject(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      ...spec,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            { name: 'batch', image: 'churn-labs/churn-ml:0.1.0', command: ['churn-mlops', 'batch-score'] },
          ],
        },
      },
    },
  };
}

const job = (store: Store, name: string) => store.require('Job', NS, name);
const podsOfJob = (store: Store, name: string) =>
  store.list('Pod', NS).filter((p) => p.metadata.labels?.['job-name'] === name);
const conditionTypes = (j: KubeObject) => (j.status?.conditions ?? []).map((c: { type: string }) => c.type);
const events = (store: Store, name: string) =>
  store
    .list('Event', NS)
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.type} ${e.reason}: ${e.message}`);

/** Runs the Job's scheduled, not yet finished pods to the given exit code. */
function finishPods(store: Store, name: string, exitCode: number) {
  for (const pod of podsOfJob(store, name))
    if (pod.spec?.nodeName && !['Succeeded', 'Failed'].includes(pod.status?.phase)) {
      node.run(store, pod, true);
      node.finish(store, pod, exitCode);
    }
}

describe('Job controller', () => {
  it('runs a pod to completion: SuccessCriteriaMet, then Complete', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Job', jobObject('seed-model'));
    const [pod] = await waitFor(() => {
      const pods = podsOfJob(store, 'seed-model');
      return pods.length === 1 && pods[0]!.spec?.nodeName && pods;
    });
    const created = job(store, 'seed-model');
    expect(pod!.metadata.name).toMatch(/^seed-model-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod!.metadata.labels).toMatchObject({
      'batch.kubernetes.io/job-name': 'seed-model',
      'job-name': 'seed-model',
      'controller-uid': created.metadata.uid,
      'batch.kubernetes.io/controller-uid': created.metadata.uid,
    });
    expect(pod!.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Job',
      name: 'seed-model',
      controller: true,
    });
    expect((pod!.metadata as { finalizers?: string[] }).finalizers).toEqual([
      'batch.kubernetes.io/job-tracking',
    ]);
    await waitFor(() => job(store, 'seed-model').status?.active === 1);
    expect(job(store, 'seed-model').status).toMatchObject({
      active: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
    expect(job(store, 'seed-model').status.startTime).toBeDefined();

    finishPods(store, 'seed-model', 0);
    const done = await waitFor(() => {
      const j = job(store, 'seed-model');
      return conditionTypes(j).includes('Complete') && j;
    });
    expect(conditionTypes(done)).toEqual(['SuccessCriteriaMet', 'Complete']);
    for (const c of done.status.conditions)
      expect(c).toMatchObject({
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      });
    expect(done.status).toMatchObject({
      succeeded: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
    expect(done.status.active).toBeUndefined();
    expect(done.status.failed).toBeUndefined();
    expect(done.status.completionTime).toBe(done.status.conditions[1].lastTransitionTime);
    expect(events(store, 'seed-model').sort()).toEqual([
      'Normal Completed: Job completed',
      `Normal SuccessfulCreate: Created pod: ${pod!.metadata.name}`,
    ]);
    // Counted, so the pod no longer holds its tracking finalizer.
    expect(
      (store.require('Pod', NS, pod!.metadata.name).metadata as { finalizers?: string[] }).finalizers,
    ).toBeUndefined();
  });

  it('retries failed pods until backoffLimit, then FailureTarget and Failed with BackoffLimitExceeded', async () => {
    const store = clusterStore();
    startPlane(store, { job: { podFailureBackoffMs: 50 } });
    apply(store, 'Job', jobObject('drift', { backoffLimit: 1 }));
    for (let attempt = 1; attempt <= 2; attempt++) {
      await waitFor(
        () =>
          podsOfJob(store, 'drift').filter((p) => p.spec?.nodeName && p.status?.phase !== 'Failed').length ===
          1,
        5000,
        `attempt ${attempt}`,
      );
      finishPods(store, 'drift', 1);
    }
    const failed = await waitFor(() => {
      const j = job(store, 'drift');
      return conditionTypes(j).includes('Failed') && j;
    });
    expect(conditionTypes(failed)).toEqual(['FailureTarget', 'Failed']);
    for (const c of failed.status.conditions)
      expect(c).toMatchObject({
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      });
    expect(failed.status).toMatchObject({ failed: 2 });
    expect(failed.status.succeeded).toBeUndefined();
    expect(failed.status.completionTime).toBeUndefined();
    expect(podsOfJob(store, 'drift')).toHaveLength(2);
    expect(events(store, 'drift')).toContain(
      'Warning BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
  });

  it('fails a Job that runs past activeDeadlineSeconds and stops its pod', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Job', jobObject('slow', { activeDeadlineSeconds: 1 }));
    const pod = await waitFor(() => podsOfJob(store, 'slow').find((p) => p.spec?.nodeName));
    node.run(store, pod, true);
    // The pod is told to stop; the Job reports Failed only once it has.
    await waitFor(() => store.require('Pod', NS, pod.metadata.name).metadata.deletionTimestamp, 4000);
    expect(conditionTypes(job(store, 'slow'))).toEqual(['FailureTarget']);
    node.reap(store);
    const failed = await waitFor(() => {
      const j = job(store, 'slow');
      return conditionTypes(j).includes('Failed') && j;
    });
    expect(failed.status.conditions[1]).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    expect(failed.status.failed).toBe(1);
  });

  it('suspends and resumes', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Job', jobObject('later', { suspend: true }));
    const suspended = await waitFor(() => {
      const j = job(store, 'later');
      return conditionTypes(j).includes('Suspended') && j;
    });
    expect(suspended.status.conditions[0]).toMatchObject({ status: 'True', reason: 'JobSuspended' });
    expect(podsOfJob(store, 'later')).toHaveLength(0);
    expect(suspended.status.startTime).toBeUndefined();
    const resume = job(store, 'later');
    resume.spec.suspend = false;
    store.update('Job', resume);
    await waitFor(() => podsOfJob(store, 'later').length === 1);
    const resumed = await waitFor(() => {
      const j = job(store, 'later');
      return j.status?.conditions?.[0]?.status === 'False' && j;
    });
    expect(resumed.status.conditions[0]).toMatchObject({ type: 'Suspended', reason: 'JobResumed' });
    expect(resumed.status.startTime).toBeDefined();
  });

  it('deletes a finished Job and its pods after ttlSecondsAfterFinished', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Job', jobObject('short-lived', { ttlSecondsAfterFinished: 1 }));
    await waitFor(() => podsOfJob(store, 'short-lived').some((p) => p.spec?.nodeName));
    finishPods(store, 'short-lived', 0);
    await waitFor(() => conditionTypes(job(store, 'short-lived')).includes('Complete'));
    await waitFor(() => {
      node.reap(store);
      return !store.get('Job', NS, 'short-lived') && podsOfJob(store, 'short-lived').length === 0;
    }, 5000);
  });
});
