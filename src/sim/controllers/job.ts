import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { claim } from './claims.js';
import { Controller, type ControllerSettings } from './controller.js';
import { withJobDefaults } from './job-defaults.js';
import {
  condition,
  type Finish,
  hasTracking,
  isFinished,
  isPodFailed,
  JOB_TRACKING_FINALIZER,
  pastActiveDeadline,
  pastBackoffLimitOnFailure,
} from './job-util.js';
import {
  announce,
  type Condition,
  controllerRef,
  controllerRefOf,
  createObject,
  findCondition,
  keyOf,
  millis,
  namespaceTerminating,
  same,
  splitKey,
  timestamp,
  writeObject,
  writeStatus,
} from './meta.js';
import {
  compareForDeletion,
  deletePod,
  isPodActive,
  isPodReady,
  isTerminal,
  podFromTemplate,
} from './pods.js';

const COMPONENT = 'job-controller';

export interface JobSettings extends ControllerSettings {
  /** Delay before replacing a failed pod, doubling per failure (10 s in Kubernetes). */
  podFailureBackoffMs?: number;
  /** The longest such delay (10 min in Kubernetes). */
  maxPodFailureBackoffMs?: number;
}

/**
 * The Job controller (pkg/controller/job) for NonIndexed Jobs: pods up to parallelism until
 * completions succeed, failures counted against backoffLimit with a growing delay before a
 * replacement, activeDeadlineSeconds and suspend, and the 1.31+ terminal conditions — FailureTarget
 * then Failed, SuccessCriteriaMet then Complete — once no pod is still terminating. Finished pods are
 * counted through the job-tracking finalizer, so a pod deleted early is still counted.
 */
export class JobController extends Controller {
  protected readonly name = COMPONENT;
  /** Tracked pods that left the store before they were counted, by Job uid. */
  private readonly vanished = new Map<string, boolean[]>();
  private readonly backoff = new Map<string, { failures: number; last: number }>();
  /** The create the API refused in this sync, if any. */
  private refused: ApiError | undefined;

  constructor(
    store: ConstructorParameters<typeof Controller>[0],
    protected override readonly settings: JobSettings = {},
  ) {
    super(store, settings);
  }

  protected keysFor(event: StoreEvent): string[] {
    const o = event.object;
    if (event.kind === 'Job') return event.type === 'DELETED' ? ['*orphans'] : [keyOf(o)];
    if (event.kind !== 'Pod') return [];
    const ref = controllerRefOf(o);
    if (ref?.kind !== 'Job') return [];
    if (event.type === 'DELETED' && hasTracking(o)) {
      const list = this.vanished.get(ref.uid) ?? [];
      list.push(o.status?.phase === 'Succeeded');
      this.vanished.set(ref.uid, list);
    }
    return [`${o.metadata.namespace ?? ''}/${ref.name}`];
  }

  protected allKeys(): string[] {
    return ['*orphans', ...this.store.list('Job').map(keyOf)];
  }

  protected reconcile(key: string): void {
    if (key === '*orphans') {
      this.releaseOrphans();
      return;
    }
    const { namespace, name } = splitKey(key);
    const job = this.store.get('Job', namespace, name);
    if (!job) return;
    const defaulted = withJobDefaults(job);
    if (defaulted) {
      writeObject(this.store, 'Job', defaulted);
      return;
    }
    if (isFinished(job) || job.metadata.deletionTimestamp) {
      for (const pod of this.store.list('Pod', namespace))
        if (controllerRefOf(pod)?.uid === job.metadata.uid) this.untrack(pod);
      this.backoff.delete(job.metadata.uid ?? '');
      return;
    }
    this.refused = undefined;
    this.syncJob(key, job);
    // A pod the API refused (quota, limits) is tried again with a growing delay, as upstream requeues.
    if (this.refused) throw this.refused;
  }

  private syncJob(key: string, job: KubeObject): void {
    const spec = job.spec;
    const status = structuredClone(job.status ?? {});
    const uid = job.metadata.uid ?? '';
    const pods = claim(this.store, 'Pod', job, 'batch/v1', 'Job', spec.selector);
    let activePods = pods.filter(isPodActive);
    let terminating = pods.filter((p) => p.metadata.deletionTimestamp && !isTerminal(p)).length;

    // Count what finished since the last sync, then let those pods go.
    let succeeded = Number(status.succeeded ?? 0);
    let failed = Number(status.failed ?? 0);
    for (const pod of pods.filter(hasTracking)) {
      if (pod.status?.phase === 'Succeeded') succeeded++;
      else if (isPodFailed(pod)) {
        failed++;
        this.noteFailure(uid, pod);
      } else continue;
      this.untrack(pod);
    }
    for (const ok of this.vanished.get(uid) ?? []) ok ? succeeded++ : failed++;
    this.vanished.delete(uid);
    if (succeeded > Number(status.succeeded ?? 0)) this.backoff.delete(uid);

    const suspended = spec.suspend === true;
    if (!status.startTime && !suspended) status.startTime = timestamp();

    let finish: Finish | undefined;
    const successMet = findCondition(status, 'SuccessCriteriaMet')?.status === 'True';
    const failureTarget = findCondition(status, 'FailureTarget');
    if (successMet)
      finish = {
        type: 'SuccessCriteriaMet',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      };
    else if (failureTarget?.status === 'True')
      finish = {
        type: 'FailureTarget',
        reason: String(failureTarget.reason),
        message: String(failureTarget.message),
      };
    else if (failed > Number(spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, activePods))
      finish = {
        type: 'FailureTarget',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    else if (pastActiveDeadline(job, status))
      finish = {
        type: 'FailureTarget',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      };
    else if (spec.activeDeadlineSeconds !== undefined && !suspended && status.startTime)
      this.queue.addAfter(
        key,
        millis(status.startTime) + Number(spec.activeDeadlineSeconds) * 1000 - Date.now() + 50,
      );

    let ready = activePods.filter(isPodReady).length;
    if (finish) {
      // Failing pods keep their finalizer: they are counted as failed once they are gone.
      for (const pod of activePods) this.removePod(job, pod, false);
      terminating += activePods.length;
      activePods = [];
      ready = 0;
    } else {
      const managed = this.manageJob(key, job, activePods, succeeded, terminating);
      activePods = managed.active;
      terminating = managed.terminating;
      ready = activePods.filter(isPodReady).length;
      const completions = spec.completions;
      const complete =
        activePods.length === 0 &&
        (completions === undefined || completions === null ? succeeded > 0 : succeeded >= completions);
      if (complete)
        finish = {
          type: 'SuccessCriteriaMet',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
        };
      else this.suspendConditions(job, status, suspended);
    }

    Object.assign(status, {
      active: activePods.length,
      succeeded,
      failed,
      ready,
      terminating,
      uncountedTerminatedPods: {},
    });
    for (const field of ['active', 'succeeded', 'failed'] as const) if (!status[field]) delete status[field];

    let finishedNow: Condition | undefined;
    if (finish) {
      // The interim condition first; the terminal one only when no pod is still terminating.
      if (!findCondition(status, finish.type))
        status.conditions = [...(status.conditions ?? []), condition(finish)];
      const final = { ...finish, type: finish.type === 'FailureTarget' ? 'Failed' : 'Complete' };
      if (terminating === 0 && !findCondition(status, final.type)) {
        finishedNow = condition(final);
        status.conditions = [...status.conditions, finishedNow];
        if (final.type === 'Complete') status.completionTime = finishedNow.lastTransitionTime;
      }
    }
    if (same(job.status, status)) return;
    writeStatus(this.store, 'Job', job, status);
    if (finishedNow?.type === 'Complete')
      announce(this.store, job, 'Normal', 'Completed', 'Job completed', COMPONENT);
    else if (finishedNow)
      announce(this.store, job, 'Warning', finishedNow.reason!, finishedNow.message!, COMPONENT);
  }

  /** manageJob: as many active pods as parallelism and the remaining completions allow. */
  private manageJob(
    key: string,
    job: KubeObject,
    active: KubeObject[],
    succeeded: number,
    terminating: number,
  ) {
    const spec = job.spec;
    if (spec.suspend === true) {
      for (const pod of active) this.removePod(job, pod, true);
      return { active: [], terminating: terminating + active.length };
    }
    const parallelism = Number(spec.parallelism ?? 1);
    const completions = spec.completions;
    let want =
      completions === undefined || completions === null
        ? succeeded > 0
          ? active.length
          : parallelism
        : Math.min(Number(completions) - succeeded, parallelism);
    want = Math.max(0, want);
    if (active.length > want) {
      const victims = [...active].sort(compareForDeletion).slice(0, active.length - want);
      for (const pod of victims) this.removePod(job, pod, true);
      return {
        active: active.filter((p) => !victims.includes(p)),
        terminating: terminating + victims.length,
      };
    }
    let missing = want - active.length;
    if (spec.podReplacementPolicy === 'Failed') missing -= terminating;
    if (missing <= 0 || namespaceTerminating(this.store, job.metadata.namespace))
      return { active, terminating };
    const wait = this.backoffRemaining(job.metadata.uid ?? '');
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return { active, terminating };
    }
    const created = [...active];
    const owner = controllerRef(job, 'batch/v1', 'Job');
    for (let i = 0; i < Math.min(missing, 500); i++) {
      let pod: KubeObject;
      try {
        pod = createObject(
          this.store,
          'Pod',
          podFromTemplate(spec.template, job.metadata.namespace, job.metadata.name, owner, {
            finalizers: [JOB_TRACKING_FINALIZER],
          }),
        );
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        announce(this.store, job, 'Warning', 'FailedCreate', `Error creating: ${error.message}`, COMPONENT);
        this.refused = error;
        break;
      }
      created.push(pod);
      announce(this.store, job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, COMPONENT);
    }
    return { active: created, terminating };
  }

  private suspendConditions(
    job: KubeObject,
    status: { conditions?: Condition[]; startTime?: string },
    suspended: boolean,
  ): void {
    const current = findCondition(status, 'Suspended');
    if (suspended && current?.status !== 'True') {
      status.conditions = [
        ...(status.conditions ?? []).filter((c) => c.type !== 'Suspended'),
        condition({ type: 'Suspended', reason: 'JobSuspended', message: 'Job suspended' }),
      ];
      announce(this.store, job, 'Normal', 'Suspended', 'Job suspended', COMPONENT);
    } else if (!suspended && current?.status === 'True') {
      status.conditions = (status.conditions ?? []).map((c) =>
        c.type === 'Suspended'
          ? {
              ...condition({ type: 'Suspended', reason: 'JobResumed', message: 'Job resumed' }),
              status: 'False',
            }
          : c,
      );
      // A resumed Job's activeDeadlineSeconds counts from the resume.
      status.startTime = timestamp();
      announce(this.store, job, 'Normal', 'Resumed', 'Job resumed', COMPONENT);
    }
  }

  /** Deletes an active pod; one removed by choice (suspend, fewer wanted) is not counted as failed. */
  private removePod(job: KubeObject, pod: KubeObject, uncounted: boolean): void {
    if (uncounted) this.untrack(pod);
    const current = this.store.get('Pod', pod.metadata.namespace, pod.metadata.name);
    if (current) deletePod(this.store, current);
    announce(this.store, job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, COMPONENT);
  }

  /** The job-tracking finalizer comes off a counted pod; an unscheduled one then goes at once. */
  private untrack(pod: KubeObject): void {
    const current = this.store.get('Pod', pod.metadata.namespace, pod.metadata.name);
    if (!current || !hasTracking(current)) return;
    const meta = current.metadata as KubeObject['metadata'] & { finalizers?: string[] };
    meta.finalizers = (meta.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    if (meta.finalizers.length === 0) delete meta.finalizers;
    const written = writeObject(this.store, 'Pod', current);
    if (written.metadata.deletionTimestamp && !written.spec?.nodeName && !meta.finalizers)
      this.store.remove('Pod', meta.namespace, meta.name);
  }

  /** Pods whose Job is gone keep no finalizer (the Job controller's orphan cleanup). */
  private releaseOrphans(): void {
    for (const pod of this.store.list('Pod')) {
      if (!hasTracking(pod)) continue;
      const ref = controllerRefOf(pod);
      const job = ref ? this.store.get('Job', pod.metadata.namespace, ref.name) : undefined;
      if (!job || job.metadata.uid !== ref?.uid) this.untrack(pod);
    }
  }

  private noteFailure(uid: string, pod: KubeObject): void {
    const finished = (
      (pod.status?.containerStatuses ?? []) as { state?: { terminated?: { finishedAt?: string } } }[]
    )
      .map((s) => millis(s.state?.terminated?.finishedAt))
      .reduce((a, b) => Math.max(a, b), 0);
    const record = this.backoff.get(uid) ?? { failures: 0, last: 0 };
    this.backoff.set(uid, {
      failures: record.failures + 1,
      last: Math.max(record.last, finished || Date.now()),
    });
  }

  private backoffRemaining(uid: string): number {
    const record = this.backoff.get(uid);
    if (!record || record.failures === 0) return 0;
    const base = this.settings.podFailureBackoffMs ?? 10_000;
    const delay = Math.min(
      base * 2 ** (record.failures - 1),
      this.settings.maxPodFailureBackoffMs ?? 600_000,
    );
    return record.last + delay - Date.now();
  }
}
