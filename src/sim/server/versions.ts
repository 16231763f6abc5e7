import { hpaFromV1, hpaToV1 } from '../../kube/admission/hpa.js';
import type { KubeObject } from '../../kube/objects.js';
import { apiVersionOf, type Resource, resourceOfKind } from '../../kube/resources.js';

/**
 * The store keeps every kind in one version; a request may speak another (autoscaling/v1
 * HorizontalPodAutoscalers, written by `kubectl autoscale`). These convert at the edge.
 */
export function toServed(resource: Resource, stored: KubeObject): KubeObject {
  const object = { ...stored, apiVersion: apiVersionOf(resource), kind: resource.kind };
  if (resource.kind === 'HorizontalPodAutoscaler' && resource.version === 'v1')
    return hpaToV1(object) as KubeObject;
  return object;
}

export function toStored(resource: Resource, served: KubeObject, previous?: KubeObject): KubeObject {
  if (resource.custom)
    return {
      ...served,
      apiVersion: `${resource.group}/${resource.custom.storageVersion}`,
      kind: resource.kind,
    };
  const storage = resourceOfKind(resource.kind) ?? resource;
  let object = served;
  if (resource.kind === 'HorizontalPodAutoscaler' && resource.version === 'v1') {
    object = hpaFromV1(served) as KubeObject;
    // What v1 cannot say (behavior, metrics other than CPU utilization) survives a v1 write.
    if (previous?.spec) {
      const others = (previous.spec.metrics ?? []).filter(
        (m: { type?: string; resource?: { name?: string; target?: { type?: string } } }) =>
          !(
            m.type === 'Resource' &&
            m.resource?.name === 'cpu' &&
            m.resource?.target?.type === 'Utilization'
          ),
      );
      object.spec = {
        ...object.spec,
        ...(previous.spec.behavior ? { behavior: previous.spec.behavior } : {}),
        metrics: [...(object.spec.metrics ?? []), ...others],
      };
      if (object.spec.metrics.length === 0) delete object.spec.metrics;
    }
  }
  return { ...object, apiVersion: apiVersionOf(storage), kind: resource.kind };
}
