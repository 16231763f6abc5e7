import { parseQuantity } from '../../kube/quantity.js';
import type { Container, PodSpec } from './types.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'] as const;

/**
 * The pod's QoS class, computed as Kubernetes' GetPodQOS does (pkg/apis/core/v1/helper/qos): sums of
 * the positive cpu/memory requests and limits over containers and init containers; BestEffort when
 * there are none; Guaranteed when every container limits both cpu and memory and the summed requests
 * equal the summed limits; Burstable otherwise. A request left out where a limit is set counts as
 * equal to the limit, as the API server's defaulting fills it in before anything reads the pod.
 */
export function podQosClass(spec: PodSpec): QosClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const all: Container[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  for (const container of all) {
    const declaredLimits = container.resources?.limits ?? {};
    const declaredRequests = { ...declaredLimits, ...(container.resources?.requests ?? {}) };
    for (const name of COMPUTE) {
      const request = parseQuantity(declaredRequests[name]);
      if (request !== undefined && request > 0) requests.set(name, (requests.get(name) ?? 0) + request);
    }
    const found = new Set<string>();
    for (const name of COMPUTE) {
      const limit = parseQuantity(declaredLimits[name]);
      if (limit !== undefined && limit > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + limit);
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (limit === undefined || !sameQuantity(limit, request)) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** Quantities like `1Gi` and `1073741824` are equal; float noise from `0.1 + 0.2` is not a difference. */
function sameQuantity(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1);
}
