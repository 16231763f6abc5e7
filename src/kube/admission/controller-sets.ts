import { matchesLabels, selectorFromObject } from '../selectors.js';
import { type FieldErrors, GoLiteral, goIntOrString, goLabelSelector, goStringMap } from './field-errors.js';
import { validateLabels } from './meta.js';
import { defaultPodTemplate } from './pod-defaults.js';
import { validatePodTemplate } from './pod-validation.js';
import { type KindRules, nonNegative, type Obj, same } from './rules.js';

/**
 * ReplicationControllers (pkg/apis/core/validation), DaemonSets and StatefulSets
 * (pkg/apis/apps/validation): their v1 defaults, the strategies' create and update steps, and
 * validation in the same order and words as the API server.
 */
const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';
const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** The pod template's restart policy and deadline, as every long-running controller checks them. */
function validateRunsForever(spec: Obj, kindWord: string, errors: FieldErrors): void {
  const policy = spec.template?.spec?.restartPolicy;
  if (policy !== undefined && policy !== 'Always')
    errors.notSupported('spec.template.spec.restartPolicy', policy, ['Always']);
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined)
    errors.forbidden(
      'spec.template.spec.activeDeadlineSeconds',
      `activeDeadlineSeconds in ${kindWord} is not Supported`,
    );
}

const templateLabels = (spec: Obj) => new GoLiteral(goStringMap(spec.template?.metadata?.labels));

export const replicationControllerRules: KindRules = {
  defaults(rc) {
    rc.spec ??= {};
    const spec = rc.spec;
    const labels = spec.template?.metadata?.labels;
    if (labels && typeof labels === 'object') {
      if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
      if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
    }
    spec.replicas ??= 1;
    defaultPodTemplate(spec.template);
  },
  prepareCreate(rc) {
    rc.status = { replicas: 0 };
  },
  validate(rc, errors) {
    const spec = rc.spec ?? {};
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errors);
    const selector: Record<string, string> = spec.selector ?? {};
    const hasSelector = Object.keys(selector).length > 0;
    if (!hasSelector) errors.required('spec.selector');
    nonNegative(spec.replicas, 'spec.replicas', errors);
    if (!spec.template) {
      errors.required('spec.template');
      return;
    }
    if (
      hasSelector &&
      !matchesLabels(selectorFromObject({ matchLabels: selector }), spec.template.metadata?.labels)
    )
      errors.invalid('spec.template.metadata.labels', templateLabels(spec), SELECTOR_MISMATCH);
    validatePodTemplate(spec.template, 'spec.template', errors);
    validateRunsForever(spec, 'ReplicationController', errors);
  },
};

/** A LabelSelector's checks shared by DaemonSets and StatefulSets; whether it selects the template. */
function selectsTemplate(spec: Obj): boolean {
  // A missing selector converts to one that matches nothing; an empty one to one that matches all.
  if (!spec.selector) return false;
  return matchesLabels(selectorFromObject(spec.selector), spec.template?.metadata?.labels ?? {});
}

const isEmptySelector = (selector: Obj | undefined) =>
  !!selector &&
  Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;

/** intstr values of maxUnavailable/maxSurge: checked, and read as a number (percent or count). */
function intOrPercent(value: unknown, path: string, errors: FieldErrors): number {
  if (typeof value === 'string') {
    if (!/^[0-9]+%$/.test(value)) {
      errors.invalid(
        path,
        goIntOrString(value),
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      );
      return 0;
    }
    const percent = Number(value.slice(0, -1));
    if (percent > 100) errors.invalid(path, goIntOrString(value), 'must not be greater than 100%');
    return percent;
  }
  if (typeof value === 'number') {
    if (value < 0) errors.invalid(path, value, 'must be greater than or equal to 0');
    return value;
  }
  return 0;
}

function goDaemonSetStrategy(strategy: Obj): GoLiteral {
  const rolling = strategy.rollingUpdate
    ? '(*apps.RollingUpdateDaemonSet)(0xc000000000)'
    : '(*apps.RollingUpdateDaemonSet)(nil)';
  return new GoLiteral(
    `apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(strategy.type ?? '')}, RollingUpdate:${rolling}}`,
  );
}

export const daemonSetRules: KindRules = {
  defaults(ds) {
    ds.spec ??= {};
    const spec = ds.spec;
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultPodTemplate(spec.template);
  },
  prepareCreate(ds) {
    ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: '1' };
    ds.status = {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    };
  },
  prepareUpdate(ds, old) {
    // The template generation is the server's: it follows the template, whatever the client sent.
    const before = Number(old.metadata?.annotations?.[TEMPLATE_GENERATION] ?? 1) || 1;
    const next = same(ds.spec?.template, old.spec?.template) ? before : before + 1;
    ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(next) };
  },
  validate(ds, errors) {
    const spec = ds.spec ?? {};
    if (!selectsTemplate(spec))
      errors.invalid('spec.template.metadata.labels', templateLabels(spec), SELECTOR_MISMATCH);
    if (isEmptySelector(spec.selector))
      errors.invalid(
        'spec.selector',
        goLabelSelector(spec.selector),
        'empty selector is invalid for daemonset',
      );
    validatePodTemplate(spec.template, 'spec.template', errors);
    validateRunsForever(spec, 'DaemonSet', errors);
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errors);
    const strategy = spec.updateStrategy ?? {};
    if (strategy.type === 'RollingUpdate') {
      const rolling = strategy.rollingUpdate;
      if (!rolling) errors.required('spec.updateStrategy.rollingUpdate');
      else {
        const at = 'spec.updateStrategy.rollingUpdate';
        const unavailable = intOrPercent(rolling.maxUnavailable, `${at}.maxUnavailable`, errors);
        const surge = intOrPercent(rolling.maxSurge, `${at}.maxSurge`, errors);
        if (unavailable !== 0 && surge !== 0)
          errors.invalid(
            `${at}.maxSurge`,
            goIntOrString(rolling.maxSurge),
            'may not be set when maxUnavailable is non-zero',
          );
        else if (unavailable === 0 && surge === 0)
          errors.required(`${at}.maxUnavailable`, 'cannot be 0 when maxSurge is 0');
      }
    } else if (strategy.type !== 'OnDelete')
      errors.notSupported('spec.updateStrategy', goDaemonSetStrategy(strategy), [
        'RollingUpdate',
        'OnDelete',
      ]);
    nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
  },
  validateUpdate(ds, old, errors) {
    if (!same(ds.spec?.selector, old.spec?.selector))
      errors.immutable('spec.selector', goLabelSelector(ds.spec?.selector));
  },
};

const RETENTION = ['Retain', 'Delete'];

export const statefulSetRules: KindRules = {
  defaults(sts) {
    sts.spec ??= {};
    const spec = sts.spec;
    if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
    if (!spec.updateStrategy?.type) {
      spec.updateStrategy = { ...(spec.updateStrategy ?? {}), type: 'RollingUpdate' };
      spec.updateStrategy.rollingUpdate ??= {};
    }
    if (spec.updateStrategy.type === 'RollingUpdate' && spec.updateStrategy.rollingUpdate)
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    spec.persistentVolumeClaimRetentionPolicy ??= {};
    spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
    spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    defaultPodTemplate(spec.template);
    for (const claim of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
      if (!claim || typeof claim !== 'object') continue;
      claim.apiVersion ??= 'v1';
      claim.kind ??= 'PersistentVolumeClaim';
      claim.spec ??= {};
      claim.spec.volumeMode ??= 'Filesystem';
      claim.status ??= {};
      claim.status.phase ??= 'Pending';
    }
  },
  prepareCreate(sts) {
    sts.status = { replicas: 0, availableReplicas: 0 };
  },
  validate(sts, errors) {
    const spec = sts.spec ?? {};
    const policy = spec.podManagementPolicy;
    if (policy !== 'OrderedReady' && policy !== 'Parallel')
      errors.invalid('spec.podManagementPolicy', policy ?? '', "must be 'OrderedReady' or 'Parallel'");
    validateStatefulSetStrategy(spec.updateStrategy ?? {}, errors);
    const retention = spec.persistentVolumeClaimRetentionPolicy;
    if (retention)
      for (const field of ['whenDeleted', 'whenScaled'])
        if (!RETENTION.includes(retention[field]))
          errors.notSupported(
            `spec.persistentVolumeClaimRetentionPolicy.${field}`,
            retention[field] ?? '',
            RETENTION,
          );
    nonNegative(spec.replicas, 'spec.replicas', errors);
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errors);
    if (spec.ordinals) nonNegative(spec.ordinals.start, 'spec.ordinals.start', errors);
    if (!spec.selector) errors.required('spec.selector');
    else if (isEmptySelector(spec.selector))
      errors.invalid(
        'spec.selector',
        goLabelSelector(spec.selector),
        'empty selector is invalid for statefulset',
      );
    // The API server checks the template's labels and annotations only: its volumes may name claims.
    if (!isEmptySelector(spec.selector) && !selectsTemplate(spec))
      errors.invalid('spec.template.metadata.labels', templateLabels(spec), SELECTOR_MISMATCH);
    validateLabels(spec.template?.metadata?.labels, 'spec.template.labels', errors);
    validateRunsForever(spec, 'StatefulSet', errors);
  },
  validateUpdate(sts, old, errors) {
    const fixed = (spec: Obj | undefined) => {
      const copy = structuredClone(spec ?? {});
      for (const field of [
        'replicas',
        'template',
        'updateStrategy',
        'minReadySeconds',
        'ordinals',
        'persistentVolumeClaimRetentionPolicy',
      ])
        delete copy[field];
      return copy;
    };
    if (!same(fixed(sts.spec), fixed(old.spec)))
      errors.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      );
  },
};

function validateStatefulSetStrategy(strategy: Obj, errors: FieldErrors): void {
  const rolling = strategy.rollingUpdate;
  const goRolling = () =>
    new GoLiteral(
      `apps.RollingUpdateStatefulSetStrategy{Partition:${Number(rolling?.partition ?? 0)}, MaxUnavailable:(*intstr.IntOrString)(${rolling?.maxUnavailable === undefined ? 'nil' : '0xc000000000'})}`,
    );
  switch (strategy.type) {
    case 'OnDelete':
      if (rolling)
        errors.invalid(
          'spec.updateStrategy.rollingUpdate',
          goRolling(),
          "only allowed for updateStrategy 'RollingUpdate'",
        );
      return;
    case 'RollingUpdate': {
      if (!rolling) return;
      nonNegative(rolling.partition, 'spec.updateStrategy.rollingUpdate.partition', errors);
      if (rolling.maxUnavailable !== undefined) {
        const at = 'spec.updateStrategy.rollingUpdate.maxUnavailable';
        if (intOrPercent(rolling.maxUnavailable, at, errors) === 0)
          errors.invalid(at, goIntOrString(rolling.maxUnavailable), 'cannot be 0');
      }
      return;
    }
    default: {
      const pointer = rolling
        ? '(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)'
        : '(*apps.RollingUpdateStatefulSetStrategy)(nil)';
      errors.invalid(
        'spec.updateStrategy',
        new GoLiteral(
          `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(strategy.type ?? '')}, RollingUpdate:${pointer}}`,
        ),
        "must be 'RollingUpdate' or 'OnDelete'",
      );
    }
  }
}
