import { applySchemaDefaults, pruneUnknown, validateAgainstSchema } from '../../kube/custom/schema.js';
import { badRequest, invalid } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { Resource } from '../../kube/resources.js';
import type { ApiCall } from './http.js';
import type { WriteParams } from './write-common.js';

/**
 * The write path of a custom resource under its version's schema: unknown fields pruned (an error
 * under fieldValidation=Strict, a warning under Warn), then defaults, then validation (422).
 */
export function checkCustomFields(
  call: ApiCall,
  resource: Resource,
  object: KubeObject,
  params: WriteParams,
): void {
  const schema = resource.custom?.schema;
  if (!schema) return;
  const unknown = pruneUnknown(schema, object);
  if (unknown.length === 0) return;
  if (params.validation === 'Strict')
    throw badRequest(
      `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  if (params.validation === 'Warn') for (const f of unknown) call.warnings.push(`unknown field "${f}"`);
}

/** Defaults and validation, before admission's metadata checks; `old` for a status write. */
export function admitCustom(resource: Resource, object: KubeObject, statusOf?: KubeObject): void {
  const schema = resource.custom?.schema;
  if (!schema) return;
  applySchemaDefaults(schema, object);
  const errors = validateAgainstSchema(schema, statusOf ? { ...statusOf, status: object.status } : object);
  if (!errors.empty) throw invalid(resource.kind, resource.group, object.metadata?.name ?? '', errors.causes);
}
