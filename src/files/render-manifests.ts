/**
 * The course's manifests, rendered for the cluster they go to. The package's manifests are written
 * for kind: namespace churn-mlops, images churn-labs/* loaded into the node, and kind's StorageClass
 * `standard`. Elsewhere the images come from a registry, the claims take a class the cluster has,
 * and a classroom learner works in a namespace of their own. Line by line, so that the comments the
 * learner reads stay where they are.
 */
export interface ManifestTarget {
  /** The lab's namespace (default churn-mlops). */
  namespace?: string;
  /** A registry the images were pushed to: `churn-labs/churn-api:0.1.0` becomes `<registry>/churn-labs/churn-api:0.1.0`. */
  registry?: string;
  /** The class the claims ask for, in place of kind's `standard`. */
  storageClass?: string;
}

export const COURSE_NAMESPACE = 'churn-mlops';
export const COURSE_STORAGE_CLASS = 'standard';
export const IMAGE_REPOSITORY = 'churn-labs';

/** The repository part of the images' names: `churn-labs`, or `<registry>/churn-labs`. */
export function imagePrefix(registry?: string): string {
  return registry ? `${registry}/${IMAGE_REPOSITORY}` : IMAGE_REPOSITORY;
}

export function renderManifest(text: string, target: ManifestTarget): string {
  const namespace = target.namespace ?? COURSE_NAMESPACE;
  const storageClass = target.storageClass ?? COURSE_STORAGE_CLASS;
  const isNamespace = /^kind:\s*Namespace\s*$/m.test(text);
  return text
    .split('\n')
    .map((line) => {
      if (target.registry)
        line = line.replace(
          /^(\s*(?:-\s+)?image:\s*["']?)churn-labs\//,
          (_, head: string) => `${head}${imagePrefix(target.registry)}/`,
        );
      if (storageClass !== COURSE_STORAGE_CLASS)
        line = line.replace(/^(\s*storageClassName:\s*)standard(\s*(?:#.*)?)$/, `$1${storageClass}$2`);
      if (namespace !== COURSE_NAMESPACE) {
        line = line.replace(/^(\s*namespace:\s*)churn-mlops(\s*(?:#.*)?)$/, `$1${namespace}$2`);
        if (isNamespace) line = line.replace(/^(\s{2}name:\s*)churn-mlops(\s*(?:#.*)?)$/, `$1${namespace}$2`);
      }
      return line;
    })
    .join('\n');
}

/** Whether rendering changes anything: the kind lab copies the package's files as they are. */
export function rendersAsIs(target: ManifestTarget): boolean {
  return (
    !target.registry &&
    (target.storageClass ?? COURSE_STORAGE_CLASS) === COURSE_STORAGE_CLASS &&
    (target.namespace ?? COURSE_NAMESPACE) === COURSE_NAMESPACE
  );
}
