import type { KubeObject, Snapshot } from '../kube/objects.js';
import type { Verdict } from './checks.js';
import type { Check } from './schema.js';

/**
 * Who owns a Deployment's replica count. Once an HPA scales it, the HPA does; two HPAs on one
 * Deployment make neither act (the controller sets ScalingActive False, reason AmbiguousSelector),
 * which a learner cannot see from the replica count alone, so the checks name the HPA to delete.
 */

/** The HPAs whose scaleTargetRef is this Deployment (not being deleted), oldest first. */
export function autoscalersOf(deployment: string, snapshot: Snapshot): KubeObject[] {
  return snapshot
    .all('HorizontalPodAutoscaler')
    .filter(
      (h) =>
        !h.metadata.deletionTimestamp &&
        h.spec?.scaleTargetRef?.kind === 'Deployment' &&
        h.spec?.scaleTargetRef?.name === deployment,
    )
    .sort((a, b) =>
      String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')),
    );
}

/**
 * The failure when more than one HPA scales the Deployment (keeping `keep` if it is one of them,
 * else the oldest) or, with `only`, when any HPA but `keep` does; it names the ones to delete.
 */
export function ambiguity(
  deployment: string,
  snapshot: Snapshot,
  keep: string | undefined,
  only = false,
): Verdict | undefined {
  const hpas = autoscalersOf(deployment, snapshot).map((h) => h.metadata.name);
  const kept = keep !== undefined && hpas.includes(keep) ? keep : only ? undefined : hpas[0];
  const extra = hpas.filter((name) => name !== kept);
  if (extra.length === 0) return undefined;
  const command = `kubectl delete hpa ${extra.join(' ')} -n ${snapshot.namespace}`;
  const them = extra.map((n) => `HPA ${n}`).join(' and ');
  const s = extra.length === 1 ? 's' : '';
  if (kept === undefined)
    return {
      passed: false,
      message: `${them} scale${s} Deployment ${deployment}, where this exercise has ${keep} do it. Delete ${extra.length === 1 ? 'it' : 'them'}: ${command}`,
    };
  return {
    passed: false,
    message: `${them} also scale${s} Deployment ${deployment}, beside ${kept}: with more than one HPA on a Deployment none acts (AmbiguousSelector). Delete ${extra.length === 1 ? 'the extra one' : 'the extra ones'}: ${command}`,
  };
}

export function oneAutoscaler(check: Extract<Check, { type: 'oneAutoscaler' }>, snapshot: Snapshot): Verdict {
  const conflict = ambiguity(check.deployment, snapshot, check.hpa, check.hpa !== undefined);
  if (conflict) return conflict;
  const hpas = autoscalersOf(check.deployment, snapshot);
  return {
    passed: true,
    message:
      hpas.length === 0
        ? `No HPA scales Deployment ${check.deployment}.`
        : `${hpas[0]!.metadata.name} is the only HPA that scales Deployment ${check.deployment}.`,
  };
}

/**
 * Every replica ready: `equals` of them while nothing scales the Deployment, or as many as its HPA
 * set (within its minimum and maximum) once one does, since the HPA then owns the count.
 */
export function replicas(check: Extract<Check, { type: 'replicas' }>, snapshot: Snapshot): Verdict {
  const deployment = snapshot.get('Deployment', check.deployment);
  if (!deployment)
    return {
      passed: false,
      message: `No Deployment ${check.deployment} in namespace ${snapshot.namespace}.`,
    };
  const conflict = ambiguity(check.deployment, snapshot, check.hpa);
  if (conflict) return conflict;
  const name = check.deployment;
  const asked: number = deployment.spec?.replicas ?? 1;
  const ready: number = deployment.status?.readyReplicas ?? 0;
  const hpa = autoscalersOf(name, snapshot)[0];
  if (hpa) {
    const min: number = hpa.spec?.minReplicas ?? 1;
    const max: number = hpa.spec?.maxReplicas ?? asked;
    const owner = `HPA ${hpa.metadata.name} owns the replica count (${min} to ${max})`;
    if (asked < min || asked > max)
      return {
        passed: false,
        message: `${name} asks for ${asked} replicas; ${owner}, and has not set it yet.`,
      };
    if (ready !== asked)
      return {
        passed: false,
        message: `${name} has ${ready} of ${asked} replicas ready; expected all ${asked} (${owner}).`,
      };
    return { passed: true, message: `${name} has ${ready} of ${asked} replicas ready; ${owner}.` };
  }
  if (asked !== check.equals)
    return {
      passed: false,
      message: `${name} asks for ${asked} replicas; expected ${check.equals} (no HPA scales it).`,
    };
  if (ready !== asked)
    return {
      passed: false,
      message: `${name} has ${ready} of ${asked} replicas ready; expected all ${asked}.`,
    };
  return { passed: true, message: `${name} has ${ready} of ${asked} replicas ready.` };
}
