import { FieldErrors } from '../../kube/admission/field-errors.js';
import { badRequest, invalid } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { Resource } from '../../kube/resources.js';
import {
  checkFieldSelector,
  type FieldRequirement,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type Selector,
} from '../../kube/selectors.js';
import { type IncludeObject, toTable, wantsTable } from '../../kube/tables/index.js';
import { type Api, printerOf, respondObject } from './context.js';
import { type ApiCall, queryInt, sendJson } from './http.js';
import type { Route } from './route.js';
import { toServed } from './versions.js';

/** GET of one object, and lists with label and field selectors, paging (limit/continue) and tables. */
export interface Filters {
  labels: Selector;
  fields: FieldRequirement[];
}

export function filtersOf(resource: Resource, query: URLSearchParams): Filters {
  const fields = parseFieldSelector(query.get('fieldSelector'));
  checkFieldSelector(resource.kind, fields);
  return { labels: parseLabelSelector(query.get('labelSelector')), fields };
}

export function matches(filters: Filters, object: KubeObject): boolean {
  return matchesLabels(filters.labels, object.metadata.labels) && matchesFields(filters.fields, object);
}

export function handleGet(api: Api, call: ApiCall, route: Route): void {
  const object = api.store.require(route.resource.storeKind, route.namespace, route.name!);
  respondObject(call, route.resource, object);
}

interface ContinueToken {
  rv: string;
  start: number;
}

/**
 * What the API server refuses of a list's options (apimachinery's ValidateListOptions), as a 422
 * on ListOptions.meta.k8s.io.
 */
export function validateListOptions(query: URLSearchParams): void {
  const errors = new FieldErrors();
  const match = query.get('resourceVersionMatch');
  if (match) {
    if (!query.get('resourceVersion'))
      errors.forbidden(
        'resourceVersionMatch',
        'resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    if (query.get('continue'))
      errors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    if (match !== 'Exact' && match !== 'NotOlderThan')
      errors.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']);
    if (match === 'Exact' && query.get('resourceVersion') === '0')
      errors.forbidden(
        'resourceVersionMatch',
        'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
  }
  if (query.has('sendInitialEvents'))
    errors.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  if (errors.causes.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', errors.causes);
}

export function handleList(api: Api, call: ApiCall, route: Route): void {
  validateListOptions(call.query);
  const { resource } = route;
  const filters = filtersOf(resource, call.query);
  const resourceVersion = api.store.resourceVersion;
  let items = api.store.list(resource.storeKind, route.namespace).filter((o) => matches(filters, o));

  let start = 0;
  const token = call.query.get('continue');
  if (token) {
    try {
      start = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as ContinueToken).start;
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
  }
  const limit = queryInt(call.query, 'limit');
  let continueToken: string | undefined;
  let remaining: number | undefined;
  if (limit && limit > 0 && items.length - start > limit) {
    continueToken = Buffer.from(JSON.stringify({ rv: resourceVersion, start: start + limit })).toString(
      'base64',
    );
    remaining = items.length - start - limit;
    items = items.slice(start, start + limit);
  } else items = items.slice(start);

  const served = items.map((o) => toServed(resource, o));
  if (wantsTable(call.req.headers.accept)) {
    const include = (call.query.get('includeObject') as IncludeObject | null) ?? 'Metadata';
    sendJson(
      call,
      200,
      toTable(resource.kind, served, {
        resourceVersion,
        include,
        continueToken,
        printer: printerOf(resource),
      }),
    );
    return;
  }
  sendJson(call, 200, {
    kind: resource.custom?.listKind ?? `${resource.kind}List`,
    apiVersion:
      served[0]?.apiVersion ?? (resource.group ? `${resource.group}/${resource.version}` : resource.version),
    metadata: {
      resourceVersion,
      ...(continueToken ? { continue: continueToken, remainingItemCount: remaining } : {}),
    },
    items: served,
  });
}
