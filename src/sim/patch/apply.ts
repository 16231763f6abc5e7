import { FieldSet } from '../../kube/fieldpath.js';
import {
  applyManaged,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  type Managed,
} from '../../kube/managed-fields.js';
import type { Schema } from '../schema/schema.js';
import { now } from '../store.js';
import { fieldTypeOf } from './field-types.js';

/**
 * Server-side apply (`application/apply-patch+yaml`): the configuration merges into the live object
 * as structured-merge-diff merges (maps by key, keyed lists by their keys, sets as unions, atomic
 * values whole), fields the manager applied before and leaves out now are removed unless another
 * manager owns them, and a change to a field another manager owns is a 409 Conflict unless forced.
 * The rules are in kube/managed-fields.ts; this hands them the live object and its managedFields.
 */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document of any shape.
type JsonMap = Record<string, any>;

export interface ApplyOptions {
  force?: boolean;
  /** The request's group/version (default: the configuration's). */
  apiVersion?: string;
  subresource?: string;
}

function liveManaged(live: JsonMap | undefined): Managed {
  try {
    return decodeManagedFields(live?.metadata?.managedFields);
  } catch {
    return emptyManaged();
  }
}

/** The object after `manager` applies `config` to `live` (absent: a create), with its managedFields. */
export function serverSideApply(
  live: JsonMap | undefined,
  config: JsonMap,
  schema: Schema | undefined,
  manager: string,
  options: ApplyOptions = {},
): JsonMap {
  const managed = liveManaged(live);
  let base: JsonMap | undefined;
  if (live) {
    base = structuredClone(live);
    if (base.metadata) delete base.metadata.managedFields;
  }
  const result = applyManaged(
    managed,
    base,
    config,
    {
      manager,
      apiVersion: options.apiVersion ?? config.apiVersion,
      subresource: options.subresource,
      type: fieldTypeOf(schema),
      ignored: options.subresource === 'status' ? FieldSet.of(['f:spec']) : FieldSet.of(['f:status']),
      time: now(),
    },
    options.force ?? false,
  );
  result.metadata ??= {};
  const encoded = encodeManagedFields(managed);
  if (encoded) result.metadata.managedFields = encoded;
  else delete result.metadata.managedFields;
  return result;
}
