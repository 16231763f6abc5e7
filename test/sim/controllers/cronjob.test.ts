import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { SimClock } from '../../../src/sim/controllers/sim-clock.js';
import type { Store } from '../../../src/sim/store.js';
import { apply, clusterStore, NS, node, onStop, startPlane, stopAll, waitFor } from './helpers.js';

afterEach(stopAll);

function cronJobObject(name: string, schedule: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NS },
    spec: {
      schedule,
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      ...spec,
      jobTemplate: {
        metadata: { labels: { app: name } },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'batch',
                  image: 'churn-labs/churn-ml:0.1.0',
                  command: ['/bin/sh', '-c', 'churn-mlops batch-score'],
                },
              ],
            },
          },
        },
      },
    },
  };
}

const jobsOf = (store: Store, cronJob: string) =>
  store.list('Job', NS).filter((j) => j.metadata.ownerReferences?.[0]?.name === cronJob);
const reasons = (store: Store, name: string) =>
  store
    .list('Event', NS)
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.reason}: ${e.message}`);

/** The node's part: every scheduled pod of a Job runs and exits with `exitCode` (or keeps running). */
function jobNode(store: Store, exitCode: number | 'run') {
  let queued = false;
  const tick = () => {
    queued = false;
    for (const pod of store.list('Pod', NS)) {
      if (!pod.spec?.nodeName || ['Succeeded', 'Failed'].includes(pod.status?.phase)) continue;
      if (pod.metadata.deletionTimestamp) store.remove('Pod', NS, pod.metadata.name);
      else if (exitCode === 'run') {
        if (pod.status?.phase !== 'Running') node.run(store, pod, true);
      } else node.finish(store, node.run(store, pod, true), exitCode);
    }
  };
  onStop(
    store.subscribe((event) => {
      if (event.kind === 'Pod' && !queued) {
        queued = true;
        setImmediate(tick);
      }
    }),
  );
}

describe('CronJob controller', () => {
  it('fires "0 2 * * *" on the simulated clock: a Job named for the scheduled minute', async () => {
    const store = clusterStore();
    // A simulated day per real second.
    startPlane(store, { clock: new SimClock(86_400) });
    const cronJob = apply(store, 'CronJob', cronJobObject('churn-batch-score', '0 2 * * *'));
    const [job] = await waitFor(
      () => {
        const jobs = jobsOf(store, 'churn-batch-score');
        return jobs.length > 0 && jobs;
      },
      3000,
      'the first scheduled Job',
    );
    const minutes = Number(job!.metadata.name.slice('churn-batch-score-'.length));
    expect(job!.metadata.name).toMatch(/^churn-batch-score-\d{8}$/);
    expect(minutes % 1440).toBe(120);
    expect(job!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(
      new Date(minutes * 60_000).toISOString().replace('.000Z', 'Z'),
    );
    expect(job!.metadata.labels).toMatchObject({ app: 'churn-batch-score' });
    expect(job!.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        name: 'churn-batch-score',
        uid: cronJob.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(job!.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job!.metadata.uid);
    const status = await waitFor(
      () =>
        store.require('CronJob', NS, 'churn-batch-score').status?.active &&
        store.require('CronJob', NS, 'churn-batch-score').status,
    );
    expect(status.active[0]).toMatchObject({
      kind: 'Job',
      name: job!.metadata.name,
      uid: job!.metadata.uid,
      apiVersion: 'batch/v1',
    });
    // Real time, so `kubectl get cronjob` shows a sensible LAST SCHEDULE age.
    expect(Math.abs(Date.parse(status.lastScheduleTime) - Date.now())).toBeLessThan(5000);
    expect(reasons(store, 'churn-batch-score')).toContain(
      `SuccessfulCreate: Created job ${job!.metadata.name}`,
    );
  });

  it('a schedule that can never fire ("59 23 31 2 *") is an InvalidSchedule warning, and no Job', async () => {
    const store = clusterStore();
    startPlane(store, { clock: new SimClock(86_400) });
    apply(store, 'CronJob', cronJobObject('never', '59 23 31 2 *'));
    const events = await waitFor(
      () => reasons(store, 'never').length > 0 && reasons(store, 'never'),
      3000,
      'an event for the CronJob',
    );
    expect(events).toEqual([
      'InvalidSchedule: invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second',
    ]);
    const event = store.list('Event', NS).find((e) => e.reason === 'InvalidSchedule');
    expect(event?.type).toBe('Warning');
    expect(event?.source).toEqual({ component: 'cronjob-controller' });
    expect(jobsOf(store, 'never')).toEqual([]);
  });

  it('with concurrencyPolicy Forbid, does not start a run while one is active', async () => {
    const store = clusterStore();
    jobNode(store, 'run');
    // An hour every half second.
    startPlane(store, { clock: new SimClock(7200) });
    apply(store, 'CronJob', cronJobObject('churn-retrain', '@hourly', { concurrencyPolicy: 'Forbid' }));
    await waitFor(() => jobsOf(store, 'churn-retrain').length === 1, 3000);
    await waitFor(() => reasons(store, 'churn-retrain').some((r) => r.startsWith('JobAlreadyActive')), 3000);
    expect(jobsOf(store, 'churn-retrain')).toHaveLength(1);
    expect(reasons(store, 'churn-retrain')).toContain(
      'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid',
    );
  });

  it('with concurrencyPolicy Replace, deletes the running Job when the next one starts', async () => {
    const store = clusterStore();
    jobNode(store, 'run');
    startPlane(store, { clock: new SimClock(7200) });
    apply(store, 'CronJob', cronJobObject('churn-retrain', '@hourly', { concurrencyPolicy: 'Replace' }));
    const [first] = await waitFor(() => {
      const jobs = jobsOf(store, 'churn-retrain');
      return jobs.length > 0 && jobs;
    }, 3000);
    await waitFor(
      () => reasons(store, 'churn-retrain').includes(`SuccessfulDelete: Deleted job ${first!.metadata.name}`),
      3000,
    );
    const active = store.require('CronJob', NS, 'churn-retrain').status.active;
    expect(active).toHaveLength(1);
    expect(active[0].name).not.toBe(first!.metadata.name);
  });

  it('keeps successfulJobsHistoryLimit finished Jobs, counting one made by hand with --from', async () => {
    const store = clusterStore();
    jobNode(store, 0);
    const cronJob = apply(
      store,
      'CronJob',
      cronJobObject('churn-batch-score', '@hourly', { successfulJobsHistoryLimit: 2 }),
    );
    // `kubectl create job manual-batch --from=cronjob/churn-batch-score`: a controller reference, no blockOwnerDeletion.
    apply(store, 'Job', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'manual-batch',
        namespace: NS,
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        labels: cronJob.spec.jobTemplate.metadata.labels,
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'churn-batch-score',
            uid: cronJob.metadata.uid!,
            controller: true,
          },
        ],
      },
      spec: structuredClone(cronJob.spec.jobTemplate.spec),
    });
    startPlane(store, { clock: new SimClock(7200) });
    await waitFor(() => store.get('Job', NS, 'manual-batch')?.status?.succeeded === 1);
    await waitFor(() => !store.get('Job', NS, 'manual-batch'), 5000, 'the manual Job to be cleaned up');
    await waitFor(
      () => reasons(store, 'churn-batch-score').filter((r) => r.startsWith('SuccessfulDelete')).length >= 2,
      5000,
    );
    const finished = jobsOf(store, 'churn-batch-score').filter((j) =>
      (j.status?.conditions ?? []).some((c: { type: string }) => c.type === 'Complete'),
    );
    expect(finished.length).toBeLessThanOrEqual(2);
    expect(reasons(store, 'churn-batch-score')).toContain('SuccessfulDelete: Deleted job manual-batch');
    expect(
      reasons(store, 'churn-batch-score').some((r) =>
        /^SawCompletedJob: Saw completed job: churn-batch-score-\d+, status: Complete$/.test(r),
      ),
    ).toBe(true);
    expect(store.require('CronJob', NS, 'churn-batch-score').status.lastSuccessfulTime).toBeDefined();
  });

  it('suspend stops new runs but not the running one, and resuming starts them again', async () => {
    const store = clusterStore();
    jobNode(store, 'run');
    startPlane(store, { clock: new SimClock(7200) });
    apply(store, 'CronJob', cronJobObject('churn-drift-check', '@hourly'));
    const [first] = await waitFor(() => {
      const jobs = jobsOf(store, 'churn-drift-check');
      return jobs.length > 0 && jobs;
    }, 3000);
    const cj = store.require('CronJob', NS, 'churn-drift-check');
    cj.spec.suspend = true;
    store.update('CronJob', cj);
    const count = jobsOf(store, 'churn-drift-check').length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(jobsOf(store, 'churn-drift-check')).toHaveLength(count);
    expect(store.get('Job', NS, first!.metadata.name)?.metadata.deletionTimestamp).toBeUndefined();
    const resumed = store.require('CronJob', NS, 'churn-drift-check');
    resumed.spec.suspend = false;
    store.update('CronJob', resumed);
    await waitFor(() => jobsOf(store, 'churn-drift-check').length > count, 3000);
  });
});
