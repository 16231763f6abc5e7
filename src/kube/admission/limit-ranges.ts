import { forbidden } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { hasOwn, own, setOwn } from '../own.js';
import { exactQuantity, formatExact } from '../quantity.js';
import { COMPUTE_RESOURCES, CONTAINER_RESOURCES, OBJECT_COUNTS, podResources } from '../quota.js';
import { naming } from '../resources.js';
import type { FieldErrors } from './field-errors.js';
import { qualifiedName } from './names.js';
import type { AdmissionContext, KindRules, Obj } from './rules.js';

/**
 * LimitRanges: their defaults and validation (SetDefaults_LimitRangeItem, ValidateLimitRange), and
 * the LimitRanger admission plugin (plugin/pkg/admission/limitranger): a new pod's containers get
 * the namespace's default requests and limits, then every min, max and limit/request ratio is enforced,
 * as is a claim's storage min and max.
 */
type List = Record<string, string>;
interface Item {
  type?: string;
  min?: List;
  max?: List;
  default?: List;
  defaultRequest?: List;
  maxLimitRequestRatio?: List;
}

const nanos = (v: unknown) => exactQuantity(v)?.nanos ?? 0n;
const show = (v: unknown) => {
  const q = exactQuantity(v);
  return q ? formatExact(q) : String(v);
};

export const limitRangeRules: KindRules = {
  defaults(lr) {
    for (const item of (lr.spec?.limits ?? []) as Item[]) {
      if (item?.type !== 'Container') continue;
      item.default ??= {};
      item.defaultRequest ??= {};
      // A default limit is the max, a default request the default limit, else the min.
      for (const [k, v] of Object.entries(item.max ?? {}))
        if (!hasOwn(item.default, k)) setOwn(item.default, k, v);
      for (const [k, v] of Object.entries(item.default))
        if (!hasOwn(item.defaultRequest, k)) setOwn(item.defaultRequest, k, v);
      for (const [k, v] of Object.entries(item.min ?? {}))
        if (!hasOwn(item.defaultRequest, k)) setOwn(item.defaultRequest, k, v);
      if (Object.keys(item.default).length === 0) delete item.default;
      if (Object.keys(item.defaultRequest).length === 0) delete item.defaultRequest;
    }
  },
  validate(lr, errors) {
    const seen = new Set<string>();
    const items = (lr.spec?.limits ?? []) as Item[];
    for (const [i, item] of items.entries()) validateItem(item ?? {}, `spec.limits[${i}]`, seen, errors);
  },
};

const STANDARD_RESOURCES = [...COMPUTE_RESOURCES, ...OBJECT_COUNTS, 'storage'];

function validateResourceName(type: string, name: string, path: string, errors: FieldErrors): void {
  for (const p of qualifiedName(name)) errors.invalid(path, name, p);
  if (name.includes('/')) return;
  const hugePages = name.startsWith('hugepages-');
  if (type === 'Pod' || type === 'Container') {
    if (!CONTAINER_RESOURCES.includes(name) && !hugePages)
      errors.invalid(path, name, 'must be a standard resource for containers');
  } else if (!STANDARD_RESOURCES.includes(name) && !hugePages)
    errors.invalid(path, name, 'must be a standard resource type or fully qualified');
}

function validateItem(item: Item, path: string, seen: Set<string>, errors: FieldErrors): void {
  const type = String(item.type ?? '');
  for (const p of qualifiedName(type)) errors.invalid(`${path}.type`, type, p);
  if (
    qualifiedName(type).length === 0 &&
    !type.includes('/') &&
    !['Pod', 'Container', 'PersistentVolumeClaim'].includes(type)
  )
    errors.invalid(`${path}.type`, type, 'must be a standard limit type or fully qualified');
  if (seen.has(type)) errors.duplicate(`${path}.type`, type);
  seen.add(type);
  const fields = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;
  const keys = new Set<string>();
  for (const field of fields) {
    if (type === 'Pod' && (field === 'default' || field === 'defaultRequest')) {
      if (Object.keys(item[field] ?? {}).length > 0)
        errors.forbidden(`${path}.${field}`, "may not be specified when `type` is 'Pod'");
      continue;
    }
    for (const k of Object.keys(item[field] ?? {})) {
      validateResourceName(type, k, `${path}.${field}[${k}]`, errors);
      keys.add(k);
    }
  }
  if (type === 'PersistentVolumeClaim' && !hasOwn(item.min, 'storage') && !hasOwn(item.max, 'storage'))
    errors.required(
      `${path}.limits`,
      'either minimum or maximum storage value is required, but neither was provided',
    );
  const get = (field: (typeof fields)[number], k: string) =>
    type === 'Pod' && (field === 'default' || field === 'defaultRequest') ? undefined : own(item[field], k);
  for (const k of [...keys].sort()) {
    const min = get('min', k);
    const max = get('max', k);
    const def = get('default', k);
    const defReq = get('defaultRequest', k);
    const ratio = get('maxLimitRequestRatio', k);
    if (min !== undefined && max !== undefined && nanos(min) > nanos(max))
      errors.invalid(
        `${path}.min[${k}]`,
        show(min),
        `min value ${show(min)} is greater than max value ${show(max)}`,
      );
    if (defReq !== undefined && min !== undefined && nanos(min) > nanos(defReq))
      errors.invalid(
        `${path}.defaultRequest[${k}]`,
        show(defReq),
        `min value ${show(min)} is greater than default request value ${show(defReq)}`,
      );
    if (defReq !== undefined && max !== undefined && nanos(defReq) > nanos(max))
      errors.invalid(
        `${path}.defaultRequest[${k}]`,
        show(defReq),
        `default request value ${show(defReq)} is greater than max value ${show(max)}`,
      );
    if (defReq !== undefined && def !== undefined && nanos(defReq) > nanos(def))
      errors.invalid(
        `${path}.defaultRequest[${k}]`,
        show(defReq),
        `default request value ${show(defReq)} is greater than default limit value ${show(def)}`,
      );
    if (def !== undefined && min !== undefined && nanos(min) > nanos(def))
      errors.invalid(
        `${path}.default[${k}]`,
        show(min),
        `min value ${show(min)} is greater than default value ${show(def)}`,
      );
    if (def !== undefined && max !== undefined && nanos(def) > nanos(max))
      errors.invalid(
        `${path}.default[${k}]`,
        show(max),
        `default value ${show(def)} is greater than max value ${show(max)}`,
      );
    if (ratio !== undefined && nanos(ratio) < 1_000_000_000n)
      errors.invalid(
        `${path}.maxLimitRequestRatio[${k}]`,
        show(ratio),
        `ratio ${show(ratio)} is less than 1`,
      );
    if (ratio !== undefined && min !== undefined && max !== undefined && nanos(min) > 0n) {
      const limit = Number(nanos(max)) / Number(nanos(min));
      if (Number(nanos(ratio)) / 1e9 > limit)
        errors.invalid(
          `${path}.maxLimitRequestRatio[${k}]`,
          show(ratio),
          `ratio ${show(ratio)} is greater than max/min = ${limit.toFixed(6)}`,
        );
    }
  }
}

/** The namespace's LimitRanges, oldest first (the order does not change what is admitted). */
function limitRangesOf(namespace: string, context: AdmissionContext): Obj[] {
  return context.store.list('LimitRange', namespace) as Obj[];
}

/** mergeContainerResources: the defaults a container lacks, and the annotation's words for them. */
function mergeDefaults(container: Obj, requests: List, limits: List, prefix: string, notes: string[]): void {
  container.resources ??= {};
  const resources = container.resources;
  resources.limits ??= {};
  resources.requests ??= {};
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(limits))
    if (!hasOwn(resources.limits, k)) {
      setOwn(resources.limits, k, v);
      setLimits.push(k);
    }
  for (const [k, v] of Object.entries(requests))
    if (!hasOwn(resources.requests, k)) {
      setOwn(resources.requests, k, v);
      setRequests.push(k);
    }
  if (setRequests.length > 0)
    notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${container.name}`);
  if (setLimits.length > 0)
    notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${container.name}`);
  if (Object.keys(resources.limits).length === 0) delete resources.limits;
  if (Object.keys(resources.requests).length === 0) delete resources.requests;
}

/** LimitRanger's Admit (mutation) of a pod being created: PodMutateLimitFunc for each LimitRange. */
export function defaultFromLimitRanges(pod: Obj, context: AdmissionContext): void {
  for (const lr of limitRangesOf(pod.metadata.namespace, context)) {
    const requests: List = {};
    const limits: List = {};
    for (const item of (lr.spec?.limits ?? []) as Item[]) {
      if (item?.type !== 'Container') continue;
      for (const [k, v] of Object.entries(item.defaultRequest ?? {})) setOwn(requests, k, v);
      for (const [k, v] of Object.entries(item.default ?? {})) setOwn(limits, k, v);
    }
    const notes: string[] = [];
    for (const c of (pod.spec?.containers ?? []) as Obj[])
      mergeDefaults(c, requests, limits, 'container', notes);
    for (const c of (pod.spec?.initContainers ?? []) as Obj[])
      mergeDefaults(c, requests, limits, 'init container', notes);
    if (notes.length > 0) {
      pod.metadata.annotations ??= {};
      pod.metadata.annotations['kubernetes.io/limit-ranger'] = `LimitRanger plugin set: ${notes.join('; ')}`;
    }
  }
}

/** Compared in thousandths, as requestLimitEnforcedValues does for values that fit. */
const milli = (v: unknown) => {
  const n = nanos(v);
  return (n + (n >= 0n ? 999_999n : 0n)) / 1_000_000n;
};

/**
 * minConstraint, maxConstraint and maxRequestConstraint: the first of the values named must be given,
 * and each one given must keep within the enforced minimum or maximum.
 */
function boundConstraint(
  bound: 'minimum' | 'maximum',
  type: string,
  k: string,
  enforced: string,
  values: [string, List][],
): string | undefined {
  const head = `${bound} ${k} usage per ${type} is ${show(enforced)}`;
  const [required, list] = values[0]!;
  if (!hasOwn(list, k)) return `${head}.  No ${required} is specified`;
  for (const [name, given] of values) {
    if (!hasOwn(given, k)) continue;
    const beyond =
      bound === 'minimum' ? milli(given[k]) < milli(enforced) : milli(given[k]) > milli(enforced);
    if (beyond) return `${head}, but ${name} is ${show(given[k])}`;
  }
  return undefined;
}

function ratioConstraint(
  type: string,
  k: string,
  enforced: string,
  requests: List,
  limits: List,
): string | undefined {
  const request = hasOwn(requests, k) ? milli(requests[k]) : 0n;
  const limit = hasOwn(limits, k) ? milli(limits[k]) : 0n;
  if (request === 0n)
    return `${k} max limit to request ratio per ${type} is ${show(enforced)}, but no request is specified or request is 0`;
  if (limit === 0n)
    return `${k} max limit to request ratio per ${type} is ${show(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(limit) / Number(request);
  if (ratio * 1000 > Number(milli(enforced)))
    return `${k} max limit to request ratio per ${type} is ${show(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkItem(item: Item, type: string, requests: List, limits: List, problems: string[]): void {
  const add = (p: string | undefined) => p && problems.push(p);
  for (const [k, v] of Object.entries(item.min ?? {}))
    add(
      boundConstraint('minimum', type, k, v, [
        ['request', requests],
        ['limit', limits],
      ]),
    );
  for (const [k, v] of Object.entries(item.max ?? {}))
    add(
      boundConstraint('maximum', type, k, v, [
        ['limit', limits],
        ['request', requests],
      ]),
    );
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {}))
    add(ratioConstraint(type, k, v, requests, limits));
}

/** The pod's requests or limits as the limit ranger sums them (podRequests / podLimits, no overhead). */
const podTotals = (pod: Obj, field: 'requests' | 'limits'): List =>
  podResources(pod as KubeObject, field, { overhead: false });

/** The 403 an admission plugin answers: `pods "x" is forbidden: ...`. */
function refuse(kind: string, object: Obj, problems: string[]): never {
  const { resource, group } = naming(kind);
  const name = object.metadata?.name || object.metadata?.generateName || 'Unknown';
  const message = problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`;
  throw forbidden(`${group ? `${resource}.${group}` : resource} "${name}" is forbidden: ${message}`);
}

export { refuse as admissionRefusal };

/** LimitRanger's Validate of a pod or a claim being created (claims also on update). */
export function enforceLimitRanges(kind: string, object: Obj, context: AdmissionContext): void {
  for (const lr of limitRangesOf(object.metadata.namespace, context)) {
    const problems: string[] = [];
    for (const item of (lr.spec?.limits ?? []) as Item[]) {
      if (kind === 'Pod' && item?.type === 'Container') {
        for (const c of [...(object.spec?.containers ?? []), ...(object.spec?.initContainers ?? [])] as Obj[])
          checkItem(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}, problems);
      } else if (kind === 'Pod' && item?.type === 'Pod') {
        checkItem(item, 'Pod', podTotals(object, 'requests'), podTotals(object, 'limits'), problems);
      } else if (kind === 'PersistentVolumeClaim' && item?.type === 'PersistentVolumeClaim') {
        const requests = (object.spec?.resources?.requests ?? {}) as List;
        for (const [k, v] of Object.entries(item.min ?? {})) {
          const p = boundConstraint('minimum', 'PersistentVolumeClaim', k, v, [['request', requests]]);
          if (p) problems.push(p);
        }
        for (const [k, v] of Object.entries(item.max ?? {})) {
          const p = boundConstraint('maximum', 'PersistentVolumeClaim', k, v, [['request', requests]]);
          if (p) problems.push(p);
        }
      }
    }
    if (problems.length > 0) refuse(kind, object, problems);
  }
}
