import type { FieldErrors } from './field-errors.js';
import type { KindRules, Obj } from './rules.js';

/**
 * HorizontalPodAutoscalers, stored as autoscaling/v2: defaults (minReplicas 1, 80% CPU when no
 * metric is given, the behavior's missing rules), validation, and the conversion to and from
 * autoscaling/v1 that `kubectl autoscale` writes.
 */
const scaleUpDefaults = () => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
});
const scaleDownDefaults = () => ({
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
});

function fillRules(rules: Obj | undefined, defaults: Obj): Obj {
  if (!rules) return defaults;
  return {
    ...rules,
    stabilizationWindowSeconds: rules.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: rules.selectPolicy ?? defaults.selectPolicy,
    policies: rules.policies ?? defaults.policies,
  };
}

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const TARGET_TYPES = ['AverageValue', 'Utilization', 'Value'];

function validateMetric(metric: Obj, at: string, errors: FieldErrors): void {
  if (!metric?.type) {
    errors.required(`${at}.type`, 'must specify a metric source type');
    return;
  }
  if (!METRIC_TYPES.includes(metric.type)) {
    errors.notSupported(`${at}.type`, metric.type, METRIC_TYPES);
    return;
  }
  if (metric.type !== 'Resource' && metric.type !== 'ContainerResource') return;
  const field = metric.type === 'Resource' ? 'resource' : 'containerResource';
  const source = metric[field];
  if (!source) {
    errors.required(`${at}.${field}`, `must populate information for the given metric source`);
    return;
  }
  if (!source.name) errors.required(`${at}.${field}.name`, 'must specify a resource name');
  const target = source.target ?? {};
  if (!target.type) errors.required(`${at}.${field}.target.type`, 'must specify a metric target type');
  else if (!TARGET_TYPES.includes(target.type))
    errors.notSupported(`${at}.${field}.target.type`, target.type, TARGET_TYPES);
  else if (target.type === 'Utilization') {
    if (target.averageUtilization === undefined)
      errors.required(
        `${at}.${field}.target.averageUtilization`,
        'must set either a target raw value or a target utilization',
      );
    else if (target.averageUtilization <= 0)
      errors.invalid(
        `${at}.${field}.target.averageUtilization`,
        target.averageUtilization,
        'must be greater than 0',
      );
  } else if (target.type === 'AverageValue' && target.averageValue === undefined)
    errors.required(
      `${at}.${field}.target.averageValue`,
      'must set either a target raw value or a target utilization',
    );
}

export const hpaRules: KindRules = {
  defaults(hpa) {
    hpa.spec ??= {};
    const spec = hpa.spec;
    spec.minReplicas ??= 1;
    if (!spec.metrics || spec.metrics.length === 0) {
      spec.metrics = [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ];
    }
    if (spec.behavior) {
      spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, scaleUpDefaults());
      spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, scaleDownDefaults());
    }
  },
  prepareCreate(hpa) {
    hpa.status = { desiredReplicas: 0 };
  },
  validate(hpa, errors) {
    const spec = hpa.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    if (!ref.kind) errors.required('spec.scaleTargetRef.kind');
    if (!ref.name) errors.required('spec.scaleTargetRef.name');
    if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1)
      errors.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1');
    if (typeof spec.maxReplicas !== 'number' || spec.maxReplicas < 1)
      errors.invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0');
    else if (typeof spec.minReplicas === 'number' && spec.maxReplicas < spec.minReplicas)
      errors.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`');
    (spec.metrics ?? []).forEach((m: Obj, i: number) => {
      validateMetric(m, `spec.metrics[${i}]`, errors);
    });
    for (const direction of ['scaleUp', 'scaleDown']) {
      const rules = spec.behavior?.[direction];
      if (!rules) continue;
      const at = `spec.behavior.${direction}`;
      if (rules.stabilizationWindowSeconds < 0 || rules.stabilizationWindowSeconds > 3600)
        errors.invalid(
          `${at}.stabilizationWindowSeconds`,
          rules.stabilizationWindowSeconds,
          'must be less than or equal to 3600',
        );
      (rules.policies ?? []).forEach((p: Obj, i: number) => {
        if (!['Pods', 'Percent'].includes(p?.type))
          errors.notSupported(`${at}.policies[${i}].type`, p?.type ?? '', ['Percent', 'Pods']);
        if (!(p?.value > 0))
          errors.invalid(`${at}.policies[${i}].value`, p?.value ?? 0, 'must be greater than zero');
        if (!(p?.periodSeconds > 0) || p.periodSeconds > 1800)
          errors.invalid(
            `${at}.policies[${i}].periodSeconds`,
            p?.periodSeconds ?? 0,
            'must be greater than zero and less than or equal to 1800',
          );
      });
    }
  },
};

/** autoscaling/v1 -> v2, as stored. */
export function hpaFromV1(v1: Obj): Obj {
  const spec = v1.spec ?? {};
  const v2: Obj = {
    ...v1,
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(spec.targetCPUUtilizationPercentage !== undefined
        ? {
            metrics: [
              {
                type: 'Resource',
                resource: {
                  name: 'cpu',
                  target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage },
                },
              },
            ],
          }
        : {}),
    },
  };
  if (v1.status) {
    const s = v1.status;
    v2.status = {
      ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
      ...(s.lastScaleTime ? { lastScaleTime: s.lastScaleTime } : {}),
      currentReplicas: s.currentReplicas,
      desiredReplicas: s.desiredReplicas ?? 0,
      ...(s.currentCPUUtilizationPercentage !== undefined
        ? {
            currentMetrics: [
              {
                type: 'Resource',
                resource: { name: 'cpu', current: { averageUtilization: s.currentCPUUtilizationPercentage } },
              },
            ],
          }
        : {}),
    };
  }
  return v2;
}

/** v2 -> autoscaling/v1: only the CPU utilization target survives, as in Kubernetes' v1 view. */
export function hpaToV1(v2: Obj): Obj {
  const spec = v2.spec ?? {};
  const cpu = (spec.metrics ?? []).find(
    (m: Obj) =>
      m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization',
  );
  const status = v2.status ?? {};
  const current = (status.currentMetrics ?? []).find(
    (m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  return {
    ...v2,
    apiVersion: 'autoscaling/v1',
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}),
    },
    status: {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(current?.resource?.current?.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: current.resource.current.averageUtilization }
        : {}),
    },
  };
}
