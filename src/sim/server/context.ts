import type { KubeObject } from '../../kube/objects.js';
import type { Catalog, Resource } from '../../kube/resources.js';
import { customPrinter } from '../../kube/tables/custom.js';
import { type IncludeObject, toTable, wantsTable } from '../../kube/tables/index.js';
import type { Auth } from '../auth/index.js';
import type { Runtime } from '../runtime-api.js';
import type { Store } from '../store.js';
import { type ApiCall, sendJson } from './http.js';
import { toServed } from './versions.js';

/** What every handler works with: the store, the node runtime, a log, the open long requests. */
export interface Api {
  store: Store;
  /** What this server serves: the built-in resources and those of its CustomResourceDefinitions. */
  catalog: Catalog;
  runtime: () => Runtime | undefined;
  log: (line: string) => void;
  /** Ends every open watch, log stream and proxied request (at shutdown). */
  closers: Set<() => void>;
  /** Authentication and authorization; absent, every request is served (in-process tests). */
  auth?: Auth;
}

/** Answers one object in the version the request spoke, or as a one-row Table for `kubectl get`. */
/** A custom resource's table is its CRD's printer columns. */
export const printerOf = (resource: Resource) =>
  resource.custom ? customPrinter(resource.custom.printerColumns) : undefined;

export function respondObject(call: ApiCall, resource: Resource, stored: KubeObject, code = 200): void {
  const served = toServed(resource, stored);
  if (wantsTable(call.req.headers.accept)) {
    const include = (call.query.get('includeObject') as IncludeObject | null) ?? 'Metadata';
    sendJson(
      call,
      code,
      toTable(resource.kind, [served], { include, printer: printerOf(resource) }),
      'application/json',
    );
    return;
  }
  sendJson(call, code, served);
}
