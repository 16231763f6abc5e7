import { matchesLabels, selectorFromObject } from '../selectors.js';
import { validateCronSchedule } from './cron.js';
import { type FieldErrors, GoLiteral, goIntOrString, goLabelSelector, goStringMap } from './field-errors.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { validatePodTemplate } from './pod-validation.js';
import { type KindRules, nonNegative, type Obj, same } from './rules.js';

/** Deployments, ReplicaSets, Jobs and CronJobs: defaults, generated selectors, validation. */

function validateSelectorAndTemplate(spec: Obj, kindWord: string, errors: FieldErrors): void {
  const selector = spec.selector;
  if (!selector) errors.required('spec.selector');
  else if (Object.keys(selector.matchLabels ?? {}).length === 0 && !selector.matchExpressions?.length)
    errors.invalid('spec.selector', goLabelSelector(selector), `empty selector is invalid for ${kindWord}`);
  const labels = spec.template?.metadata?.labels;
  // No selector converts to one that matches nothing (labels.Nothing()), so the API server also
  // reports the template's labels as not matching it.
  if (!selector || !matchesLabels(selectorFromObject(selector), labels ?? {}))
    errors.invalid(
      'spec.template.metadata.labels',
      new GoLiteral(goStringMap(labels)),
      '`selector` does not match template `labels`',
    );
}

function validateAlwaysRestart(spec: Obj, errors: FieldErrors): void {
  const policy = spec.template?.spec?.restartPolicy;
  if (policy !== undefined && policy !== 'Always')
    errors.notSupported('spec.template.spec.restartPolicy', policy, ['Always']);
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined)
    errors.forbidden(
      'spec.template.spec.activeDeadlineSeconds',
      'activeDeadlineSeconds in ReplicaSet is not Supported',
    );
}

function validatePercentOrInt(value: unknown, path: string, errors: FieldErrors): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    nonNegative(value, path, errors);
    return value;
  }
  if (typeof value === 'string') {
    if (!/^[0-9]+%$/.test(value)) {
      errors.invalid(
        path,
        value,
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      );
      return undefined;
    }
    return Number(value.slice(0, -1));
  }
  return undefined;
}

export const deploymentRules: KindRules = {
  defaults(d) {
    d.spec ??= {};
    const spec = d.spec;
    spec.replicas ??= 1;
    spec.strategy ??= {};
    spec.strategy.type ??= 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultPodTemplate(spec.template);
  },
  prepareCreate(d) {
    d.status = {};
  },
  validate(d, errors) {
    const spec = d.spec ?? {};
    nonNegative(spec.replicas, 'spec.replicas', errors);
    validateSelectorAndTemplate(spec, 'deployment', errors);
    validatePodTemplate(spec.template, 'spec.template', errors);
    validateAlwaysRestart(spec, errors);
    const strategy = spec.strategy ?? {};
    if (strategy.type !== 'RollingUpdate' && strategy.type !== 'Recreate')
      errors.notSupported('spec.strategy.type', strategy.type ?? '', ['Recreate', 'RollingUpdate']);
    if (strategy.type === 'Recreate' && strategy.rollingUpdate)
      errors.forbidden(
        'spec.strategy.rollingUpdate',
        "may not be specified when strategy `type` is 'Recreate'",
      );
    if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) {
      const r = strategy.rollingUpdate;
      const surge = validatePercentOrInt(r.maxSurge, 'spec.strategy.rollingUpdate.maxSurge', errors);
      const unavailable = validatePercentOrInt(
        r.maxUnavailable,
        'spec.strategy.rollingUpdate.maxUnavailable',
        errors,
      );
      if (typeof r.maxUnavailable === 'string' && unavailable !== undefined && unavailable > 100)
        errors.invalid(
          'spec.strategy.rollingUpdate.maxUnavailable',
          r.maxUnavailable,
          'must not be greater than 100%',
        );
      if (surge === 0 && unavailable === 0)
        errors.invalid(
          'spec.strategy.rollingUpdate.maxUnavailable',
          goIntOrString(r.maxUnavailable),
          'may not be 0 when maxSurge is 0',
        );
    }
    nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errors);
    if (
      typeof spec.progressDeadlineSeconds === 'number' &&
      spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)
    )
      errors.invalid(
        'spec.progressDeadlineSeconds',
        spec.progressDeadlineSeconds,
        'must be greater than minReadySeconds',
      );
  },
  validateUpdate(d, old, errors) {
    if (!same(d.spec?.selector, old.spec?.selector))
      errors.immutable('spec.selector', goLabelSelector(d.spec?.selector));
  },
};

export const replicaSetRules: KindRules = {
  defaults(rs) {
    rs.spec ??= {};
    rs.spec.replicas ??= 1;
    defaultPodTemplate(rs.spec.template);
  },
  prepareCreate(rs) {
    rs.status = { replicas: 0 };
  },
  validate(rs, errors) {
    const spec = rs.spec ?? {};
    nonNegative(spec.replicas, 'spec.replicas', errors);
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errors);
    validateSelectorAndTemplate(spec, 'deployment', errors);
    if (spec.template) {
      validatePodTemplate(spec.template, 'spec.template', errors);
      validateAlwaysRestart(spec, errors);
    }
  },
  validateUpdate(rs, old, errors) {
    if (!same(rs.spec?.selector, old.spec?.selector))
      errors.immutable('spec.selector', goLabelSelector(rs.spec?.selector));
  },
};

const JOB_RESTART = ['OnFailure', 'Never'];

function validateJobTemplateRestart(template: Obj | undefined, path: string, errors: FieldErrors): void {
  const policy = template?.spec?.restartPolicy;
  if (policy !== undefined && !JOB_RESTART.includes(policy)) errors.notSupported(path, policy, JOB_RESTART);
}

function validateJobSpec(spec: Obj, errors: FieldErrors, prefix = 'spec'): void {
  nonNegative(spec.parallelism, `${prefix}.parallelism`, errors);
  nonNegative(spec.completions, `${prefix}.completions`, errors);
  nonNegative(spec.backoffLimit, `${prefix}.backoffLimit`, errors);
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0)
    errors.invalid(`${prefix}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0');
  nonNegative(spec.ttlSecondsAfterFinished, `${prefix}.ttlSecondsAfterFinished`, errors);
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode))
    errors.notSupported(`${prefix}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']);
  if (spec.completionMode === 'Indexed' && spec.completions === undefined)
    errors.required(`${prefix}.completions`, 'when completion mode is Indexed');
  validatePodTemplate(spec.template, `${prefix}.template`, errors);
  validateJobTemplateRestart(spec.template, `${prefix}.template.spec.restartPolicy`, errors);
}

const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';

export const jobRules: KindRules = {
  defaults(job) {
    job.spec ??= {};
    const spec = job.spec;
    if (spec.completions === undefined && spec.parallelism === undefined) {
      spec.completions = 1;
      spec.parallelism = 1;
    }
    spec.parallelism ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
    defaultPodTemplate(spec.template);
  },
  prepareCreate(job) {
    const spec = job.spec;
    if (spec.manualSelector !== true) {
      const uid = job.metadata.uid;
      spec.template ??= {};
      const template = spec.template;
      template.metadata ??= {};
      const labels = template.metadata.labels ?? {};
      template.metadata.labels = labels;
      labels[CONTROLLER_UID] ??= uid;
      labels['batch.kubernetes.io/job-name'] ??= job.metadata.name;
      labels['controller-uid'] ??= uid;
      labels['job-name'] ??= job.metadata.name;
      spec.selector ??= {};
      spec.selector.matchLabels ??= {};
      spec.selector.matchLabels[CONTROLLER_UID] ??= uid;
    }
    if (Object.keys(job.metadata.labels ?? {}).length === 0 && spec.template?.metadata?.labels)
      job.metadata.labels = { ...spec.template.metadata.labels };
    job.status = {};
  },
  validate(job, errors) {
    const spec = job.spec ?? {};
    if (spec.manualSelector !== true) {
      const expected = { matchLabels: { [CONTROLLER_UID]: job.metadata.uid } };
      if (spec.selector && !same(spec.selector, expected))
        errors.invalid('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated');
    } else validateSelectorAndTemplate(spec, 'job', errors);
    validateJobSpec(spec, errors);
  },
  validateUpdate(job, old, errors) {
    const spec = job.spec ?? {};
    const before = old.spec ?? {};
    if (!same(spec.selector, before.selector))
      errors.immutable('spec.selector', goLabelSelector(spec.selector));
    if (!same(spec.template, before.template) && !(before.suspend === true))
      errors.immutable('spec.template', new GoLiteral('core.PodTemplateSpec{...}'));
    if (spec.completions !== before.completions)
      errors.immutable('spec.completions', spec.completions ?? null);
    if (spec.completionMode !== before.completionMode)
      errors.immutable('spec.completionMode', spec.completionMode);
  },
};

export const cronJobRules: KindRules = {
  defaults(cj) {
    cj.spec ??= {};
    const spec = cj.spec;
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    spec.jobTemplate ??= {};
    spec.jobTemplate.spec ??= {};
    defaultPodTemplate(spec.jobTemplate.spec.template);
  },
  prepareCreate(cj) {
    cj.status = {};
  },
  validate(cj, errors) {
    const spec = cj.spec ?? {};
    const name = cj.metadata.name ?? '';
    if (name.length > 52) errors.invalid('metadata.name', name, 'must be no more than 52 characters');
    if (!spec.schedule) errors.required('spec.schedule');
    else {
      const problem = validateCronSchedule(spec.schedule);
      if (problem) errors.invalid('spec.schedule', spec.schedule, problem);
    }
    if (spec.timeZone !== undefined && spec.timeZone !== null) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: spec.timeZone });
      } catch {
        errors.invalid('spec.timeZone', spec.timeZone, `unknown time zone ${spec.timeZone}`);
      }
    }
    if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy))
      errors.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy ?? '', [
        'Allow',
        'Forbid',
        'Replace',
      ]);
    nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds', errors);
    nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit', errors);
    nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit', errors);
    validateJobSpec(spec.jobTemplate?.spec ?? {}, errors, 'spec.jobTemplate.spec');
  },
};
