import { admitUpdate } from '../../kube/admission/index.js';
import { badRequest, invalid } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { selectorFromObject, selectorString } from '../../kube/selectors.js';
import { recordWrite, writeContext } from '../patch/managed.js';
import type { Api } from './context.js';
import { type ApiCall, decodeBody, sendJson } from './http.js';
import type { Route } from './route.js';
import { applyPatch, patchTypeOf } from './write.js';
import { writeParams } from './write-common.js';

/**
 * The scale subresource of Deployments and ReplicaSets (autoscaling/v1 Scale): what
 * `kubectl scale` patches and the HPA controller reads.
 */
function scaleOf(parent: KubeObject): KubeObject {
  const meta = parent.metadata as KubeObject['metadata'] & { resourceVersion?: string };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    } as KubeObject['metadata'],
    spec: { replicas: parent.spec?.replicas ?? 0 },
    status: {
      replicas: parent.status?.replicas ?? 0,
      selector: selectorString(selectorFromObject(parent.spec?.selector)),
    },
  };
}

export function handleScale(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const { resource } = route;
  const parent = api.store.require(resource.storeKind, route.namespace, route.name!);
  if (call.method === 'GET') {
    sendJson(call, 200, scaleOf(parent));
    return;
  }
  const params = writeParams(call.query);
  let scale: KubeObject;
  if (call.method === 'PUT') scale = decodeBody(body, call.req.headers['content-type']) as KubeObject;
  else if (call.method === 'PATCH') {
    const type = patchTypeOf(call.req.headers['content-type']);
    const patch = decodeBody(body, type === 'apply' ? 'yaml' : 'json');
    scale =
      type === 'apply'
        ? (patch as KubeObject)
        : applyPatch(type, scaleOf(parent), patch, 'io.k8s.api.autoscaling.v1.Scale');
  } else throw badRequest(`the scale subresource does not support ${call.method}`);
  const replicas = scale?.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas))
    throw badRequest('Scale in version "v1" cannot be handled as a Scale: spec.replicas must be an integer');
  if (replicas < 0)
    throw invalid('Scale', 'autoscaling', route.name!, [
      { field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` },
    ]);
  const rv = (scale.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  const next = structuredClone(parent);
  next.spec = { ...next.spec, replicas };
  (next.metadata as { resourceVersion?: string }).resourceVersion =
    rv || (parent.metadata as { resourceVersion?: string }).resourceVersion;
  recordWrite(
    writeContext(resource, params.fieldManager, call.req.headers['user-agent'], 'scale'),
    resource.storeKind,
    parent,
    next,
  );
  admitUpdate(resource.storeKind, next, parent, { store: api.store });
  const updated = params.dryRun ? next : api.store.update(resource.storeKind, next);
  sendJson(call, 200, scaleOf(updated));
}
