import { badRequest, conflict, forbidden } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { naming } from '../../kube/resources.js';
import { CLEANUP_FINALIZER } from '../apiextensions/index.js';
import type { Store } from '../store.js';
import { type Api, respondObject } from './context.js';
import { type ApiCall, decodeBody, queryInt, sendJson } from './http.js';
import { filtersOf, matches } from './read.js';
import type { Route } from './route.js';
import { toServed } from './versions.js';
import { writeParams } from './write-common.js';

/**
 * DELETE of one object and of a collection, with DeleteOptions: propagationPolicy (Orphan strips
 * the dependents' ownerReferences; Background leaves them to the garbage collector; Foreground
 * marks the owner with the foregroundDeletion finalizer), gracePeriodSeconds (pods terminate
 * through the node; 0 removes at once), preconditions and dryRun. Namespaces turn Terminating and
 * the namespace controller empties them.
 */
export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

function deleteOptions(call: ApiCall, body: Buffer): DeleteOptions {
  const params = writeParams(call.query);
  const fromBody = (decodeBody(body, call.req.headers['content-type']) ?? {}) as Record<string, unknown>;
  let policy = (call.query.get('propagationPolicy') ??
    fromBody.propagationPolicy) as DeleteOptions['propagationPolicy'];
  const orphan = call.query.get('orphanDependents') ?? fromBody.orphanDependents;
  if (policy === undefined && (orphan === true || orphan === 'true')) policy = 'Orphan';
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy))
    throw badRequest(
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  const grace =
    queryInt(call.query, 'gracePeriodSeconds') ?? (fromBody.gracePeriodSeconds as number | undefined);
  const dryRun = params.dryRun || (Array.isArray(fromBody.dryRun) && fromBody.dryRun.includes('All'));
  return {
    propagationPolicy: policy,
    gracePeriodSeconds: grace,
    preconditions: fromBody.preconditions as DeleteOptions['preconditions'],
    dryRun,
  };
}

/** Dependents of an owner: every stored object whose ownerReferences name its uid. */
function dependentsOf(store: Store, owner: KubeObject): { kind: string; object: KubeObject }[] {
  const out: { kind: string; object: KubeObject }[] = [];
  const kinds = new Set(store.kinds());
  for (const kind of kinds) {
    const namespace = owner.metadata.namespace;
    for (const object of store.list(kind, namespace)) {
      if ((object.metadata.ownerReferences ?? []).some((ref) => ref.uid === owner.metadata.uid))
        out.push({ kind, object });
    }
  }
  return out;
}

export function deleteOne(
  api: Api,
  kind: string,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
): KubeObject {
  const { store } = api;
  const current = store.require(kind, namespace, name);
  const pre = options.preconditions;
  const { resource: plural, group } = naming(kind);
  if (pre?.uid && pre.uid !== current.metadata.uid)
    throw conflict(
      plural,
      name,
      group,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
    );
  const rv = (current.metadata as { resourceVersion?: string }).resourceVersion;
  if (pre?.resourceVersion && pre.resourceVersion !== rv)
    throw conflict(
      plural,
      name,
      group,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${rv}`,
    );

  // Jobs and ReplicationControllers orphan by default, as before server-side garbage collection.
  const policy =
    options.propagationPolicy ??
    (kind === 'Job' || kind === 'ReplicationController' ? 'Orphan' : 'Background');
  if (options.dryRun) {
    return current.metadata.deletionTimestamp
      ? current
      : { ...current, metadata: { ...current.metadata, deletionTimestamp: new Date().toISOString() } };
  }
  if (kind === 'Namespace') {
    if (name === 'default' || name === 'kube-system' || name === 'kube-public')
      throw forbiddenSystemNamespace(name);
    return store.markDeleted(kind, namespace, name, (ns) => {
      ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    });
  }
  if (kind === 'CustomResourceDefinition') {
    // The registry's Delete: Terminating, and the cleanup finalizer that deletes its objects first.
    return store.markDeleted(kind, namespace, name, (crd) => {
      const meta = crd.metadata as { finalizers?: string[] };
      meta.finalizers = [...new Set([...(meta.finalizers ?? []), CLEANUP_FINALIZER])];
      const conditions = (crd.status?.conditions ?? []).filter(
        (c: { type?: string }) => c.type !== 'Terminating',
      );
      crd.status = {
        ...(crd.status ?? {}),
        conditions: [
          ...conditions,
          {
            type: 'Terminating',
            status: 'True',
            lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            reason: 'InstanceDeletionPending',
            message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
          },
        ],
      };
    });
  }
  if (policy === 'Orphan') {
    for (const { kind: depKind, object } of dependentsOf(store, current)) {
      object.metadata.ownerReferences = (object.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== current.metadata.uid,
      );
      if (object.metadata.ownerReferences.length === 0) delete object.metadata.ownerReferences;
      delete (object.metadata as { resourceVersion?: string }).resourceVersion;
      store.update(depKind, object);
    }
  }
  if (kind === 'Pod') {
    const phase = current.status?.phase;
    const grace = options.gracePeriodSeconds ?? current.spec?.terminationGracePeriodSeconds ?? 30;
    if (grace <= 0 || !current.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') {
      return current.metadata.deletionTimestamp && grace > 0 ? current : store.remove(kind, namespace, name);
    }
    return store.markDeleted(kind, namespace, name, (pod) => {
      (pod.metadata as { deletionGracePeriodSeconds?: number }).deletionGracePeriodSeconds = grace;
    });
  }
  if (policy === 'Foreground' && dependentsOf(store, current).length > 0) {
    return store.markDeleted(kind, namespace, name, (owner) => {
      const meta = owner.metadata as { finalizers?: string[] };
      meta.finalizers = [...new Set([...(meta.finalizers ?? []), 'foregroundDeletion'])];
    });
  }
  return store.delete(kind, namespace, name);
}

function forbiddenSystemNamespace(name: string) {
  return forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
}

export function handleDelete(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const options = deleteOptions(call, body);
  if (route.resource.kind === 'Job' && options.propagationPolicy === undefined)
    call.warnings.push(
      'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning',
    );
  const result = deleteOne(api, route.resource.storeKind, route.namespace, route.name!, options);
  respondObject(call, route.resource, result);
}

export function handleDeleteCollection(api: Api, call: ApiCall, route: Route, body: Buffer): void {
  const options = deleteOptions(call, body);
  const filters = filtersOf(route.resource, call.query);
  const deleted: KubeObject[] = [];
  for (const object of api.store.list(route.resource.storeKind, route.namespace)) {
    if (!matches(filters, object)) continue;
    deleted.push(
      deleteOne(api, route.resource.storeKind, object.metadata.namespace, object.metadata.name, options),
    );
  }
  sendJson(call, 200, {
    kind: route.resource.custom?.listKind ?? `${route.resource.kind}List`,
    apiVersion: route.resource.group
      ? `${route.resource.group}/${route.resource.version}`
      : route.resource.version,
    metadata: { resourceVersion: api.store.resourceVersion },
    items: deleted.map((o) => toServed(route.resource, o)),
  });
}
