import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { Controller, type ControllerSettings } from './controller.js';
import { checkTimeZone, formatInZone, parseSchedule, type Schedule } from './cron-schedule.js';
import {
  announce,
  controllerRef,
  controllerRefOf,
  createObject,
  deleteIfPresent,
  findCondition,
  keyOf,
  millis,
  namespaceTerminating,
  same,
  splitKey,
  writeStatus,
} from './meta.js';
import { SimClock } from './sim-clock.js';

const COMPONENT = 'cronjob-controller';
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** nextScheduleDelta: wake a little after the schedule, in simulated time. */
const PADDING_MS = 100;

type JobRef = {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
};
interface CronStatus {
  active?: JobRef[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

const finishedAs = (job: KubeObject) =>
  (['Complete', 'Failed'] as const).find((type) => findCondition(job, type)?.status === 'True');

/**
 * The CronJob controller (cronjob_controllerv2.go) on the simulated clock. Job names and the
 * scheduled-timestamp annotation carry the simulated schedule (`churn-batch-score-<minutes since
 * the epoch>`, "02:00"); lastScheduleTime and lastSuccessfulTime are the real instants, so the ages
 * kubectl prints read right at any time scale. History limits count every finished Job whose
 * controller reference names the CronJob — `kubectl create job --from=cronjob/x` sets one.
 */
export class CronJobController extends Controller {
  protected readonly name = COMPONENT;
  /** The last schedule each CronJob (by uid) acted on, in simulated ms, exact. */
  private readonly lastScheduled = new Map<string, number>();

  constructor(
    store: ConstructorParameters<typeof Controller>[0],
    private readonly clock: SimClock = new SimClock(),
    settings: ControllerSettings = {},
  ) {
    super(store, settings);
  }

  protected keysFor(event: StoreEvent): string[] {
    if (event.kind === 'CronJob') return event.type === 'DELETED' ? [] : [keyOf(event.object)];
    if (event.kind !== 'Job') return [];
    const ref = controllerRefOf(event.object);
    return ref?.kind === 'CronJob' ? [`${event.object.metadata.namespace ?? ''}/${ref.name}`] : [];
  }

  protected allKeys(): string[] {
    return this.store.list('CronJob').map(keyOf);
  }

  protected reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const cronJob = this.store.get('CronJob', namespace, name);
    if (!cronJob) return;
    const jobs = this.store.list('Job', namespace).filter((job) => controllerRefOf(job)?.name === name);
    const status: CronStatus = structuredClone(cronJob.status ?? {});
    this.cleanupFinishedJobs(cronJob, status, jobs);
    const requeueSim = this.syncCronJob(cronJob, status, jobs);
    if (!status.active?.length) delete status.active;
    if (!same(cronJob.status ?? {}, status)) writeStatus(this.store, 'CronJob', cronJob, status);
    if (requeueSim !== undefined) this.queue.addAfter(key, Math.max(1, requeueSim / this.clock.timeScale));
  }

  /** Returns simulated ms until the next look, or undefined when only a change should wake it. */
  private syncCronJob(cronJob: KubeObject, status: CronStatus, jobs: KubeObject[]): number | undefined {
    const now = this.clock.now();
    const children = new Set<string>();
    for (const job of jobs) {
      const uid = job.metadata.uid ?? '';
      children.add(uid);
      const listed = (status.active ?? []).some((r) => r.uid === uid);
      const finished = finishedAs(job);
      if (!listed && !finished)
        this.event(
          cronJob,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${job.metadata.name}`,
        );
      else if (listed && finished) {
        status.active = (status.active ?? []).filter((r) => r.uid !== uid);
        this.event(
          cronJob,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata.name}, status: ${finished}`,
        );
      } else if (finished === 'Complete' && job.status?.completionTime) {
        if (
          !status.lastSuccessfulTime ||
          millis(job.status.completionTime) > millis(status.lastSuccessfulTime)
        )
          status.lastSuccessfulTime = job.status.completionTime;
      }
    }
    for (const ref of [...(status.active ?? [])]) {
      if (children.has(ref.uid ?? '') || this.store.get('Job', ref.namespace, ref.name)) continue;
      this.event(cronJob, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
    }
    if (cronJob.metadata.deletionTimestamp) return undefined;
    const spec = cronJob.spec ?? {};
    const zoneProblem = checkTimeZone(spec.timeZone);
    if (zoneProblem) {
      this.event(
        cronJob,
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: ${JSON.stringify(spec.timeZone)}: ${zoneProblem}`,
      );
      return undefined;
    }
    if (spec.suspend === true) return undefined;
    let schedule: Schedule;
    try {
      schedule = parseSchedule(String(spec.schedule ?? ''), spec.timeZone);
    } catch (error) {
      this.event(
        cronJob,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(error as Error).message}`,
      );
      return undefined;
    }
    const earliest = this.earliest(cronJob, status, jobs);
    const deadline = spec.startingDeadlineSeconds;
    const recent = mostRecent(
      schedule,
      deadline != null ? Math.max(earliest, now - Number(deadline) * 1000) : earliest,
      now,
    );
    const next = () => nextDelay(schedule, earliest, now);
    if (recent.error) {
      this.event(
        cronJob,
        'Warning',
        'InvalidSchedule',
        `invalid schedule: ${spec.schedule} : ${recent.error}`,
      );
      return undefined;
    }
    if (recent.time === undefined) return next();
    if (recent.many)
      this.event(
        cronJob,
        'Warning',
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      );
    const scheduled = recent.time;
    if (deadline != null && scheduled + Number(deadline) * 1000 < now) {
      this.event(
        cronJob,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString().replace('GMT', '+0000')}`,
      );
      return next();
    }
    const jobName = `${cronJob.metadata.name}-${Math.floor(scheduled / 60_000)}`;
    if (
      (status.active ?? []).some((r) => r.name === jobName) ||
      this.lastScheduled.get(cronJob.metadata.uid ?? '') === scheduled
    )
      return next();
    if (spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0) {
      this.event(
        cronJob,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return next();
    }
    if (spec.concurrencyPolicy === 'Replace')
      for (const ref of [...(status.active ?? [])]) {
        const job = this.store.get('Job', ref.namespace, ref.name);
        if (job) this.deleteJob(cronJob, status, job);
      }
    if (namespaceTerminating(this.store, cronJob.metadata.namespace)) return undefined;
    let job: KubeObject;
    try {
      job = createObject(this.store, 'Job', this.jobFor(cronJob, jobName, scheduled));
      this.event(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 409) throw error;
      job = this.store.require('Job', cronJob.metadata.namespace, jobName);
      if (
        controllerRefOf(job)?.uid !== cronJob.metadata.uid ||
        (status.active ?? []).some((r) => r.uid === job.metadata.uid)
      )
        return undefined;
    }
    status.active = [
      ...(status.active ?? []),
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: job.metadata.name,
        namespace: job.metadata.namespace,
        resourceVersion: (job.metadata as { resourceVersion?: string }).resourceVersion,
        uid: job.metadata.uid,
      },
    ];
    status.lastScheduleTime = new Date(Math.floor(this.clock.toReal(scheduled) / 1000) * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    this.lastScheduled.set(cronJob.metadata.uid ?? '', scheduled);
    this.clock.save();
    return nextDelay(schedule, scheduled, now);
  }

  /** getJobFromTemplate2. */
  private jobFor(cronJob: KubeObject, name: string, scheduled: number): KubeObject {
    const template = cronJob.spec?.jobTemplate ?? {};
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cronJob.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: {
          ...(template.metadata?.annotations ?? {}),
          [SCHEDULED_TIMESTAMP]: formatInZone(scheduled, cronJob.spec?.timeZone),
        },
        ownerReferences: [controllerRef(cronJob, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(template.spec ?? {}),
    };
  }

  /** The last schedule already handled, in simulated time (see the class comment on timestamps). */
  private earliest(cronJob: KubeObject, status: CronStatus, jobs: KubeObject[]): number {
    const candidates = [this.lastScheduled.get(cronJob.metadata.uid ?? '') ?? 0];
    for (const job of jobs) {
      const at = Date.parse(job.metadata.annotations?.[SCHEDULED_TIMESTAMP] ?? '');
      if (!Number.isNaN(at) && controllerRefOf(job)?.uid === cronJob.metadata.uid) candidates.push(at);
    }
    if (status.lastScheduleTime) candidates.push(this.clock.toSim(millis(status.lastScheduleTime)));
    const latest = Math.max(...candidates);
    return latest > 0 ? latest : this.clock.toSim(millis(cronJob.metadata.creationTimestamp));
  }

  /** cleanupFinishedJobs: the oldest finished Jobs beyond the history limits go (3 and 1 by default). */
  private cleanupFinishedJobs(cronJob: KubeObject, status: CronStatus, jobs: KubeObject[]): void {
    const spec = cronJob.spec ?? {};
    const limits = {
      Complete: spec.successfulJobsHistoryLimit ?? 3,
      Failed: spec.failedJobsHistoryLimit ?? 1,
    };
    for (const kind of ['Complete', 'Failed'] as const) {
      if (limits[kind] === null) continue;
      const finished = jobs.filter((job) => finishedAs(job) === kind && !job.metadata.deletionTimestamp);
      const excess = finished.length - Number(limits[kind]);
      if (excess <= 0) continue;
      finished.sort(byStartTime);
      for (const job of finished.slice(0, excess)) this.deleteJob(cronJob, status, job);
    }
  }

  private deleteJob(cronJob: KubeObject, status: CronStatus, job: KubeObject): void {
    deleteIfPresent(this.store, 'Job', job.metadata.namespace, job.metadata.name);
    status.active = (status.active ?? []).filter((r) => r.uid !== job.metadata.uid);
    this.event(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  }

  private event(cronJob: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    announce(this.store, cronJob, type, reason, message, COMPONENT);
  }
}

/** byJobStartTime: started ones first, oldest first, names breaking ties. */
function byStartTime(a: KubeObject, b: KubeObject): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  return millis(sa) - millis(sb) || a.metadata.name.localeCompare(b.metadata.name);
}

/** mostRecentScheduleTime: the latest schedule in (earliest, now], and whether over 100 were missed. */
export function mostRecent(
  schedule: Schedule,
  earliest: number,
  now: number,
): { time?: number; many?: boolean; error?: string } {
  // A schedule that never fires (`59 23 31 2 *`) has no next time: robfig/cron answers the zero
  // time, which is before now, so the two "next" times are equal and the schedule is invalid.
  const invalid = { error: 'time difference between two schedules is less than 1 second' };
  const t1 = schedule.next(earliest);
  if (t1 === undefined) return invalid;
  if (now < t1) return {};
  const t2 = schedule.next(t1);
  if (t2 === undefined) return invalid;
  if (now < t2) return { time: t1 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return invalid;
  const missed = Math.floor(Math.floor((now - t1) / 1000) / between) + 1;
  let time: number | undefined;
  for (
    let t = schedule.next(t1 + (missed - 2) * between * 1000);
    t !== undefined && t <= now;
    t = schedule.next(t)
  )
    time = t;
  return { time, many: missed > 100 };
}

/** nextScheduleTimeDuration, in simulated ms. */
function nextDelay(schedule: Schedule, from: number, now: number): number | undefined {
  const recent = mostRecent(schedule, from, now);
  const base = recent.error ? now : (recent.time ?? from);
  const next = schedule.next(base);
  return next === undefined ? undefined : next + PADDING_MS - now;
}
