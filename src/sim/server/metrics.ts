import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { formatCpu, formatMemory } from '../../kube/quantity.js';
import { now } from '../store.js';
import type { Api } from './context.js';
import { type ApiCall, sendJson } from './http.js';
import { filtersOf, matches } from './read.js';
import type { Route } from './route.js';

/**
 * metrics.k8s.io/v1beta1, as metrics-server answers it, from what the node runtime measures
 * (Runtime.usage): PodMetrics for `kubectl top pod` and the HPA, NodeMetrics for `kubectl top node`.
 */
const API_VERSION = 'metrics.k8s.io/v1beta1';
/** What the node's own system processes use, so that `kubectl top node` is never zero. */
const NODE_BASELINE = { cpuMillicores: 90, memoryBytes: 600 * 1024 * 1024 };

function podMetrics(api: Api, pod: KubeObject): KubeObject | undefined {
  const usage = api.runtime()?.usage(pod.metadata.namespace ?? 'default', pod.metadata.name);
  if (!usage || usage.length === 0) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: now(),
      ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    },
    timestamp: now(),
    window: '15s',
    containers: usage.map((u) => ({
      name: u.container,
      usage: { cpu: formatCpu(u.cpuMillicores), memory: formatMemory(u.memoryBytes) },
    })),
  };
}

function nodeMetrics(api: Api, node: KubeObject): KubeObject {
  let cpu = NODE_BASELINE.cpuMillicores;
  let memory = NODE_BASELINE.memoryBytes;
  for (const pod of api.store.list('Pod')) {
    if (pod.spec?.nodeName !== node.metadata.name) continue;
    for (const u of api.runtime()?.usage(pod.metadata.namespace ?? 'default', pod.metadata.name) ?? []) {
      cpu += u.cpuMillicores;
      memory += u.memoryBytes;
    }
  }
  return {
    kind: 'NodeMetrics',
    apiVersion: API_VERSION,
    metadata: {
      name: node.metadata.name,
      creationTimestamp: now(),
      ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
    },
    timestamp: now(),
    window: '20s',
    usage: { cpu: formatCpu(cpu), memory: formatMemory(memory) },
  };
}

export function handleMetrics(api: Api, call: ApiCall, route: Route): void {
  if (call.method !== 'GET')
    throw new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
    );
  const pods = route.resource.kind === 'PodMetrics';
  const kind = pods ? 'Pod' : 'Node';
  const filters = filtersOf({ ...route.resource, kind }, call.query);
  const toMetrics = (o: KubeObject) => (pods ? podMetrics(api, o) : nodeMetrics(api, o));
  if (route.name) {
    const object = api.store.get(kind, pods ? route.namespace : undefined, route.name);
    const metrics = object && toMetrics(object);
    if (!metrics)
      throw new ApiError(
        404,
        'NotFound',
        `${pods ? 'pods' : 'nodes'}.metrics.k8s.io "${route.name}" not found`,
        {
          name: route.name,
          group: 'metrics.k8s.io',
          kind: pods ? 'pods' : 'nodes',
        },
      );
    sendJson(call, 200, metrics);
    return;
  }
  const items = api.store
    .list(kind, pods ? route.namespace : undefined)
    .filter((o) => matches(filters, o))
    .map(toMetrics)
    .filter((m): m is KubeObject => m !== undefined);
  sendJson(call, 200, { kind: `${route.resource.kind}List`, apiVersion: API_VERSION, metadata: {}, items });
}
