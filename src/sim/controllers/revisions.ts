import { ApiError } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { Store } from '../store.js';
import { claim } from './claims.js';
import { controllerRef, controllerRefOf, createObject, keyOf, writeObject } from './meta.js';
import { normalizeTemplate } from './pod-template.js';
import type { LabelSelector } from './selectors.js';

/**
 * ControllerRevisions (pkg/controller/history) for DaemonSets and StatefulSets: each pod template
 * the owner has had is kept as a revision whose data is the patch `kubectl rollout undo` sends back
 * ({"spec":{"template":{...,"$patch":"replace"}}}, written as Go's json.Marshal writes the typed
 * object: keys sorted, `creationTimestamp: null`, `resources: {}`), named `<owner>-<hash>` where the
 * hash is FNV-32 of those bytes (history.HashControllerRevision) on the API's safe alphabet.
 */
export const REVISION_HASH = 'controller-revision-hash';
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

// biome-ignore lint/suspicious/noExplicitAny: templates are open JSON.
type Json = any;

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  return value;
}

/** The template as the typed Go object marshals it: fields that are structs are never left out. */
function asGoMarshals(template: Json): Json {
  const copy = structuredClone(template ?? {});
  copy.metadata ??= {};
  if (!('creationTimestamp' in copy.metadata)) copy.metadata.creationTimestamp = null;
  copy.spec ??= {};
  for (const list of ['containers', 'initContainers'])
    for (const c of Array.isArray(copy.spec[list]) ? copy.spec[list] : []) if (c) c.resources ??= {};
  return copy;
}

/** The revision's data for a template, and its bytes as the API stores them. */
export function revisionData(template: Json): { data: Json; raw: string } {
  const data = sortKeys({ spec: { template: { ...asGoMarshals(template), $patch: 'replace' } } });
  return { data, raw: JSON.stringify(data) };
}

/** history.HashControllerRevision: FNV-32 (not 32a) of the data, then the collision count. */
export function hashRevision(raw: string, collisionCount?: number): string {
  let hash = 0x811c9dc5;
  const feed = (bytes: Buffer) => {
    for (const byte of bytes) hash = (Math.imul(hash, 0x01000193) ^ byte) >>> 0;
  };
  feed(Buffer.from(raw, 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) feed(Buffer.from(String(collisionCount)));
  return [...String(hash >>> 0)].map((ch) => SAFE[ch.charCodeAt(0) % SAFE.length]).join('');
}

export const templateOf = (revision: KubeObject) => {
  const template = structuredClone((revision.data as Json)?.spec?.template ?? {});
  delete template.$patch;
  return template;
};

/** The revision holds this template (history.EqualRevision, on the templates rather than bytes). */
export const holdsTemplate = (revision: KubeObject, template: Json) =>
  JSON.stringify(normalizeTemplate(templateOf(revision))) === JSON.stringify(normalizeTemplate(template));

export const revisionNumber = (revision: KubeObject) => Number(revision.revision ?? 0);

export interface Revisions {
  /** The revision of the owner's current template (created, or renumbered to be the newest). */
  update: KubeObject;
  /** Every revision the owner controls, the update revision included, oldest first. */
  all: KubeObject[];
}

/**
 * Finds or makes the revision of the owner's template. An older revision that holds the same
 * template (a rollback) becomes the newest by taking the next number, as the controllers do.
 */
export function syncRevisions(
  store: Store,
  owner: KubeObject,
  ownerKind: string,
  selector: LabelSelector | undefined,
  collisionCount?: number,
): Revisions {
  const all = claim(store, 'ControllerRevision', owner, 'apps/v1', ownerKind, selector).sort(
    (a, b) => revisionNumber(a) - revisionNumber(b),
  );
  const template = owner.spec?.template;
  const newest = all.reduce((max, r) => Math.max(max, revisionNumber(r)), 0);
  let update = [...all].reverse().find((r) => holdsTemplate(r, template));
  if (update) {
    if (revisionNumber(update) < newest) {
      update.revision = newest + 1;
      update = writeObject(store, 'ControllerRevision', update);
    }
  } else {
    const { data, raw } = revisionData(template);
    const hash = hashRevision(raw, collisionCount);
    const name = `${owner.metadata.name.slice(0, 223)}-${hash}`;
    try {
      update = createObject(store, 'ControllerRevision', {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name,
          namespace: owner.metadata.namespace,
          labels: { ...(template?.metadata?.labels ?? {}), [REVISION_HASH]: hash },
          // The owner's annotations when the revision is made (kubernetes.io/change-cause, which
          // `kubectl rollout history` shows), as both controllers copy them.
          ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
          ownerReferences: [controllerRef(owner, 'apps/v1', ownerKind)],
        },
        data,
        revision: newest + 1,
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 409) throw error;
      // Taken by a revision of another template (or another owner): a hash collision.
      throw new RevisionCollision(name);
    }
  }
  const others = all.filter((r) => r.metadata.name !== update.metadata.name);
  return { update, all: [...others, update].sort((a, b) => revisionNumber(a) - revisionNumber(b)) };
}

export class RevisionCollision extends Error {
  constructor(readonly revisionName: string) {
    super(`controllerrevision ${revisionName} already exists with another template`);
  }
}

/** Deletes the oldest revisions beyond the history limit, never one a live pod or the owner uses. */
export function truncateHistory(
  store: Store,
  revisions: KubeObject[],
  inUse: Set<string>,
  limit: number,
): void {
  const spare = revisions.filter((r) => !inUse.has(r.metadata.name));
  const excess = spare.length - limit;
  for (const revision of spare.slice(0, Math.max(0, excess))) {
    try {
      store.delete('ControllerRevision', revision.metadata.namespace, revision.metadata.name);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 404) throw error;
    }
  }
}

/**
 * What a change makes due for the controller of `kind` (DaemonSet, StatefulSet): the set itself,
 * the set owning a changed pod or revision, or, for a pod owned by none, every set of its
 * namespace (`*ns`, fanned out by `fanOutOrphans`), which may adopt it.
 */
export function ownerKeysFor(event: { kind: string; object: KubeObject }, kind: string): string[] {
  const ns = event.object.metadata.namespace ?? '';
  if (event.kind === kind) return [keyOf(event.object)];
  if (event.kind !== 'Pod' && event.kind !== 'ControllerRevision') return [];
  const ref = controllerRefOf(event.object);
  if (ref?.kind === kind) return [`${ns}/${ref.name}`];
  return ref || event.kind !== 'Pod' ? [] : [`*${ns}`];
}

/** For a `*ns` key of ownerKeysFor: queues every set of that namespace, and says it did. */
export function fanOutOrphans(store: Store, kind: string, key: string, add: (key: string) => void): boolean {
  if (!key.startsWith('*')) return false;
  for (const set of store.list(kind, key.slice(1))) add(keyOf(set));
  return true;
}
