import { badRequest, conflict } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { type Api, respondObject } from './context.js';
import { deleteOne } from './delete.js';
import { type ApiCall, decodeBody, sendJson } from './http.js';
import type { Route } from './route.js';
import { writeParams } from './write-common.js';

/** The small subresources: pods/eviction, pods/binding and namespaces/finalize. */
const success = (code: number) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  code,
});

export function handleEviction(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const eviction = (decodeBody(body, call.req.headers['content-type']) ?? {}) as {
    deleteOptions?: { gracePeriodSeconds?: number };
  };
  const params = writeParams(call.query);
  deleteOne(api, 'Pod', route.namespace, route.name!, {
    gracePeriodSeconds: eviction.deleteOptions?.gracePeriodSeconds,
    dryRun: params.dryRun,
  });
  sendJson(call, 201, success(201));
}

export function handleBinding(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const binding = (decodeBody(body, call.req.headers['content-type']) ?? {}) as {
    target?: { name?: string };
  };
  const node = binding.target?.name;
  if (!node) throw badRequest('Binding.target.name is required');
  const pod = api.store.require('Pod', route.namespace, route.name!);
  if (pod.spec?.nodeName)
    throw conflict(
      'pods',
      route.name!,
      '',
      `pod ${route.name} is already assigned to node "${pod.spec.nodeName}"`,
    );
  pod.spec = { ...pod.spec, nodeName: node };
  api.store.update('Pod', pod);
  sendJson(call, 201, success(201));
}

export function handleFinalize(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const incoming = (decodeBody(body, call.req.headers['content-type']) ?? {}) as KubeObject;
  const ns = api.store.require('Namespace', undefined, route.name!);
  ns.spec = { ...ns.spec, finalizers: incoming.spec?.finalizers ?? [] };
  let result = api.store.update('Namespace', ns);
  if (result.metadata.deletionTimestamp && (result.spec?.finalizers ?? []).length === 0)
    result = api.store.remove('Namespace', undefined, route.name!);
  respondObject(call, route.resource, result);
}
