import { parseQuantity } from '../quantity.js';

/**
 * Defaulting of pod specs, as k8s.io/kubernetes/pkg/apis/core/v1/defaults.go does it for pods and
 * for the pod templates of Deployments, ReplicaSets, Jobs and CronJobs, plus what admission adds to
 * a pod itself (service account, priority, the not-ready/unreachable tolerations, requests copied
 * from limits, the QoS class).
 */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes object bodies are open JSON.
type Obj = Record<string, any>;

export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c?.ports ?? []) if (p && p.hostPort === undefined) p.hostPort = p.containerPort;
    }
  }
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

function defaultContainer(c: Obj): void {
  if (!c || typeof c !== 'object') return;
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
    c.imagePullPolicy = pullsAlways(c.image) ? 'Always' : 'IfNotPresent';
  }
  c.resources ??= {};
  for (const p of c.ports ?? []) if (p && typeof p === 'object') p.protocol ??= 'TCP';
  for (const e of c.env ?? []) {
    const ref = e?.valueFrom?.fieldRef;
    if (ref && typeof ref === 'object') ref.apiVersion ??= 'v1';
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!probe || typeof probe !== 'object') continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (probe.httpGet && typeof probe.httpGet === 'object') {
      probe.httpGet.scheme ??= 'HTTP';
      probe.httpGet.path ??= '/';
    }
    if (probe.grpc && typeof probe.grpc === 'object') probe.grpc.service ??= '';
  }
  const hook = c.lifecycle;
  for (const handler of [hook?.postStart, hook?.preStop]) {
    if (handler?.httpGet && typeof handler.httpGet === 'object') {
      handler.httpGet.scheme ??= 'HTTP';
      handler.httpGet.path ??= '/';
    }
  }
}

/** `:latest` or no tag at all means the image can change under the same name. */
function pullsAlways(image: string): boolean {
  if (image.includes('@')) return false;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest';
}

function defaultVolume(v: Obj): void {
  if (!v || typeof v !== 'object') return;
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.projected) v.projected.defaultMode ??= 420;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
  if (v.hostPath) v.hostPath.type ??= '';
  const known = Object.keys(v).some((k) => k !== 'name');
  if (!known) v.emptyDir = {};
}

export function defaultPodTemplate(template: Obj | undefined): void {
  if (!template || typeof template !== 'object') return;
  template.metadata ??= {};
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

const NOT_READY_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** A Pod's decoding defaults (SetDefaults_Pod): its spec's, and requests copied from limits. */
export function defaultPodDecoded(pod: Obj): void {
  pod.spec ??= {};
  const spec = pod.spec;
  defaultPodSpec(spec);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const resources = c?.resources;
    if (!resources?.limits) continue;
    resources.requests ??= {};
    for (const [name, value] of Object.entries(resources.limits)) resources.requests[name] ??= value;
  }
}

/** What a Pod gets beyond its decoding defaults: admission plugins (service account, priority, tolerations). */
export function defaultPod(pod: Obj): void {
  defaultPodDecoded(pod);
  const spec = pod.spec;
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  const tolerations: Obj[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const t of NOT_READY_TOLERATIONS) {
    if (!tolerations.some((x) => x?.key === t.key && (x.effect ?? t.effect) === t.effect))
      tolerations.push({ ...t });
  }
  spec.tolerations = tolerations;
}

/** The QoS class of a pod, computed as pkg/apis/core/v1/helper/qos does. */
export function qosClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Obj[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c?.resources?.requests ?? {};
    const limits = c?.resources?.limits ?? {};
    for (const name of ['cpu', 'memory']) {
      const request = requests[name] ?? limits[name];
      if (request !== undefined && parseQuantity(request) !== 0) any = true;
      if (limits[name] !== undefined) any = true;
      if (limits[name] === undefined || parseQuantity(limits[name]) !== parseQuantity(request))
        guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
