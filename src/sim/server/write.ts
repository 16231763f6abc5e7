import { randomUUID } from 'node:crypto';
import { admitCreate, admitUpdate } from '../../kube/admission/index.js';
import { generateName } from '../../kube/admission/meta.js';
import { ApiError, badRequest, conflict } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { apiVersionOf, naming } from '../../kube/resources.js';
import { checkEscalation } from '../auth/escalation.js';
import { serverSideApply } from '../patch/apply.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { recordWrite, writeContext } from '../patch/managed.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../patch/strategic.js';
import { definition, normalizeDecoded } from '../schema/schema.js';
import { now } from '../store.js';
import { type Api, respondObject } from './context.js';
import { admitCustom, checkCustomFields } from './custom.js';
import { type ApiCall, decodeBody, inputMediaType } from './http.js';
import type { Route } from './route.js';
import { toServed, toStored } from './versions.js';
import {
  checkFields,
  checkNamespaceOpen,
  checkTypeMeta,
  unsupportedMediaType,
  unsupportedPatch,
  type WriteParams,
  writeParams,
} from './write-common.js';

/**
 * Create (POST), replace (PUT) and the four kinds of PATCH, each through decoding checks, field
 * validation, conversion to the stored version, admission (defaults, strategy, validation) and
 * the store, or nowhere under dryRun=All.
 */
export function handleCreate(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const params = writeParams(call.query);
  const object = checkTypeMeta(route.resource, decodeObject(call, route, body));
  checkFields(call, route.resource, object, params);
  checkCustomFields(call, route.resource, object, params);
  create(api, call, route, object, params);
}

function create(api: Api, call: ApiCall, route: Route, object: KubeObject, params: WriteParams): void {
  const { resource } = route;
  const meta = object.metadata as KubeObject['metadata'] & {
    resourceVersion?: string;
    generateName?: string;
    managedFields?: unknown;
  };
  if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (resource.namespaced) {
    const namespace = route.namespace ?? 'default';
    if (meta.namespace && meta.namespace !== namespace)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    meta.namespace = namespace;
  } else delete meta.namespace;
  if (!meta.name && meta.generateName) {
    do meta.name = generateName(meta.generateName);
    while (api.store.get(resource.storeKind, meta.namespace, meta.name));
  }
  if (resource.namespaced) checkNamespaceOpen(api.store, resource, meta.namespace!, meta.name);
  normalizeDecoded(resource.definition, object);
  const stored = toStored(resource, object);
  if (resource.custom) admitCustom(resource, stored);
  if (!call.req.headers['content-type']?.includes('apply-patch'))
    recordWrite(
      writeContext(resource, params.fieldManager, call.req.headers['user-agent']),
      resource.storeKind,
      undefined,
      stored,
    );
  const uid = randomUUID();
  stored.metadata.uid = uid;
  delete stored.metadata.deletionTimestamp;
  if (api.auth && call.user) checkEscalation(api.auth, call.user, resource.storeKind, stored, undefined);
  admitCreate(resource.storeKind, stored, { store: api.store });
  if (params.dryRun) {
    stored.metadata.creationTimestamp = now();
    respondObject(call, resource, stored, 201);
    return;
  }
  respondObject(call, resource, api.store.create(resource.storeKind, stored, { uid }), 201);
}

/** A create or an update's body, in one of the media types the server decodes. */
function decodeObject(call: ApiCall, route: Route, body: Buffer): unknown {
  const type = inputMediaType(call.req.headers['content-type']);
  return decodeBody(body, type, route.resource.kind);
}

export function handleUpdate(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const params = writeParams(call.query);
  const object = checkTypeMeta(route.resource, decodeObject(call, route, body));
  checkFields(call, route.resource, object, params);
  checkCustomFields(call, route.resource, object, params);
  if (object.metadata.name && object.metadata.name !== route.name)
    throw badRequest(
      `the name of the object (${object.metadata.name}) does not match the name on the URL (${route.name})`,
    );
  if (route.resource.namespaced && object.metadata.namespace && object.metadata.namespace !== route.namespace)
    throw badRequest(
      `the namespace of the object (${object.metadata.namespace}) does not match the namespace on the URL (${route.namespace})`,
    );
  update(api, call, route, object, params);
}

/**
 * The replace every update and patch ends in; `object` is in the request's version, and an applied
 * one comes with its managedFields already worked out.
 */
function update(
  api: Api,
  call: ApiCall,
  route: Route,
  object: KubeObject,
  params: WriteParams,
  applied = false,
): void {
  const { resource } = route;
  const old = api.store.require(resource.storeKind, route.namespace, route.name!);
  object.metadata.name = route.name!;
  if (resource.namespaced) object.metadata.namespace = route.namespace;
  const meta = object.metadata as { resourceVersion?: string };
  normalizeDecoded(resource.definition, object);
  const stored = toStored(resource, object, old);
  const status = route.subresource === 'status';
  if (resource.custom) admitCustom(resource, stored, status ? old : undefined);
  checkPrecondition(resource.storeKind, route.name!, meta, old);
  if (!applied) {
    const ctx = writeContext(
      resource,
      params.fieldManager,
      call.req.headers['user-agent'],
      status ? 'status' : undefined,
    );
    recordWrite(ctx, resource.storeKind, old, stored);
  }
  // A custom resource without the status subresource writes its status like any other field.
  const whole = Boolean(resource.custom && !resource.custom.status);
  const written = stored.status;
  if (api.auth && call.user) checkEscalation(api.auth, call.user, resource.storeKind, stored, old);
  admitUpdate(resource.storeKind, stored, old, { store: api.store }, { status });
  if (whole) {
    if (written === undefined) delete stored.status;
    else stored.status = written;
  }
  if (params.dryRun) {
    const preview = status ? { ...old, status: stored.status } : { ...stored, status: old.status };
    preview.metadata = {
      ...stored.metadata,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      generation: old.metadata.generation,
    };
    respondObject(call, resource, preview);
    return;
  }
  let result = api.store.update(resource.storeKind, stored, { status, whole });
  const finalizers = (result.metadata as { finalizers?: string[] }).finalizers ?? [];
  const selfFinishing = resource.kind === 'Pod' || resource.kind === 'Namespace';
  if (result.metadata.deletionTimestamp && finalizers.length === 0 && !selfFinishing)
    result = api.store.remove(resource.storeKind, route.namespace, route.name!);
  respondObject(call, resource, result);
}

/**
 * The resourceVersion of an update is its precondition, checked before the strategy and validation
 * (the generic registry's Store.Update): a stale one is a 409 Conflict whatever else is wrong with
 * the object. An empty one or "0" means no precondition, an unconditional update, which every
 * built-in kind allows (AllowUnconditionalUpdate). One that is not a number fails to parse as a
 * uint64 and comes back as the storage's raw error, a 500.
 */
function checkPrecondition(
  kind: string,
  name: string,
  meta: { resourceVersion?: string },
  old: KubeObject,
): void {
  const wanted = meta.resourceVersion;
  if (wanted === undefined || wanted === '' || wanted === '0') {
    delete meta.resourceVersion;
    return;
  }
  if (!/^\d+$/.test(wanted) || BigInt(wanted) >= 2n ** 64n) {
    const why = /^\d+$/.test(wanted) ? 'value out of range' : 'invalid syntax';
    throw new ApiError(500, '', `strconv.ParseUint: parsing ${JSON.stringify(wanted)}: ${why}`);
  }
  const current = (old.metadata as { resourceVersion?: string }).resourceVersion ?? '0';
  if (BigInt(wanted) !== BigInt(current)) {
    const { resource: plural, group } = naming(kind);
    throw conflict(plural, name, group);
  }
  meta.resourceVersion = current;
}

const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export function patchTypeOf(contentType: string | undefined): keyof typeof PATCH_TYPES {
  const type = (contentType ?? '').split(';')[0]!.trim();
  for (const [name, mime] of Object.entries(PATCH_TYPES))
    if (type === mime) return name as keyof typeof PATCH_TYPES;
  if (type === 'application/apply-patch+cbor') return 'apply';
  throw unsupportedMediaType();
}

/** Applies a JSON, merge or strategic patch to a document of the given schema. */
export function applyPatch(
  type: 'json' | 'merge' | 'strategic',
  current: unknown,
  patch: unknown,
  schemaName?: string,
): KubeObject {
  if (type === 'json') return applyJsonPatch(current, patch);
  if (type === 'merge') {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
      throw badRequest('the merge patch must be a JSON object');
    return applyMergePatch(current, patch);
  }
  return applyStrategicMergePatch(current, patch, schemaName ? definition(schemaName) : undefined);
}

export function handlePatch(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const { resource } = route;
  const params = writeParams(call.query);
  const type = patchTypeOf(call.req.headers['content-type']);
  const patch = decodeBody(body, type === 'apply' ? 'yaml' : 'json');
  if (patch === undefined) throw badRequest('the body of the request was empty');
  if (type === 'apply') {
    applyServerSide(api, call, route, patch, params);
    return;
  }
  // Custom resources have no Go struct for strategic merge patch to read its merge keys from.
  if (type === 'strategic' && resource.custom) throw unsupportedPatch();
  const old = api.store.require(resource.storeKind, route.namespace, route.name!);
  const current = toServed(resource, old);
  const patched = applyPatch(type, current, patch, resource.definition);
  if (!patched || typeof patched !== 'object')
    throw badRequest('the patch produced something that is not an object');
  checkFields(call, resource, patched, params);
  checkCustomFields(call, resource, patched, params);
  if (patched.metadata?.name !== route.name)
    throw badRequest(
      `the name of the object (${patched.metadata?.name}) does not match the name on the URL (${route.name})`,
    );
  update(api, call, route, checkTypeMeta(resource, patched), params);
}

function applyServerSide(api: Api, call: ApiCall, route: Route, config: unknown, params: WriteParams): void {
  const { resource } = route;
  if (!params.fieldManager)
    throw badRequest('PATCH: fieldManager: Required value: is required for apply patch');
  const object = checkTypeMeta(resource, config);
  if (!object.apiVersion || !object.kind)
    throw badRequest('apiVersion and kind must be set in an apply patch');
  if (object.metadata.name && object.metadata.name !== route.name)
    throw badRequest(
      `the name of the object (${object.metadata.name}) does not match the name on the URL (${route.name})`,
    );
  checkFields(call, resource, object, params);
  checkCustomFields(call, resource, object, params);
  const schema = resource.definition ? definition(resource.definition) : undefined;
  const old = api.store.get(resource.storeKind, route.namespace, route.name!);
  const options = {
    force: params.force,
    apiVersion: apiVersionOf(resource),
    subresource: route.subresource,
  };
  if (!old) {
    const created = serverSideApply(undefined, object, schema, params.fieldManager, options) as KubeObject;
    created.metadata.name = route.name!;
    create(api, call, route, created, params);
    return;
  }
  const live = toServed(resource, old);
  const applied = serverSideApply(live, object, schema, params.fieldManager, options) as KubeObject;
  update(api, call, route, applied, params, true);
}
