import { COURSE_STORAGE_CLASS } from '../../files/render-manifests.js';
import type { ClusterTarget } from '../kubectl.js';
import { targetFlags } from '../kubectl.js';
import { outputTail } from '../tool.js';
import { readJson } from './kube.js';
import { commandLine, type Step, StepFailed } from './steps.js';

export interface StorageClassLike {
  metadata?: { name?: string; creationTimestamp?: string; annotations?: Record<string, string> };
}

const DEFAULT_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

/**
 * The class a claim without one gets, as the DefaultStorageClass admission plugin chooses it: of the
 * classes annotated as default (the GA annotation or the beta one, exactly "true"), the newest, then
 * the first by name.
 */
export function defaultStorageClass(classes: StorageClassLike[]): string | undefined {
  const defaults = classes.filter((c) =>
    DEFAULT_ANNOTATIONS.some((a) => c.metadata?.annotations?.[a] === 'true'),
  );
  const time = (c: StorageClassLike) => Date.parse(c.metadata?.creationTimestamp ?? '') || 0;
  defaults.sort(
    (a, b) => time(b) - time(a) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
  return defaults[0]?.metadata?.name;
}

/**
 * The course's claims ask for kind's class `standard`. The step changes nothing in the cluster (the
 * workspace step renders the choice), so it ends as skipped whatever it chose. On a cluster without it they take the class
 * given with --storage-class, else the cluster's default, and the learner is told in one line; with
 * neither, the claims cannot bind, and the learner is told which exercises that stops.
 */
export function storageClassStep(
  target: ClusterTarget,
  requested: string | undefined,
  fixCommand: string,
  onClass: (storageClass: string) => void,
): Step {
  const args = ['get', 'storageclasses'];
  return {
    id: 'storage',
    title: 'Storage class for the claims',
    command: commandLine('kubectl', [...targetFlags(target), ...args]),
    async run(io) {
      const { result, value } = await readJson<{ items?: StorageClassLike[] }>(io, target, args);
      if (!value) {
        if (/forbidden/i.test(result.stderr) && requested) {
          onClass(requested);
          return {
            outcome: 'ok',
            detail: `the claims use class ${requested} (this context may not list classes)`,
          };
        }
        throw new StepFailed(
          `kubectl could not list the cluster's StorageClasses (context ${target.context}).`,
          /forbidden/i.test(result.stderr)
            ? `Name the class the claims should use: ${fixCommand} --storage-class CLASS; or run up with the cluster administrator's context.`
            : 'Read the output below; is the cluster healthy? Then run churn-labs up again.',
          outputTail(result),
        );
      }
      const classes = value.items ?? [];
      const names = classes.map((c) => c.metadata?.name).filter((n): n is string => Boolean(n));
      const listed = names.length > 0 ? names.join(', ') : 'none';
      if (requested) {
        if (!names.includes(requested))
          throw new StepFailed(
            `This cluster has no StorageClass ${requested} (it has: ${listed}).`,
            `Give one of its classes: ${fixCommand} --storage-class CLASS (kubectl get storageclass --context ${target.context} lists them).`,
          );
        onClass(requested);
        return { outcome: 'skipped', detail: `the claims use class ${requested}` };
      }
      if (names.includes(COURSE_STORAGE_CLASS)) {
        onClass(COURSE_STORAGE_CLASS);
        return {
          outcome: 'skipped',
          detail: `the cluster has the class ${COURSE_STORAGE_CLASS} the manifests name`,
        };
      }
      const fallback = defaultStorageClass(classes);
      if (fallback) {
        onClass(fallback);
        io.notice(
          `This cluster has no StorageClass ${COURSE_STORAGE_CLASS} (kind's): the claims in your manifests use its default class, ${fallback}.`,
        );
        return { outcome: 'skipped', detail: `the claims use the default class ${fallback}` };
      }
      io.notice(
        `This cluster has no StorageClass ${COURSE_STORAGE_CLASS} and no default class (it has: ${listed}): the lab's claims cannot bind, so the model volume of Exercise 1, persistent-storage and incident-volume-pending cannot pass. Name a class with ${fixCommand} --storage-class CLASS, or mark one as the default: kubectl patch storageclass CLASS -p '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}' --context ${target.context}.`,
      );
      return { outcome: 'skipped', detail: 'no class for the claims (see the warning above)' };
    },
  };
}
