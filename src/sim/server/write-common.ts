import { ApiError, badRequest, forbidden, notFound } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { apiVersionOf, type Resource } from '../../kube/resources.js';
import { checkAgainstSchema, dropUnknown } from '../schema/schema.js';
import type { Store } from '../store.js';
import type { ApiCall } from './http.js';

/** What every write shares: its query parameters, decoding checks, field validation, namespaces. */
export interface WriteParams {
  dryRun: boolean;
  fieldManager?: string;
  validation: 'Strict' | 'Warn' | 'Ignore';
  force: boolean;
}

export function writeParams(query: URLSearchParams): WriteParams {
  const dryRun = query.getAll('dryRun');
  for (const value of dryRun) if (value !== 'All') throw badRequest(`Invalid dry run value: ${value}`);
  const validation = query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(validation))
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${validation}"`);
  const fieldManager = query.get('fieldManager') ?? undefined;
  if (fieldManager !== undefined && fieldManager.length > 128)
    throw badRequest('fieldManager: Too long: must have at most 128 bytes');
  return {
    dryRun: dryRun.length > 0,
    fieldManager,
    validation: validation as WriteParams['validation'],
    force: query.get('force') === 'true',
  };
}

const handled = (resource: Resource) =>
  `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}`;

/** The body must be an object of this resource's kind and version. */
export function checkTypeMeta(resource: Resource, object: unknown): KubeObject {
  if (typeof object !== 'object' || object === null || Array.isArray(object))
    throw badRequest(
      `${handled(resource)}: json: cannot unmarshal ${Array.isArray(object) ? 'array' : typeof object} into Go value of type struct`,
    );
  const o = object as KubeObject;
  const expected = apiVersionOf(resource);
  if (o.apiVersion !== undefined && o.apiVersion !== expected)
    throw badRequest(
      `the API version in the data (${o.apiVersion}) does not match the expected API version (${expected})`,
    );
  if (o.kind !== undefined && o.kind !== resource.kind)
    throw badRequest(
      `${handled(resource)}: the kind in the data (${o.kind}) does not match the expected kind (${resource.kind})`,
    );
  o.metadata ??= { name: '' };
  if (typeof o.metadata !== 'object') throw badRequest(`${handled(resource)}: metadata must be an object`);
  return o;
}

/**
 * Checks the body against the kind's schema: wrong JSON types fail as the Go decoder does; unknown
 * fields fail under fieldValidation=Strict, become Warning headers under Warn, and are dropped.
 */
export function checkFields(
  call: ApiCall,
  resource: Resource,
  object: unknown,
  params: WriteParams,
  schemaName = resource.definition,
): void {
  if (!schemaName) return;
  const problems = checkAgainstSchema(schemaName, object);
  if (problems.types.length > 0) throw badRequest(`${handled(resource)}: ${problems.types[0]}`);
  if (problems.unknown.length === 0) return;
  if (params.validation === 'Strict') {
    throw badRequest(
      `${handled(resource)}: strict decoding error: ${problems.unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  if (params.validation === 'Warn')
    for (const f of problems.unknown) call.warnings.push(`unknown field "${f}"`);
  dropUnknown(object, problems.unknownPaths);
}

/** Creating in a namespace needs the namespace, and not one that is being deleted. */
export function checkNamespaceOpen(store: Store, resource: Resource, namespace: string, name: string): void {
  const ns = store.get('Namespace', undefined, namespace);
  if (!ns) throw notFound('namespaces', namespace);
  if (ns.metadata.deletionTimestamp) {
    const what = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
    throw forbidden(
      `${what} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    );
  }
}

/** A strategic merge patch of a kind that has none (a custom resource). */
export function unsupportedPatch(): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  );
}

export function unsupportedMediaType(): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json',
  );
}
