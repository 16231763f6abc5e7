import { servedResources } from '../../kube/custom/definition.js';
import type { KubeObject } from '../../kube/objects.js';
import type { Catalog } from '../../kube/resources.js';
import { now, type Store } from '../store.js';

/**
 * The apiextensions API server's own controllers, which run inside the API server: naming (checks
 * a CRD's names against the other CRDs of its group and accepts them), establishing (Established
 * once the names are accepted), the catalog that serves the resources of established CRDs, and the
 * finalizer (customresourcecleanup) that deletes a deleted CRD's objects before the CRD goes.
 * Started with the API server; what the store holds at start is served again (a restart).
 */
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const KIND = 'CustomResourceDefinition';

// biome-ignore lint/suspicious/noExplicitAny: CRD bodies are open JSON.
type Obj = Record<string, any>;

export function startApiExtensions(store: Store, catalog: Catalog): () => void {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = (name: string, delay = 0) => {
    pending.add(name);
    if (timer && delay === 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, delay);
    timer.unref?.();
  };

  const run = () => {
    timer = undefined;
    if (stopped) return;
    const names = [...pending];
    pending.clear();
    for (const name of names) {
      try {
        reconcile(store, catalog, name, (later) => schedule(name, later));
      } catch {
        // A write that lost a race is retried with the next change of the CRD.
        schedule(name, 200);
      }
    }
  };

  for (const crd of store.list(KIND)) {
    catalog.define(crd.metadata.name, servedResources(crd));
    schedule(crd.metadata.name);
  }
  const unsubscribe = store.subscribe((event) => {
    if (event.kind !== KIND) return;
    if (event.type === 'DELETED') catalog.define(event.object.metadata.name, []);
    else {
      // Served at once when its status says so: a write is never answered before discovery has it.
      catalog.define(event.object.metadata.name, servedResources(event.object));
      schedule(event.object.metadata.name);
    }
  });
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  previous?: Obj,
): Obj {
  const same = previous?.status === status;
  return {
    type,
    status,
    lastTransitionTime: same && previous?.lastTransitionTime ? previous.lastTransitionTime : now(),
    reason,
    message,
  };
}

/** The names another CRD of the same group already holds. */
function conflicts(store: Store, crd: Obj): { reason: string; message: string } | undefined {
  const names = crd.spec?.names ?? {};
  for (const other of store.list(KIND)) {
    if (other.metadata.name === crd.metadata.name || other.spec?.group !== crd.spec?.group) continue;
    const taken = (other as Obj).status?.acceptedNames ?? {};
    const used = new Set([taken.plural, taken.singular, ...(taken.shortNames ?? [])].filter(Boolean));
    if (used.has(names.plural))
      return { reason: 'PluralConflict', message: `"${names.plural}" is already in use` };
    if (names.singular && used.has(names.singular))
      return { reason: 'SingularConflict', message: `"${names.singular}" is already in use` };
    for (const short of names.shortNames ?? [])
      if (used.has(short)) return { reason: 'ShortNamesConflict', message: `"${short}" is already in use` };
    if (taken.kind && taken.kind === names.kind)
      return { reason: 'KindConflict', message: `"${names.kind}" is already in use` };
    if (taken.listKind && taken.listKind === names.listKind)
      return { reason: 'ListKindConflict', message: `"${names.listKind}" is already in use` };
  }
  return undefined;
}

function reconcile(store: Store, catalog: Catalog, name: string, retry: (delayMs: number) => void): void {
  const crd = store.get(KIND, undefined, name) as Obj | undefined;
  if (!crd) return;
  if (crd.metadata.deletionTimestamp) {
    finalize(store, catalog, crd, retry);
    return;
  }
  const status = structuredClone(crd.status ?? {});
  const previous = (type: string) => (status.conditions ?? []).find((c: Obj) => c.type === type);
  const conflict = conflicts(store, crd);
  const accepted = !conflict;
  const named = accepted
    ? condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found', previous('NamesAccepted'))
    : condition('NamesAccepted', 'False', conflict.reason, conflict.message, previous('NamesAccepted'));
  if (accepted) status.acceptedNames = structuredClone(crd.spec.names);
  const wasEstablished = previous('Established')?.status === 'True';
  const established =
    accepted || wasEstablished
      ? condition(
          'Established',
          'True',
          'InitialNamesAccepted',
          'the initial names have been accepted',
          previous('Established'),
        )
      : condition(
          'Established',
          'False',
          'NotAccepted',
          'not all names are accepted',
          previous('Established'),
        );
  const others = (status.conditions ?? []).filter(
    (c: Obj) => c.type !== 'NamesAccepted' && c.type !== 'Established',
  );
  status.conditions = [named, established, ...others];
  if (JSON.stringify(status) === JSON.stringify(crd.status ?? {})) return;
  const updated = store.update(KIND, { ...crd, status } as KubeObject, { status: true });
  catalog.define(name, servedResources(updated));
}

/** The cleanup finalizer: every object of the CRD deleted, then the finalizer taken off. */
function finalize(store: Store, catalog: Catalog, crd: Obj, retry: (delayMs: number) => void): void {
  const finalizers: string[] = crd.metadata.finalizers ?? [];
  if (!finalizers.includes(CLEANUP_FINALIZER)) return;
  catalog.define(crd.metadata.name, []);
  let remaining = 0;
  for (const object of store.list(crd.metadata.name)) {
    remaining++;
    store.delete(crd.metadata.name, object.metadata.namespace, object.metadata.name);
  }
  if (remaining > 0 && store.list(crd.metadata.name).length > 0) {
    retry(1000);
    return;
  }
  const done = {
    ...crd,
    metadata: { ...crd.metadata, finalizers: finalizers.filter((f) => f !== CLEANUP_FINALIZER) },
  };
  delete (done.metadata as { resourceVersion?: string }).resourceVersion;
  const result = store.update(KIND, done as KubeObject);
  if (((result.metadata as Obj).finalizers ?? []).length === 0)
    store.remove(KIND, undefined, crd.metadata.name);
}
