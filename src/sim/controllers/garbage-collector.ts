import type { KubeObject } from '../../kube/objects.js';
import type { Store, StoreEvent } from '../store.js';
import { Controller } from './controller.js';
import { deleteIfPresent, type OwnerRef, writeObject } from './meta.js';
import { deletePod } from './pods.js';

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

type Ref = string; // kind|namespace|name
const refOf = (kind: string, o: KubeObject): Ref =>
  `${kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
const finalizersOf = (o: KubeObject) => (o.metadata as { finalizers?: string[] }).finalizers ?? [];

/** Deletes an object the way `propagationPolicy: Foreground` does: it stays, marked, until its dependents are gone. */
export function deleteInForeground(store: Store, kind: string, object: KubeObject): void {
  if (!finalizersOf(object).includes(FOREGROUND)) {
    (object.metadata as { finalizers?: string[] }).finalizers = [...finalizersOf(object), FOREGROUND];
    object = writeObject(store, kind, object);
  }
  deleteIfPresent(store, kind, object.metadata.namespace, object.metadata.name);
}

/**
 * The garbage collector: an object whose owners (by uid) are all gone is deleted — pods gracefully —
 * and references to owners that are gone are dropped when another owner remains. An owner deleted in
 * the foreground waits, with its foregroundDeletion finalizer, until its blocking dependents are gone;
 * one deleted with the orphan finalizer lets its dependents go free. An index from owner uid to
 * dependents, kept from the change stream, saves scanning the store on every deletion.
 */
export class GarbageCollector extends Controller {
  protected readonly name = 'garbage-collector';
  private readonly dependents = new Map<string, Set<Ref>>();
  private readonly ownersOf = new Map<Ref, string[]>();

  override start(): this {
    for (const kind of this.store.kinds()) for (const o of this.store.list(kind)) this.index(kind, o, false);
    return super.start();
  }

  protected keysFor(event: StoreEvent): string[] {
    const { kind, object: o } = event;
    const ref = refOf(kind, o);
    this.index(kind, o, event.type === 'DELETED');
    const keys: string[] = [];
    if (event.type === 'DELETED') {
      if (o.metadata.uid && this.dependents.has(o.metadata.uid)) keys.push(`gone:${o.metadata.uid}`);
      // A dependent that goes may be the last one an owner deleted in the foreground waits for.
      for (const owner of o.metadata.ownerReferences ?? [])
        keys.push(
          `fg:${owner.kind}|${o.metadata.namespace ?? ''}|${owner.name}`,
          `fg:${owner.kind}||${owner.name}`,
        );
      return keys;
    }
    if (event.type === 'ADDED' && (o.metadata.ownerReferences ?? []).length > 0) keys.push(`check:${ref}`);
    if (o.metadata.deletionTimestamp) {
      if (finalizersOf(o).includes(FOREGROUND)) keys.push(`fg:${ref}`);
      if (finalizersOf(o).includes(ORPHAN)) keys.push(`orphan:${ref}`);
    }
    return keys;
  }

  protected allKeys(): string[] {
    const keys: string[] = [];
    for (const [ref, owners] of this.ownersOf) if (owners.length > 0) keys.push(`check:${ref}`);
    for (const kind of this.store.kinds())
      for (const o of this.store.list(kind))
        if (o.metadata.deletionTimestamp && finalizersOf(o).includes(FOREGROUND))
          keys.push(`fg:${refOf(kind, o)}`);
    return keys;
  }

  protected reconcile(key: string): void {
    const colon = key.indexOf(':');
    const what = key.slice(0, colon);
    const rest = key.slice(colon + 1);
    if (what === 'gone') {
      for (const dependent of [...(this.dependents.get(rest) ?? [])]) this.checkOwners(dependent);
    } else if (what === 'check') this.checkOwners(rest);
    else if (what === 'fg') this.foreground(rest);
    else if (what === 'orphan') this.orphan(rest);
  }

  private checkOwners(ref: Ref): void {
    const [kind, ns, name] = ref.split('|') as [string, string, string];
    const object = this.store.get(kind, ns || undefined, name);
    if (!object) return;
    const refs = (object.metadata.ownerReferences ?? []) as OwnerRef[];
    if (refs.length === 0) return;
    const live = refs.filter((owner) => this.ownerExists(owner, object.metadata.namespace));
    if (live.length === refs.length) {
      // Owners that are being deleted in the foreground take their blocking dependents with them.
      const inForeground = refs.some((owner) => {
        const o = this.lookup(owner, object.metadata.namespace);
        return o?.metadata.deletionTimestamp && finalizersOf(o).includes(FOREGROUND);
      });
      if (inForeground) this.remove(kind, object);
      return;
    }
    if (live.length > 0) {
      object.metadata.ownerReferences = live;
      writeObject(this.store, kind, object);
      return;
    }
    this.remove(kind, object);
  }

  private foreground(ownerRef: Ref): void {
    const [kind, ns, name] = ownerRef.split('|') as [string, string, string];
    const owner = this.store.get(kind, ns || undefined, name);
    if (!owner?.metadata.deletionTimestamp || !finalizersOf(owner).includes(FOREGROUND)) return;
    let blocked = false;
    for (const dependent of [...(this.dependents.get(owner.metadata.uid ?? '') ?? [])]) {
      const [dKind, dNs, dName] = dependent.split('|') as [string, string, string];
      const object = this.store.get(dKind, dNs || undefined, dName);
      if (!object) continue;
      const blocking = ((object.metadata.ownerReferences ?? []) as OwnerRef[]).some(
        (r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion,
      );
      if (blocking) blocked = true;
      if (!object.metadata.deletionTimestamp) this.remove(dKind, object);
    }
    if (blocked) return;
    (owner.metadata as { finalizers?: string[] }).finalizers = finalizersOf(owner).filter(
      (f) => f !== FOREGROUND,
    );
    const written = writeObject(this.store, kind, owner);
    if (finalizersOf(written).length === 0)
      this.store.remove(kind, written.metadata.namespace, written.metadata.name);
  }

  private orphan(ownerRef: Ref): void {
    const [kind, ns, name] = ownerRef.split('|') as [string, string, string];
    const owner = this.store.get(kind, ns || undefined, name);
    if (!owner?.metadata.deletionTimestamp || !finalizersOf(owner).includes(ORPHAN)) return;
    for (const dependent of [...(this.dependents.get(owner.metadata.uid ?? '') ?? [])]) {
      const [dKind, dNs, dName] = dependent.split('|') as [string, string, string];
      const object = this.store.get(dKind, dNs || undefined, dName);
      if (!object) continue;
      object.metadata.ownerReferences = (object.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== owner.metadata.uid,
      );
      writeObject(this.store, dKind, object);
    }
    (owner.metadata as { finalizers?: string[] }).finalizers = finalizersOf(owner).filter(
      (f) => f !== ORPHAN,
    );
    const written = writeObject(this.store, kind, owner);
    if (finalizersOf(written).length === 0)
      this.store.remove(kind, written.metadata.namespace, written.metadata.name);
  }

  private remove(kind: string, object: KubeObject): void {
    if (object.metadata.deletionTimestamp) return;
    if (kind === 'Pod') deletePod(this.store, object);
    else deleteIfPresent(this.store, kind, object.metadata.namespace, object.metadata.name);
  }

  private lookup(owner: OwnerRef, namespace: string | undefined): KubeObject | undefined {
    return (
      this.store.get(owner.kind, namespace, owner.name) ?? this.store.get(owner.kind, undefined, owner.name)
    );
  }

  private ownerExists(owner: OwnerRef, namespace: string | undefined): boolean {
    const found = this.lookup(owner, namespace);
    return found !== undefined && (!owner.uid || found.metadata.uid === owner.uid);
  }

  private index(kind: string, object: KubeObject, gone: boolean): void {
    const ref = refOf(kind, object);
    for (const uid of this.ownersOf.get(ref) ?? []) {
      const set = this.dependents.get(uid);
      set?.delete(ref);
      if (set?.size === 0) this.dependents.delete(uid);
    }
    this.ownersOf.delete(ref);
    if (gone) return;
    const uids = (object.metadata.ownerReferences ?? []).map((r) => r.uid).filter(Boolean);
    if (uids.length === 0) return;
    this.ownersOf.set(ref, uids);
    for (const uid of uids) {
      const set = this.dependents.get(uid) ?? new Set<Ref>();
      set.add(ref);
      this.dependents.set(uid, set);
    }
  }
}
