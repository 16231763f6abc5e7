import type { KubeObject } from '../../kube/objects.js';
import type { Store } from '../store.js';
import { controllerRef, controllerRefOf, writeObject } from './meta.js';
import { type LabelSelector, selectorMatches } from './selectors.js';

/**
 * controller.ClaimObjects (the ControllerRefManager): the objects a controller owns are those whose
 * controller reference names its uid; orphans that match its selector are adopted, owned ones that no
 * longer match are released. Objects being deleted are neither adopted nor released.
 */
export function claim(
  store: Store,
  kind: string,
  owner: KubeObject,
  ownerApiVersion: string,
  ownerKind: string,
  selector: LabelSelector | undefined,
): KubeObject[] {
  const owned: KubeObject[] = [];
  const canAdopt = !owner.metadata.deletionTimestamp;
  for (const object of store.list(kind, owner.metadata.namespace)) {
    const ref = controllerRefOf(object);
    const matches = selectorMatches(selector, object.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches || !canAdopt || object.metadata.deletionTimestamp) {
        owned.push(object);
        continue;
      }
      object.metadata.ownerReferences = (object.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== owner.metadata.uid,
      );
      writeObject(store, kind, object);
      continue;
    }
    if (!matches || !canAdopt || object.metadata.deletionTimestamp) continue;
    object.metadata.ownerReferences = [
      ...(object.metadata.ownerReferences ?? []),
      controllerRef(owner, ownerApiVersion, ownerKind),
    ];
    owned.push(writeObject(store, kind, object));
  }
  return owned;
}
