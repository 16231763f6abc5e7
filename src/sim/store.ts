import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFileAtomicSync } from '../files/atomic.js';
import { alreadyExists, conflict, gone, notFound } from '../kube/errors.js';
import type { KubeObject } from '../kube/objects.js';
import type { KindNaming } from '../kube/resources.js';

/**
 * The simulated cluster's etcd: every object by kind, namespace and name, one global
 * resourceVersion counter, a history of changes for watches to resume from, and files on disk so
 * that the cluster survives a restart, and a crash.
 *
 * Durability is etcd's: every change is appended to a journal beside the state file as it is made,
 * and `sync()` (which the API server calls before it answers a write) flushes the journal to disk,
 * so that what kubectl was told is done survives a `kill -9`. The state file is written in batches
 * (250 ms) and then the journal starts again empty; loading replays what the journal holds past it.
 *
 * Objects go in and come out as copies: nobody holds a reference into the store.
 */

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  kind: string;
  object: KubeObject;
  /** The resourceVersion this change produced. */
  resourceVersion: number;
}

/** How the API names a kind in errors (`deployments.apps "x" not found`). */
export interface StoreOptions {
  /** The file that holds the state between runs; no persistence without it. */
  file?: string;
  /** How the API names each kind in error messages; defaults to the lower-case kind plus s. */
  naming?: (kind: string) => KindNaming;
  /** How many changes watches may resume from. */
  historySize?: number;
}

const key = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** Kubernetes timestamps carry seconds, not milliseconds. */
export const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class Store {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private revision = 1;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly naming: (kind: string) => KindNaming;
  /** The journal's file descriptor, and whether it holds changes not yet on disk. */
  private journal: number | undefined;
  private unsynced = false;

  constructor(private readonly options: StoreOptions = {}) {
    this.naming = options.naming ?? ((kind) => ({ resource: `${kind.toLowerCase()}s`, group: '' }));
    if (options.file) {
      this.load(options.file);
      // What the journal held is in memory now: fold it into the state file, start it again.
      this.flush();
    }
  }

  /** The current resourceVersion of the whole store (what a list answers with). */
  get resourceVersion(): string {
    return String(this.revision);
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(kind)?.get(key(namespace, name));
    return found ? structuredClone(found) : undefined;
  }

  /** Must-exist read: a 404 in the API's words when absent. */
  require(kind: string, namespace: string | undefined, name: string): KubeObject {
    const found = this.get(kind, namespace, name);
    if (!found) {
      const { resource, group } = this.naming(kind);
      throw notFound(resource, name, group);
    }
    return found;
  }

  /** Every object of a kind, in one namespace or (namespace undefined) in all, ordered by name. */
  list(kind: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(kind)?.values() ?? [])];
    return all
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(
        (a, b) =>
          (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
          a.metadata.name.localeCompare(b.metadata.name),
      )
      .map((o) => structuredClone(o));
  }

  kinds(): string[] {
    return [...this.objects.keys()];
  }

  /**
   * Creates an object: assigns uid, creationTimestamp, generation 1 and a resourceVersion. The API
   * server passes `uid` when the object's own fields depend on it (a Job's generated selector).
   */
  create(kind: string, object: KubeObject, options: { uid?: string } = {}): KubeObject {
    const { namespace, name } = object.metadata;
    const bucket = this.bucket(kind);
    if (bucket.has(key(namespace, name))) {
      const { resource, group } = this.naming(kind);
      throw alreadyExists(resource, name, group);
    }
    const stored = structuredClone(object);
    stored.kind ??= kind;
    stored.metadata = {
      ...stored.metadata,
      uid: options.uid ?? randomUUID(),
      creationTimestamp: now(),
      ...(NO_GENERATION.has(kind) ? {} : { generation: 1 }),
    };
    if (NO_GENERATION.has(kind)) delete (stored.metadata as { generation?: number }).generation;
    delete (stored.metadata as { deletionTimestamp?: string }).deletionTimestamp;
    return this.commit('ADDED', kind, stored);
  }

  /**
   * Replaces an object. With a resourceVersion in `object`, it must match the stored one (else a
   * 409 Conflict, as optimistic concurrency wants). `status: true` writes only the status (the
   * status subresource); otherwise the status is kept and a changed spec bumps the generation.
   */
  update(kind: string, object: KubeObject, options: { status?: boolean; whole?: boolean } = {}): KubeObject {
    const { namespace, name } = object.metadata;
    const current = this.objects.get(kind)?.get(key(namespace, name));
    const { resource, group } = this.naming(kind);
    if (!current) throw notFound(resource, name, group);
    const meta = object.metadata as { resourceVersion?: string };
    if (
      meta.resourceVersion &&
      meta.resourceVersion !== (current.metadata as { resourceVersion?: string }).resourceVersion
    ) {
      throw conflict(resource, name, group);
    }
    const next = structuredClone(
      options.status
        ? { ...current, status: object.status }
        : options.whole
          ? object
          : { ...object, status: current.status },
    );
    // A kind without status (ConfigMap, Secret, ...) must not gain a `status` key without a value:
    // a later patch would decode it as a field the kind does not have.
    if (next.status === undefined) delete next.status;
    next.kind ??= kind;
    next.apiVersion ??= current.apiVersion;
    // Fields the server owns cannot be changed by a client.
    next.metadata = {
      ...next.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      ...(current.metadata.generation !== undefined ? { generation: current.metadata.generation } : {}),
      ...(current.metadata.deletionTimestamp
        ? { deletionTimestamp: current.metadata.deletionTimestamp }
        : {}),
    };
    // A status write's field manager records its fields too (they are all it changes in metadata).
    if (options.status && Object.hasOwn(object.metadata, 'managedFields')) {
      const managed = (object.metadata as { managedFields?: unknown }).managedFields;
      if (managed === undefined) delete (next.metadata as { managedFields?: unknown }).managedFields;
      else (next.metadata as { managedFields?: unknown }).managedFields = structuredClone(managed);
    }
    if (NO_GENERATION.has(kind)) delete (next.metadata as { generation?: number }).generation;
    else if (!options.status && specChanged(current, next, options.whole))
      next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    if (JSON.stringify(withoutRevision(next)) === JSON.stringify(withoutRevision(current)))
      return structuredClone(current);
    return this.commit('MODIFIED', kind, next);
  }

  /**
   * Deletes an object. When it has finalizers, or `graceful` is asked (pods terminate before
   * they go), it is only marked with a deletionTimestamp; `remove` takes it out for good.
   */
  delete(
    kind: string,
    namespace: string | undefined,
    name: string,
    options: { graceful?: boolean } = {},
  ): KubeObject {
    const current = this.objects.get(kind)?.get(key(namespace, name));
    const { resource, group } = this.naming(kind);
    if (!current) throw notFound(resource, name, group);
    const finalizers = (current.metadata as { finalizers?: string[] }).finalizers ?? [];
    if (finalizers.length > 0 || options.graceful) {
      if (current.metadata.deletionTimestamp) return structuredClone(current);
      const marked = structuredClone(current);
      marked.metadata.deletionTimestamp = now();
      return this.commit('MODIFIED', kind, marked);
    }
    return this.remove(kind, namespace, name);
  }

  /**
   * Marks an object as being deleted without removing it: sets its deletionTimestamp and lets
   * `mark` change the rest (a namespace's phase Terminating, a pod's grace period, a finalizer for
   * foreground deletion). Idempotent: an object already marked is returned as it is.
   */
  markDeleted(
    kind: string,
    namespace: string | undefined,
    name: string,
    mark: (object: KubeObject) => void = () => {},
  ): KubeObject {
    const current = this.objects.get(kind)?.get(key(namespace, name));
    const { resource, group } = this.naming(kind);
    if (!current) throw notFound(resource, name, group);
    if (current.metadata.deletionTimestamp) return structuredClone(current);
    const marked = structuredClone(current);
    marked.metadata.deletionTimestamp = now();
    mark(marked);
    return this.commit('MODIFIED', kind, marked);
  }

  /** Takes an object out of the store (the end of a graceful deletion). */
  remove(kind: string, namespace: string | undefined, name: string): KubeObject {
    const bucket = this.objects.get(kind);
    const current = bucket?.get(key(namespace, name));
    const { resource, group } = this.naming(kind);
    if (!bucket || !current) throw notFound(resource, name, group);
    bucket.delete(key(namespace, name));
    const removed = structuredClone(current);
    this.revision++;
    (removed.metadata as { resourceVersion?: string }).resourceVersion = String(this.revision);
    this.emit({ type: 'DELETED', kind, object: removed, resourceVersion: this.revision });
    return structuredClone(removed);
  }

  /** Listens to every change, in order, synchronously (controllers queue their own work). */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The changes after `resourceVersion`, for a watch that resumes; a 410 Gone when they are older
   * than the history kept (kubectl then lists again).
   */
  changesSince(resourceVersion: number): StoreEvent[] {
    if (resourceVersion >= this.revision) return [];
    const oldest = this.history[0]?.resourceVersion;
    if (oldest === undefined || resourceVersion < oldest - 1) {
      throw gone(`too old resource version: ${resourceVersion} (${oldest ?? this.revision})`);
    }
    return this.history.filter((e) => e.resourceVersion > resourceVersion).map((e) => structuredClone(e));
  }

  /** Writes the state now (at shutdown); otherwise saves are batched. */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.options.file) return;
    const state = {
      version: 1,
      resourceVersion: this.revision,
      objects: Object.fromEntries([...this.objects].map(([kind, bucket]) => [kind, [...bucket.values()]])),
    };
    // The state file holds Secrets: private to the user.
    writeFileAtomicSync(this.options.file, JSON.stringify(state), 0o600);
    // Everything the journal held is in the state file, which is on disk: empty the journal.
    const journal = this.openJournal();
    ftruncateSync(journal, 0);
    fsyncSync(journal);
    this.unsynced = false;
  }

  /** Puts every change made so far on disk (the journal), before a write is answered. */
  sync(): void {
    if (!this.unsynced || this.journal === undefined) return;
    fsyncSync(this.journal);
    this.unsynced = false;
  }

  /** Closes the journal (after the last flush). */
  close(): void {
    if (this.journal === undefined) return;
    closeSync(this.journal);
    this.journal = undefined;
  }

  private openJournal(): number {
    this.journal ??= openSync(journalPath(this.options.file!), 'a', 0o600);
    return this.journal;
  }

  private bucket(kind: string): Map<string, KubeObject> {
    let bucket = this.objects.get(kind);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(kind, bucket);
    }
    return bucket;
  }

  private commit(type: EventType, kind: string, object: KubeObject): KubeObject {
    this.revision++;
    (object.metadata as { resourceVersion?: string }).resourceVersion = String(this.revision);
    this.bucket(kind).set(key(object.metadata.namespace, object.metadata.name), object);
    this.emit({ type, kind, object: structuredClone(object), resourceVersion: this.revision });
    return structuredClone(object);
  }

  private emit(event: StoreEvent): void {
    if (this.options.file) {
      // Appended now; on disk at the next sync() (a write answered) or flush.
      const line = JSON.stringify({
        t: event.type,
        k: event.kind,
        rv: event.resourceVersion,
        o: event.object,
      });
      writeSync(this.openJournal(), `${line}\n`);
      this.unsynced = true;
    }
    this.history.push(event);
    const limit = this.options.historySize ?? 5000;
    if (this.history.length > limit) this.history.splice(0, this.history.length - limit);
    this.scheduleSave();
    for (const listener of this.listeners) listener(event);
  }

  private scheduleSave(): void {
    if (!this.options.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 250);
    this.saveTimer.unref();
  }

  private load(file: string): void {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // No state yet: the journal alone may hold what was made before a crash.
    }
    if (text !== undefined) {
      const state = JSON.parse(text) as { resourceVersion: number; objects: Record<string, KubeObject[]> };
      this.revision = state.resourceVersion;
      for (const [kind, objects] of Object.entries(state.objects)) {
        const bucket = this.bucket(kind);
        for (const object of objects)
          bucket.set(key(object.metadata.namespace, object.metadata.name), object);
      }
    }
    this.replay(journalPath(file));
  }

  /** Applies the journal's changes newer than the state file; a torn last line is a write never answered. */
  private replay(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let change: { t: EventType; k: string; rv: number; o: KubeObject };
      try {
        change = JSON.parse(line);
      } catch {
        break;
      }
      if (typeof change.rv !== 'number' || change.rv <= this.revision || !change.o?.metadata) continue;
      const bucket = this.bucket(change.k);
      const at = key(change.o.metadata.namespace, change.o.metadata.name);
      if (change.t === 'DELETED') bucket.delete(at);
      else bucket.set(at, change.o);
      this.revision = change.rv;
    }
  }
}

/** The journal beside the state file: state.json -> state.journal. */
export const journalPath = (file: string) => file.replace(/\.json$/, '') + '.journal';

function withoutRevision(object: KubeObject): KubeObject {
  const copy = { ...object, metadata: { ...object.metadata } };
  delete (copy.metadata as { resourceVersion?: string }).resourceVersion;
  return copy;
}

/**
 * Kinds whose registry strategies set no metadata.generation (Kubernetes 1.32; Pods gain one in
 * 1.33): kubectl shows none on them. Every other kind, custom resources too, counts its spec
 * changes in it.
 */
const NO_GENERATION = new Set([
  'Pod',
  'Service',
  'Endpoints',
  'ConfigMap',
  'Secret',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'StorageClass',
  'Event',
  'Lease',
  'ServiceAccount',
  'ControllerRevision',
  'ResourceQuota',
  'LimitRange',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
]);

/** Everything but metadata and status is "spec" for the generation (Deployments, Jobs, ...). */
function specChanged(before: KubeObject, after: KubeObject, withStatus = false): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status, ...rest } = o;
    return JSON.stringify(withStatus ? { ...rest, status } : rest);
  };
  return strip(before) !== strip(after);
}
