import type { KubeObject } from '../objects.js';
import { hasOwn } from '../own.js';
import { exactQuantity } from '../quantity.js';
import {
  addLists,
  COMPUTE_RESOURCES,
  evaluatorFor,
  exceeding,
  mask,
  OBJECT_COUNTS,
  prettyPrint,
  quotaMatches,
  quotaUsed,
  type ResourceList,
  removeZeros,
  subtractNonNegative,
} from '../quota.js';
import { type FieldErrors, GoLiteral } from './field-errors.js';
import { admissionRefusal } from './limit-ranges.js';
import { qualifiedName } from './names.js';
import type { AdmissionContext, KindRules, Obj } from './rules.js';

/**
 * ResourceQuotas: their validation (ValidateResourceQuota) and the ResourceQuota admission plugin
 * (k8s.io/apiserver/pkg/admission/plugin/resourcequota), which refuses a write that would take
 * the namespace past a quota's hard limits, or a pod that does not say the requests or limits a
 * quota counts.
 */
const INTEGER_RESOURCES = new Set([...OBJECT_COUNTS, 'services.nodeports', 'services.loadbalancers']);
const STANDARD_QUOTA = new Set([...INTEGER_RESOURCES, ...COMPUTE_RESOURCES]);
const SCOPES = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];
/** helper.IsResourceQuotaScopeValidForResource: the pod resources a scope may limit. */
const POD_COMPUTE = [
  'pods',
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
];
const scopeAllows = (scope: string, resource: string) =>
  scope === 'BestEffort'
    ? resource === 'pods'
    : SCOPES.includes(scope)
      ? POD_COMPUTE.includes(resource)
      : false;

function validateList(list: unknown, path: string, errors: FieldErrors): void {
  for (const [k, v] of Object.entries((list ?? {}) as ResourceList)) {
    const at = `${path}[${k}]`;
    for (const p of qualifiedName(k)) errors.invalid(at, k, p);
    if (
      !k.includes('/') &&
      !STANDARD_QUOTA.has(k) &&
      !k.startsWith('hugepages-') &&
      !k.startsWith('requests.hugepages-')
    )
      errors.invalid(at, k, 'must be a standard resource for quota');
    const q = exactQuantity(v);
    if (q && q.nanos < 0n) errors.invalid(at, String(v), 'must be greater than or equal to 0');
    if (q && INTEGER_RESOURCES.has(k) && q.nanos % 1_000_000_000n !== 0n)
      errors.invalid(at, String(v), 'must be an integer');
  }
}

/** The scopes as validation prints them: the internal type's %#v. */
const goScopes = (scopes: string[]) =>
  new GoLiteral(`[]core.ResourceQuotaScope{${scopes.map((s) => JSON.stringify(s)).join(', ')}}`);

function validateScopes(spec: Obj, errors: FieldErrors): void {
  const listed = (spec.scopes ?? []) as string[];
  if (listed.length === 0) return;
  const scopes = goScopes(listed);
  const hard = Object.keys(spec.hard ?? {}).sort();
  for (const scope of listed) {
    if (!SCOPES.includes(scope)) errors.invalid('spec.scopes', scopes, 'unsupported scope');
    for (const k of hard)
      if (STANDARD_QUOTA.has(k) && !scopeAllows(scope, k))
        errors.invalid('spec.scopes', scopes, 'unsupported scope applied to resource');
  }
  for (const [a, b] of [
    ['BestEffort', 'NotBestEffort'],
    ['Terminating', 'NotTerminating'],
  ])
    if (listed.includes(a!) && listed.includes(b!))
      errors.invalid('spec.scopes', scopes, 'conflicting scopes');
}

export const resourceQuotaRules: KindRules = {
  prepareCreate(quota) {
    delete quota.status;
  },
  validate(quota, errors) {
    validateList(quota.spec?.hard, 'spec.hard', errors);
    validateScopes(quota.spec ?? {}, errors);
  },
  validateUpdate(quota, old, errors) {
    const scopes = [...((quota.spec?.scopes ?? []) as string[])].sort();
    const before = [...((old.spec?.scopes ?? []) as string[])].sort();
    if (JSON.stringify(scopes) !== JSON.stringify(before))
      errors.invalid('spec.scopes', goScopes(quota.spec?.scopes ?? []), 'field is immutable');
  },
};

/** The resources a pod must state when a quota counts them (the backward-compatible "mistake"). */
const MUST_SPECIFY = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/** podEvaluator.Constraints: `must specify limits.cpu for: a,b; requests.memory for: a`. */
function podConstraints(required: string[], pod: Obj): string | undefined {
  const wanted = required.filter((r) => MUST_SPECIFY.includes(r));
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Obj[]) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    const has = (r: string) => {
      const [prefix, name] = r.includes('.') ? r.split('.') : ['requests', r];
      return hasOwn(prefix === 'limits' ? limits : requests, name!);
    };
    for (const r of wanted) if (!has(r)) missing.set(r, (missing.get(r) ?? new Set()).add(c.name));
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/**
 * The quota plugin's CheckRequest for a create, or an update (old given) of a kind whose updates
 * count: every matching quota must have room for what the write adds. Usage is the quota's
 * status.used, the controller's count.
 */
export function enforceQuotas(
  kind: string,
  object: Obj,
  old: Obj | undefined,
  context: AdmissionContext,
): void {
  const evaluator = evaluatorFor(kind);
  if (old && !evaluator.updates) return;
  const namespace = object.metadata?.namespace;
  if (!namespace) return;
  const quotas = context.store.list('ResourceQuota', namespace) as Obj[];
  if (quotas.length === 0) return;
  const nowMs = Date.now();
  const interesting: Obj[] = [];
  for (const quota of quotas) {
    if (!quotaMatches(quota as KubeObject, kind, object as KubeObject)) continue;
    const hard = (quota.status?.hard ?? {}) as ResourceList;
    const restricted = Object.keys(hard).filter((n) => evaluator.matches(n));
    if (kind === 'Pod') {
      const problem = podConstraints(restricted, object);
      if (problem) admissionRefusal(kind, object, [`failed quota: ${quota.metadata.name}: ${problem}`]);
    }
    const used = (quota.status?.used ?? {}) as ResourceList;
    const unknown = restricted.filter((n) => !hasOwn(used, n));
    if (unknown.length > 0)
      admissionRefusal(kind, object, [
        `status unknown for quota: ${quota.metadata.name}, resources: ${restricted.sort().join(',')}`,
      ]);
    interesting.push(quota);
  }
  if (interesting.length === 0) return;
  let delta = evaluator.usage(object as KubeObject, nowMs);
  if (old) delta = subtractNonNegative(delta, evaluator.usage(old as KubeObject, nowMs));
  delta = removeZeros(delta);
  if (Object.keys(delta).length === 0) return;
  for (const quota of interesting) {
    const hard = (quota.status?.hard ?? {}) as ResourceList;
    // What the namespace holds now (the controller's count, never behind within this process).
    const used = quotaUsed({ ...quota, spec: { ...quota.spec, hard } } as KubeObject, (k) =>
      context.store.list(k, namespace),
    );
    const requested = mask(delta, Object.keys(hard));
    if (Object.keys(requested).length === 0) continue;
    const next = mask(addLists(used, requested), Object.keys(requested));
    const over = exceeding(next, hard);
    if (over.length > 0)
      admissionRefusal(kind, object, [
        `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(mask(requested, over))}, used: ${prettyPrint(
          mask(used, over),
        )}, limited: ${prettyPrint(mask(hard, over))}`,
      ]);
  }
}
