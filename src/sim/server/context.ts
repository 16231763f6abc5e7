import type { KubeObject } from '../../kube/objects.js';
import type { Resource } from '../../kube/resources.js';
import { type IncludeObject, toTable, wantsTable } from '../../kube/tables/index.js';
import type { Runtime } from '../runtime-api.js';
import type { Store } from '../store.js';
import { type ApiCall, sendJson } from './http.js';
import { toServed } from './versions.js';

/** What every handler works with: the store, the node runtime, a log, the open long requests. */
export interface Api {
  store: Store;
  runtime: () => Runtime | undefined;
  log: (line: string) => void;
  /** Ends every open watch, log stream and proxied request (at shutdown). */
  closers: Set<() => void>;
}

/** Answers one object in the version the request spoke, or as a one-row Table for `kubectl get`. */
export function respondObject(call: ApiCall, resource: Resource, stored: KubeObject, code = 200): void {
  const served = toServed(resource, stored);
  if (wantsTable(call.req.headers.accept)) {
    const include = (call.query.get('includeObject') as IncludeObject | null) ?? 'Metadata';
    sendJson(call, code, toTable(resource.kind, [served], { include }), 'application/json');
    return;
  }
  sendJson(call, code, served);
}
