import type { KubeObject } from '../../kube/objects.js';

/**
 * The Job fields the API server fills in at creation (selector and labels keyed on the Job's uid,
 * backoffLimit 6, completions and parallelism 1, ...). Jobs made by the CronJob controller go straight
 * into the store, and the uid exists only after creation, so the Job controller completes them here.
 * Returns the Job with its defaults, or undefined when nothing was missing.
 */
export function withJobDefaults(job: KubeObject): KubeObject | undefined {
  const spec = job.spec ?? {};
  const copy = structuredClone(job);
  const out = copy.spec ?? {};
  let changed = false;
  const set = (field: string, value: unknown) => {
    if (out[field] === undefined) {
      out[field] = value;
      changed = true;
    }
  };
  if (spec.completions === undefined && spec.parallelism === undefined) {
    set('completions', 1);
    set('parallelism', 1);
  } else set('parallelism', 1);
  set('backoffLimit', 6);
  set('completionMode', 'NonIndexed');
  set('suspend', false);
  set('podReplacementPolicy', 'TerminatingOrFailed');
  if (!spec.manualSelector && job.metadata.uid) {
    const uid = job.metadata.uid;
    const name = job.metadata.name;
    const labels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    if (!out.selector) {
      out.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
      changed = true;
    }
    out.template ??= {};
    out.template.metadata ??= {};
    const current = out.template.metadata.labels ?? {};
    if (Object.entries(labels).some(([k, v]) => current[k] !== v)) {
      out.template.metadata.labels = { ...current, ...labels };
      changed = true;
    }
  }
  copy.spec = out;
  return changed ? copy : undefined;
}
