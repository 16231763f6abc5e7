import { invalid } from '../errors.js';
import { naming } from '../resources.js';
import { daemonSetRules, replicationControllerRules, statefulSetRules } from './controller-sets.js';
import {
  configMapRules,
  endpointSliceRules,
  eventRules,
  namespaceRules,
  nodeRules,
  pvcRules,
  pvRules,
  secretRules,
  storageClassRules,
} from './core.js';
import { crdRules } from './crd.js';
import { FieldErrors } from './field-errors.js';
import { hpaRules } from './hpa.js';
import { ingressRules } from './ingress.js';
import { defaultFromLimitRanges, enforceLimitRanges, limitRangeRules } from './limit-ranges.js';
import { validateObjectMeta } from './meta.js';
import { dns1123Subdomain } from './names.js';
import { defaultPod, defaultPodDecoded, qosClass } from './pod-defaults.js';
import { validatePodUpdate } from './pod-update.js';
import { validatePodSpec } from './pod-validation.js';
import {
  clusterRoleBindingRules,
  clusterRoleRules,
  roleBindingRules,
  roleRules,
  serviceAccountRules,
} from './rbac.js';
import { enforceQuotas, resourceQuotaRules } from './resource-quotas.js';
import type { AdmissionContext, KindRules, Obj } from './rules.js';
import { serviceRules } from './services.js';
import { cronJobRules, deploymentRules, jobRules, replicaSetRules } from './workloads.js';

/**
 * The API server's write path for one object, before it is stored: defaults, the kind's strategy
 * (PrepareForCreate / PrepareForUpdate) and validation, answering a 422 Invalid with every field
 * error at once, as a real cluster does.
 */
function pendingStatus(pod: Obj): void {
  pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
}

const podRules: KindRules = {
  defaults: defaultPod,
  prepareCreate: pendingStatus,
  validate(pod, errors) {
    validatePodSpec(pod.spec ?? {}, 'spec', errors);
  },
  validateUpdate: validatePodUpdate,
};

const RULES: Record<string, KindRules> = {
  Pod: podRules,
  Deployment: deploymentRules,
  ReplicaSet: replicaSetRules,
  ReplicationController: replicationControllerRules,
  DaemonSet: daemonSetRules,
  StatefulSet: statefulSetRules,
  Ingress: ingressRules,
  Job: jobRules,
  CronJob: cronJobRules,
  Service: serviceRules,
  Namespace: namespaceRules,
  ConfigMap: configMapRules,
  Secret: secretRules,
  PersistentVolumeClaim: pvcRules,
  PersistentVolume: pvRules,
  StorageClass: storageClassRules,
  HorizontalPodAutoscaler: hpaRules,
  EndpointSlice: endpointSliceRules,
  Event: eventRules,
  Node: nodeRules,
  CustomResourceDefinition: crdRules,
  ServiceAccount: serviceAccountRules,
  Role: roleRules,
  ClusterRole: clusterRoleRules,
  RoleBinding: roleBindingRules,
  ClusterRoleBinding: clusterRoleBindingRules,
  LimitRange: limitRangeRules,
  ResourceQuota: resourceQuotaRules,
};

const rulesOf = (kind: string): KindRules => RULES[kind] ?? {};

/** Decoding's defaults only: what a dry run of a create shows, and what every write gets. */
export function applyDefaults(kind: string, object: Obj): void {
  object.metadata ??= {};
  rulesOf(kind).defaults?.(object);
}

/** The defaults decoding gives, before admission plugins: what a write's field manager owns. */
export function decodingDefaults(kind: string, object: Obj): void {
  object.metadata ??= {};
  if (kind === 'Pod') defaultPodDecoded(object);
  else rulesOf(kind).defaults?.(object);
}

function fail(kind: string, object: Obj, errors: FieldErrors): void {
  if (errors.empty) return;
  const { group } = naming(kind);
  // A custom resource is stored under its CRD's name; errors name its kind.
  const named = kind.includes('.') && typeof object.kind === 'string' ? object.kind : kind;
  throw invalid(named, group, object.metadata?.name ?? '', errors.causes);
}

/**
 * A create: decoding defaults, the mutating admission plugins (LimitRanger's defaults), the
 * strategy and validation, then the validating plugins (LimitRanger, ResourceQuota), in the API
 * server's order.
 */
export function admitCreate(kind: string, object: Obj, context: AdmissionContext): void {
  const rules = rulesOf(kind);
  applyDefaults(kind, object);
  if (kind === 'Pod') defaultFromLimitRanges(object, context);
  rules.prepareCreate?.(object, context);
  const errors = new FieldErrors();
  validateObjectMeta(object.metadata, rules.name ?? dns1123Subdomain, errors);
  rules.validate?.(object, errors, context);
  fail(kind, object, errors);
  if (kind === 'Pod' || kind === 'PersistentVolumeClaim') enforceLimitRanges(kind, object, context);
  enforceQuotas(kind, object, undefined, context);
}

export function admitUpdate(
  kind: string,
  object: Obj,
  old: Obj,
  context: AdmissionContext,
  options: { status?: boolean } = {},
): void {
  const rules = rulesOf(kind);
  applyDefaults(kind, object);
  if (options.status) {
    // The status subresource writes status only; the rest stays as stored.
    const errors = new FieldErrors();
    validateObjectMeta(object.metadata, rules.name ?? dns1123Subdomain, errors);
    fail(kind, object, errors);
    return;
  }
  if (old.status !== undefined) object.status = old.status;
  else delete object.status;
  rules.prepareUpdate?.(object, old, context);
  const errors = new FieldErrors();
  validateObjectMeta(object.metadata, rules.name ?? dns1123Subdomain, errors);
  if (rules.updateChecksFirst) rules.validateUpdate?.(object, old, errors, context);
  rules.validate?.(object, errors, context);
  if (!rules.updateChecksFirst) rules.validateUpdate?.(object, old, errors, context);
  fail(kind, object, errors);
  // Pods are not limited again on update (their resources do not change); claims are.
  if (kind === 'PersistentVolumeClaim' && !old.metadata?.deletionTimestamp)
    enforceLimitRanges(kind, object, context);
  enforceQuotas(kind, object, old, context);
}

/**
 * What the API server would have done to a pod a controller creates straight in the store (the
 * ReplicaSet and Job controllers): pod defaults, service account, tolerations, priority, and the
 * first status (Pending, with its QoS class). For the controllers, so their pods read like real ones.
 */
export function admitControllerPod(pod: Obj): void {
  applyDefaults('Pod', pod);
  pendingStatus(pod);
}
