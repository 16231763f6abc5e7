import {
  condition,
  isOwnedBy,
  isPodReady,
  KINDS,
  type KubeObject,
  labelsMatch,
  matchesSelector,
  type Snapshot,
  selectorOf,
} from '../kube/objects.js';
import { oneAutoscaler, replicas } from './autoscalers.js';
import { parseSamples, sumSamples } from './prometheus.js';
import type { ObjectCheck, ProbeCheck } from './reads.js';
import type { Check } from './schema.js';

export { isObjectCheck, kindsRead, type ObjectCheck, type ProbeCheck } from './reads.js';

import { describeExpectation, evaluateCount, evaluateField, show } from './values.js';

/**
 * A check is a pure function from what was read of the cluster to a verdict. The message says
 * what was expected and what was found, in the learner's words.
 */
export interface Verdict {
  passed: boolean;
  message: string;
}

/** What a non-object check read from the cluster (the object checks read the Snapshot). */
export type Probe =
  | { type: 'http'; status?: number; body: string; error?: string }
  | { type: 'metric'; pods: { name: string; text?: string; error?: string }[] }
  | { type: 'logs'; text?: string; error?: string }
  | { type: 'file'; names?: string[]; error?: string };

const pass = (message: string): Verdict => ({ passed: true, message });
const fail = (message: string): Verdict => ({ passed: false, message });

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function missing(kind: string, name: string, snapshot: Snapshot): Verdict {
  const where = KINDS[kind]?.namespaced === false ? '' : ` in namespace ${snapshot.namespace}`;
  return fail(`No ${kind} ${name}${where}.`);
}

/**
 * `passedAt`: when each step of the exercise passed (step id -> ISO time), for the checks that
 * count only what happened since; `stepTitles` (step id -> title) names such a step to the learner.
 */
export function evaluateObjectCheck(
  check: ObjectCheck,
  snapshot: Snapshot,
  passedAt: Readonly<Record<string, string>> = {},
  stepTitles: Readonly<Record<string, string>> = {},
): Verdict {
  switch (check.type) {
    case 'exists': {
      const object = snapshot.get(check.kind, check.name);
      if (!object) return missing(check.kind, check.name, snapshot);
      if (object.metadata.deletionTimestamp) return fail(`${check.kind} ${check.name} is being deleted.`);
      return pass(`${check.kind} ${check.name} exists.`);
    }
    case 'absent': {
      const object = snapshot.get(check.kind, check.name);
      if (object && !object.metadata.deletionTimestamp)
        return fail(`${check.kind} ${check.name} still exists; expected it gone.`);
      return pass(`${check.kind} ${check.name} is gone.`);
    }
    case 'fields': {
      const object = snapshot.get(check.kind, check.name);
      if (!object) return missing(check.kind, check.name, snapshot);
      const found: string[] = [];
      const failures: string[] = [];
      for (const field of check.fields) {
        const outcome = evaluateField(object, field);
        const said = field.as
          ? named(check.name, outcome.found, field.as)
          : `${check.name}: ${field.path} is ${outcome.found}`;
        if (outcome.passed) found.push(said);
        else failures.push(`${said}; expected ${outcome.expected}`);
      }
      return failures.length === 0 ? pass(`${found.join('; ')}.`) : fail(`${failures.join('; ')}.`);
    }
    case 'count': {
      const since = check.since === undefined ? undefined : passedAt[check.since];
      if (check.since !== undefined && since === undefined)
        return fail(
          `This counts only what happens after the step "${stepTitles[check.since] ?? check.since}" has passed; check that step first.`,
        );
      const counted = snapshot
        .all(check.kind)
        .filter((o) => !o.metadata.deletionTimestamp)
        .filter((o) => since === undefined || happenedSince(o, since))
        .filter((o) => matchesSelector(o.metadata.labels, check.selector))
        .filter((o) => !check.ready || isPodReady(o))
        .filter((o) => (check.where ?? []).every((field) => evaluateField(o, field).passed));
      const outcome = evaluateCount(counted.length, check.expect);
      const what =
        check.as ??
        `${check.ready ? 'ready ' : ''}${check.kind}s${check.selector ? ` with ${check.selector}` : ''}`;
      const names =
        counted.length > 0 && counted.length <= 6
          ? ` (${counted.map((o) => o.metadata.name).join(', ')})`
          : '';
      return outcome.passed
        ? pass(`${outcome.found} ${what}${names}.`)
        : fail(`${outcome.found} ${what}${names}; expected ${outcome.expected}.`);
    }
    case 'rolledOut': {
      const deployment = snapshot.get('Deployment', check.deployment);
      if (!deployment) return missing('Deployment', check.deployment, snapshot);
      return rolloutStatus(deployment);
    }
    case 'jobComplete':
      return jobComplete(check, snapshot);
    case 'rolloutHistory':
      return rolloutHistory(check, snapshot);
    case 'replicas':
      return replicas(check, snapshot);
    case 'oneAutoscaler':
      return oneAutoscaler(check, snapshot);
    case 'endpoints':
      return endpoints(check, snapshot);
  }
}

/**
 * The rule of `kubectl rollout status` (DeploymentStatusViewer), word for word: the new spec has
 * been observed, every replica is updated, no old replica is left, every updated one is available.
 */
export function rolloutStatus(deployment: KubeObject): Verdict {
  const name = deployment.metadata.name;
  const status = deployment.status ?? {};
  const generation = deployment.metadata.generation ?? 0;
  const observed = status.observedGeneration ?? 0;
  if (generation > observed) return fail(`Waiting for deployment "${name}" spec update to be observed.`);
  const progressing = condition(deployment, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return fail(`deployment "${name}" exceeded its progress deadline.`);
  const wanted: number | undefined = deployment.spec?.replicas ?? 1;
  const updated: number = status.updatedReplicas ?? 0;
  const replicas: number = status.replicas ?? 0;
  const available: number = status.availableReplicas ?? 0;
  if (wanted !== undefined && updated < wanted)
    return fail(
      `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${wanted} new replicas have been updated.`,
    );
  if (replicas > updated)
    return fail(
      `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination.`,
    );
  if (available < updated)
    return fail(
      `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available.`,
    );
  return pass(`deployment "${name}" successfully rolled out (${plural(available, 'available replica')}).`);
}

function createdFrom(job: KubeObject, cronJob: string, snapshot: Snapshot): boolean {
  const owner = snapshot.get('CronJob', cronJob);
  return (job.metadata.ownerReferences ?? []).some(
    (ref) =>
      ref.kind === 'CronJob' &&
      ref.name === cronJob &&
      (!owner?.metadata.uid || !ref.uid || ref.uid === owner.metadata.uid),
  );
}

const isManual = (job: KubeObject) =>
  job.metadata.annotations?.['cronjob.kubernetes.io/instantiate'] === 'manual';

function jobState(job: KubeObject): 'complete' | 'failed' | 'running' {
  if (
    condition(job, 'Complete')?.status === 'True' ||
    condition(job, 'SuccessCriteriaMet')?.status === 'True'
  )
    return 'complete';
  if (condition(job, 'Failed')?.status === 'True') return 'failed';
  return 'running';
}

function jobComplete(check: Extract<Check, { type: 'jobComplete' }>, snapshot: Snapshot): Verdict {
  const jobs = snapshot.all('Job').filter((j) => !check.name || j.metadata.name === check.name);
  const label = check.name
    ? `Job ${check.name}`
    : check.fromCronJob
      ? `a Job from CronJob ${check.fromCronJob}`
      : 'a Job';
  if (jobs.length === 0) {
    return fail(
      check.name
        ? `No Job ${check.name} in namespace ${snapshot.namespace}.`
        : `No Job in namespace ${snapshot.namespace}${check.fromCronJob ? ` created from CronJob ${check.fromCronJob}` : ''}.`,
    );
  }
  const eligible = jobs.filter(
    (j) =>
      (!check.fromCronJob || createdFrom(j, check.fromCronJob, snapshot)) && (!check.manual || isManual(j)),
  );
  if (eligible.length === 0) {
    const job = jobs[0]!;
    if (check.fromCronJob && !createdFrom(job, check.fromCronJob, snapshot))
      return fail(
        `Job ${job.metadata.name} was not created from CronJob ${check.fromCronJob} (it has no owner reference to it); create it with kubectl create job --from=cronjob/${check.fromCronJob}.`,
      );
    return fail(
      `Job ${job.metadata.name} was started by the CronJob's schedule, not by hand (no cronjob.kubernetes.io/instantiate: manual annotation).`,
    );
  }
  const done = eligible.find((j) => jobState(j) === 'complete');
  if (done) {
    const succeeded = done.status?.succeeded ?? 0;
    return pass(`Job ${done.metadata.name} completed (${plural(succeeded, 'succeeded pod')}).`);
  }
  const failed = eligible.find((j) => jobState(j) === 'failed');
  if (failed) {
    const why = condition(failed, 'Failed');
    return fail(
      `Job ${failed.metadata.name} failed${why?.reason ? ` (${why.reason}${why.message ? `: ${why.message}` : ''})` : ''}.`,
    );
  }
  const running = eligible[0]!;
  const completions = running.spec?.completions ?? 1;
  return fail(
    `${label === 'a Job' ? `Job ${running.metadata.name}` : label} is still running: ${running.status?.succeeded ?? 0} of ${completions} completions, ${running.status?.active ?? 0} active.`,
  );
}

interface Revision {
  revision: number;
  image: string;
  name: string;
}

/** The Deployment's ReplicaSets as `kubectl rollout history` lists them: revision and image. */
export function revisions(deployment: KubeObject, snapshot: Snapshot, container?: string): Revision[] {
  const selector = selectorOf(deployment);
  return snapshot
    .all('ReplicaSet')
    .filter(
      (rs) =>
        isOwnedBy(rs, deployment) ||
        (!rs.metadata.ownerReferences && labelsMatch(rs.metadata.labels, selector)),
    )
    .map((rs) => {
      const containers = (rs.spec?.template?.spec?.containers ?? []) as { name: string; image: string }[];
      const chosen = container ? containers.find((c) => c.name === container) : containers[0];
      return {
        revision: Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0),
        image: chosen?.image ?? 'none',
        name: rs.metadata.name,
      };
    })
    .filter((r) => r.revision > 0)
    .sort((a, b) => a.revision - b.revision);
}

/**
 * Made, or (an event) last seen, at or after `since`. The API's times have whole seconds, so the
 * second in which the step passed counts too.
 */
function happenedSince(object: KubeObject, since: string): boolean {
  const from = Math.floor(Date.parse(since) / 1000) * 1000;
  const times = [object.metadata.creationTimestamp, object.lastTimestamp, object.eventTime]
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t));
  return times.some((t) => t >= from);
}

/**
 * A field said the way the learner would: a count as "churn-api has 4 ready replicas", any other
 * value as "churn-batch-score's suspend is false", nothing as "manual-batch has no owner CronJob".
 */
function named(name: string, found: string, as: string): string {
  if (found === 'none') return `${name} has no ${as}`;
  if (/^-?\d+(\.\d+)?$/.test(found)) return `${name} has ${found} ${as}`;
  return `${name}'s ${as} is ${found}`;
}

function rolloutHistory(check: Extract<Check, { type: 'rolloutHistory' }>, snapshot: Snapshot): Verdict {
  const deployment = snapshot.get('Deployment', check.deployment);
  if (!deployment) return missing('Deployment', check.deployment, snapshot);
  const history = revisions(deployment, snapshot, check.container);
  const listing =
    history.length > 0 ? history.map((r) => `${r.revision}: ${r.image}`).join(', ') : 'no revisions';
  const newest = history.at(-1);
  if (!newest) return fail(`Deployment ${check.deployment} has no revisions yet.`);
  if (check.minRevisions !== undefined && history.length < check.minRevisions)
    return fail(
      `Deployment ${check.deployment} has ${plural(history.length, 'revision')} (${listing}); expected at least ${check.minRevisions}.`,
    );
  if (check.current !== undefined && newest.image !== check.current) {
    // `rollout undo` goes back one revision. When that one does not run the image either (a typo
    // rolled out on the way), say which revision does.
    const wanted = history.findLast((r) => r.image === check.current);
    const previous = history.at(-2);
    const way =
      wanted && previous && previous.image !== check.current
        ? ` Revision ${wanted.revision} runs it: \`kubectl rollout undo deployment/${check.deployment} -n ${snapshot.namespace} --to-revision=${wanted.revision}\` goes back to it (a plain undo goes back one revision only, to ${previous.image}).`
        : '';
    return fail(
      `Deployment ${check.deployment} runs ${newest.image} at revision ${newest.revision}; expected ${check.current} (history: ${listing}).${way}`,
    );
  }
  for (const image of check.earlier ?? []) {
    if (!history.some((r) => r.image === image && r.revision < newest.revision))
      return fail(
        `No revision of ${check.deployment} before revision ${newest.revision} ran ${image} (history: ${listing}).`,
      );
  }
  return pass(`Rollout history of ${check.deployment}: ${listing}.`);
}

function endpoints(check: Extract<Check, { type: 'endpoints' }>, snapshot: Snapshot): Verdict {
  let ready = 0;
  let notReady = 0;
  const slices = snapshot
    .all('EndpointSlice')
    .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === check.service);
  for (const slice of slices) {
    for (const endpoint of (slice.endpoints ?? []) as { conditions?: { ready?: boolean } }[]) {
      // A nil ready condition means "unknown", which consumers treat as ready (EndpointConditions docs).
      if (endpoint.conditions?.ready === false) notReady++;
      else ready++;
    }
  }
  const parts: string[] = [];
  let passed = true;
  if (check.ready) {
    const outcome = evaluateCount(ready, check.ready);
    passed &&= outcome.passed;
    parts.push(
      outcome.passed
        ? `${plural(ready, 'ready endpoint')}`
        : `${plural(ready, 'ready endpoint')}; expected ${outcome.expected}`,
    );
  }
  if (check.notReady) {
    const outcome = evaluateCount(notReady, check.notReady);
    passed &&= outcome.passed;
    parts.push(
      outcome.passed
        ? `${notReady} not ready`
        : `${plural(notReady, 'endpoint')} not ready; expected ${outcome.expected}`,
    );
  }
  if (slices.length === 0 && !passed)
    return fail(
      `Service ${check.service} has no endpoints (no EndpointSlice); expected ${describeExpectation(check.ready ?? {})} ready.`,
    );
  return { passed, message: `Service ${check.service} has ${parts.join(', ')}.` };
}

// ---------------------------------------------------------------------------------------------

export function evaluateProbeCheck(check: ProbeCheck, probe: Probe | undefined): Verdict {
  if (!probe || probe.type !== check.type) return fail('This check was not run.');
  switch (check.type) {
    case 'http': {
      const p = probe as Extract<Probe, { type: 'http' }>;
      const request = `${check.method} ${check.path} on Service ${check.service}`;
      if (p.status === undefined) return fail(`${request} got no answer: ${p.error ?? 'unknown error'}.`);
      const body = p.body.trim();
      const excerpt = body.length > 160 ? `${body.slice(0, 160)}…` : body;
      if (check.expect.status !== undefined && p.status !== check.expect.status)
        return fail(
          `${request} answered ${p.status}${excerpt ? ` (${excerpt})` : ''}; expected ${check.expect.status}.`,
        );
      if (check.expect.contains !== undefined && !p.body.includes(check.expect.contains))
        return fail(`${request} answered without "${check.expect.contains}": ${excerpt || 'an empty body'}.`);
      if (check.expect.json) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(p.body);
        } catch {
          return fail(`${request} answered with a body that is not JSON: ${excerpt || 'an empty body'}.`);
        }
        for (const field of check.expect.json) {
          const outcome = evaluateField(parsed, field);
          if (!outcome.passed)
            return fail(
              `${request} answered ${field.as ?? field.path} = ${outcome.found}; expected ${outcome.expected}.`,
            );
        }
      }
      return pass(`${request} answered ${p.status}${excerpt ? `: ${excerpt}` : ''}.`);
    }
    case 'metric': {
      const p = probe as Extract<Probe, { type: 'metric' }>;
      const labelText = Object.entries(check.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const series = `${check.metric}${labelText ? `{${labelText}}` : ''}`;
      const what = check.as ?? series;
      if (p.pods.length === 0)
        return fail(`No running pod with ${check.selector} to read ${check.path} from.`);
      const read = p.pods.filter((pod) => pod.text !== undefined);
      if (read.length === 0)
        return fail(
          `Could not read ${check.path} from any pod with ${check.selector}: ${p.pods[0]?.error ?? 'no answer'}.`,
        );
      const total = read.reduce(
        (sum, pod) => sum + sumSamples(parseSamples(pod.text!), check.metric, check.labels),
        0,
      );
      const outcome = evaluateCount(total, check.expect);
      const across = `across ${plural(read.length, 'pod')}`;
      return outcome.passed
        ? pass(`${what}: ${show(total)} ${across}.`)
        : fail(`${what}: ${show(total)} ${across}; expected ${outcome.expected}.`);
    }
    case 'logs': {
      const p = probe as Extract<Probe, { type: 'logs' }>;
      if (p.text === undefined)
        return fail(`Could not read the logs of ${check.target}: ${p.error ?? 'no answer'}.`);
      const match = new RegExp(check.pattern, 'm').exec(p.text);
      if (match) return pass(`The logs of ${check.target} contain "${match[0]}".`);
      const last = p.text.trim().split('\n').at(-1)?.trim();
      return fail(
        `The logs of ${check.target} do not contain /${check.pattern}/${last ? ` (last line: ${last})` : ' (they are empty)'}.`,
      );
    }
    case 'file': {
      const p = probe as Extract<Probe, { type: 'file' }>;
      if (p.names === undefined)
        return fail(`Could not list ${check.directory} in ${check.target}: ${p.error ?? 'no answer'}.`);
      const pattern = new RegExp(check.pattern);
      const found = p.names.filter((n) => pattern.test(n));
      if (found.length > 0)
        return pass(
          `${check.directory} in ${check.target} holds ${found.slice(0, 3).join(', ')}${found.length > 3 ? ', …' : ''}.`,
        );
      return fail(
        `No file matching /${check.pattern}/ in ${check.directory} of ${check.target}${p.names.length ? ` (it holds ${p.names.slice(0, 5).join(', ')})` : ' (it is empty)'}.`,
      );
    }
  }
}
