import { isMap, isScalar, isSeq, type Node, parseAllDocuments, type Scalar, type YAMLMap } from 'yaml';

/**
 * The course's manifests (manifests/) as one lab needs them: they are written for kind and the
 * namespace churn-mlops. A lab elsewhere renders them before they reach the learner's workspace:
 * `metadata.namespace` (and the Namespace object's name) becomes the lab's namespace, the course
 * images come from its registry, and the claim asks for its StorageClass. The YAML is edited in
 * place, so that comments and layout, which teach, stay as they are; a file with nothing to change
 * comes back byte for byte.
 */
export interface ManifestTarget {
  /** Default: the manifests' own, churn-mlops. */
  namespace?: string;
  /** Where the course images come from instead of kind's node (`registry.example.com/team`). */
  registry?: string;
  /** The class the claims ask for instead of kind's `standard`. */
  storageClass?: string;
}

/** The namespace, image repository and StorageClass the manifests are written with. */
export const MANIFEST_NAMESPACE = 'churn-mlops';
const COURSE_IMAGE = /^churn-labs\/(churn-[a-z0-9-]+(?::[\w.-]+)?)$/;
const KIND_STORAGE_CLASS = 'standard';

export function renderManifest(text: string, target: ManifestTarget): string {
  const namespace = target.namespace ?? MANIFEST_NAMESPACE;
  const needed =
    namespace !== MANIFEST_NAMESPACE ||
    (target.registry !== undefined && text.includes('churn-labs/')) ||
    (target.storageClass !== undefined && text.includes('storageClassName'));
  if (!needed) return text;
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return text;
  let changed = false;
  for (const doc of documents) {
    if (doc.errors.length > 0) return text; // not ours to fix: the learner sees kubectl's own error
    const root = doc.contents;
    if (!isMap(root)) continue;
    const metadata = root.get('metadata', true);
    const kind = scalarValue(root.get('kind', true));
    if (isMap(metadata)) {
      const key = kind === 'Namespace' ? 'name' : 'namespace';
      if (setScalar(metadata, key, MANIFEST_NAMESPACE, namespace)) changed = true;
    }
    walk(root, (map) => {
      if (target.registry !== undefined) {
        const image = scalarValue(map.get('image', true));
        const match = image === undefined ? null : COURSE_IMAGE.exec(image);
        if (
          match &&
          setScalar(map, 'image', image, `${target.registry.replace(/\/+$/, '')}/churn-labs/${match[1]}`)
        )
          changed = true;
      }
      if (
        target.storageClass !== undefined &&
        setScalar(map, 'storageClassName', KIND_STORAGE_CLASS, target.storageClass)
      )
        changed = true;
    });
  }
  if (!changed) return text;
  return documents.map((doc) => doc.toString({ lineWidth: 0 })).join('');
}

function scalarValue(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** Sets `key` to `to` when it holds `from`, keeping the node (its comment and quoting style). */
function setScalar(map: YAMLMap, key: string, from: string | undefined, to: string): boolean {
  const node = map.get(key, true);
  if (!isScalar(node) || node.value !== from || from === to) return false;
  (node as Scalar).value = to;
  return true;
}

function walk(node: Node | unknown, visit: (map: YAMLMap) => void): void {
  if (isMap(node)) {
    visit(node);
    for (const pair of node.items) walk(pair.value, visit);
  } else if (isSeq(node)) {
    for (const item of node.items) walk(item, visit);
  }
}

/** kind's StorageClass, which the course's claims name. */
export const COURSE_STORAGE_CLASS = KIND_STORAGE_CLASS;

/** The repository part of the images' names: `churn-labs`, or `<registry>/churn-labs`. */
export function imagePrefix(registry?: string): string {
  return registry ? `${registry.replace(/\/+$/, '')}/churn-labs` : 'churn-labs';
}
