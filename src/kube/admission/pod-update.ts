import { semanticEqual } from '../equality.js';
import { own } from '../own.js';
import type { FieldErrors } from './field-errors.js';
import type { Obj } from './rules.js';

/**
 * What a pod update may change, after ValidatePodUpdate (pkg/apis/core/validation): the images,
 * activeDeadlineSeconds (set, or lowered), tolerations (additions, and tolerationSeconds), the
 * removal of scheduling gates, and terminationGracePeriodSeconds from negative to 1. Everything
 * else is compared semantically with the stored spec; a difference is refused with the upstream
 * message and a diff of the spec.
 */
const UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

export const POD_UPDATE_FORBIDDEN = `pod updates may not change fields other than ${UPDATABLE.join(',')}`;

const MAX_INT32 = 2147483647;

export function validatePodUpdate(pod: Obj, old: Obj, errors: FieldErrors): void {
  const spec: Obj = pod.spec ?? {};
  const before: Obj = old.spec ?? {};
  for (const field of ['containers', 'initContainers']) {
    const now: Obj[] = Array.isArray(spec[field]) ? spec[field] : [];
    const was: Obj[] = Array.isArray(before[field]) ? before[field] : [];
    if (now.length !== was.length) {
      errors.forbidden(`spec.${field}`, 'pod updates may not add or remove containers');
      return;
    }
    now.forEach((c, i) => {
      const image = own(c, 'image');
      if (typeof image === 'string' && image !== '' && image.trim() !== image)
        errors.invalid(`spec.${field}[${i}].image`, image, 'must not have leading or trailing whitespace');
    });
  }

  const deadline = spec.activeDeadlineSeconds;
  const oldDeadline = before.activeDeadlineSeconds;
  if (typeof deadline === 'number') {
    if (deadline < 0 || deadline > MAX_INT32) {
      errors.invalid('spec.activeDeadlineSeconds', deadline, `must be between 0 and ${MAX_INT32}, inclusive`);
      return;
    }
    if (typeof oldDeadline === 'number' && oldDeadline < deadline) {
      errors.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value');
      return;
    }
  } else if (typeof oldDeadline === 'number') {
    errors.invalid(
      'spec.activeDeadlineSeconds',
      null,
      'must not update from a positive integer to nil value',
    );
  }

  const withoutSeconds = (t: unknown) => {
    const { tolerationSeconds: _, ...rest } = (t ?? {}) as Obj;
    return rest;
  };
  const tolerations: unknown[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const t of Array.isArray(before.tolerations) ? before.tolerations : []) {
    if (!tolerations.some((n) => semanticEqual(withoutSeconds(t), withoutSeconds(n)))) {
      errors.forbidden(
        'spec.tolerations',
        'existing toleration can not be modified except its tolerationSeconds',
      );
      break;
    }
  }

  const gates = new Set(((before.schedulingGates ?? []) as Obj[]).map((g) => g?.name));
  ((spec.schedulingGates ?? []) as Obj[]).forEach((g, i) => {
    if (!gates.has(g?.name))
      errors.forbidden(
        `spec.schedulingGates[${i}].name`,
        `only deletion is allowed, but found new scheduling gate '${g?.name}'`,
      );
  });

  if (semanticEqual(spec, before)) return;
  const munged = structuredClone(spec);
  for (const field of ['containers', 'initContainers']) {
    (munged[field] ?? []).forEach((c: Obj, i: number) => {
      c.image = before[field][i]?.image;
    });
  }
  munged.activeDeadlineSeconds = before.activeDeadlineSeconds;
  munged.tolerations = before.tolerations;
  munged.schedulingGates = before.schedulingGates;
  if (
    typeof before.terminationGracePeriodSeconds === 'number' &&
    before.terminationGracePeriodSeconds < 0 &&
    munged.terminationGracePeriodSeconds === 1
  )
    munged.terminationGracePeriodSeconds = before.terminationGracePeriodSeconds;
  if (!semanticEqual(munged, before))
    errors.forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${specDiff(before, munged)}`);
}

/** core.PodSpec's fields in the Go struct's order, as the diff lists them. */
const SPEC_FIELDS = [
  'volumes',
  'initContainers',
  'containers',
  'ephemeralContainers',
  'restartPolicy',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'dnsPolicy',
  'nodeSelector',
  'serviceAccountName',
  'automountServiceAccountToken',
  'nodeName',
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'shareProcessNamespace',
  'securityContext',
  'imagePullSecrets',
  'hostname',
  'subdomain',
  'setHostnameAsFQDN',
  'affinity',
  'schedulerName',
  'tolerations',
  'hostAliases',
  'priorityClassName',
  'priority',
  'preemptionPolicy',
  'dnsConfig',
  'readinessGates',
  'runtimeClassName',
  'overhead',
  'enableServiceLinks',
  'topologySpreadConstraints',
  'os',
  'schedulingGates',
  'resourceClaims',
  'resources',
];

const GO_NAMES: Record<string, string> = {
  dnsPolicy: 'DNSPolicy',
  dnsConfig: 'DNSConfig',
  hostPID: 'HostPID',
  hostIPC: 'HostIPC',
  os: 'OS',
  setHostnameAsFQDN: 'SetHostnameAsFQDN',
};

const goName = (key: string) => GO_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1);

/**
 * The spec diff after the message, in the shape of go-cmp's report (`-` the stored spec, `+` the
 * update). go-cmp's own text is deliberately unstable (its whitespace varies from run to run), so
 * no client can depend on it; this names the same fields with their values.
 */
function specDiff(before: Obj, after: Obj): string {
  const known = new Set(SPEC_FIELDS);
  const extra = [...Object.keys(before), ...Object.keys(after)].filter((k) => !known.has(k));
  const fields = [...SPEC_FIELDS, ...new Set(extra)];
  const lines = ['  core.PodSpec{'];
  let same = 0;
  const flush = () => {
    if (same > 0) lines.push(`  \t... // ${same} identical field${same === 1 ? '' : 's'}`);
    same = 0;
  };
  for (const key of fields) {
    const was = own(before, key);
    const now = own(after, key);
    if (semanticEqual(was, now, key)) {
      same++;
      continue;
    }
    flush();
    if (was !== undefined) lines.push(`- \t${goName(key)}: ${goLiteral(was)},`);
    if (now !== undefined) lines.push(`+ \t${goName(key)}: ${goLiteral(now)},`);
  }
  flush();
  lines.push('  }');
  return lines.join('\n');
}

function goLiteral(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'nil';
}
