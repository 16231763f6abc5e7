import { existsSync } from 'node:fs';
import { onProgressWritten, updateProgress } from '../files/progress-store.js';
import type { Lab } from '../lab.js';
import { readClassroomExtension } from './kubeconfig.js';
import { ProgressSync, progressFromCluster } from './progress-sync.js';

let sync: ProgressSync | undefined;

/**
 * A lab opened with a classroom learner's kubeconfig (its context carries the `churn-labs`
 * extension): the lab works in the learner's namespace, each progress change is mirrored to the
 * ConfigMap there, and on a machine with no progress yet the ConfigMap's is taken, so that a
 * learner can move machines.
 */
export async function joinClassroom(lab: Lab): Promise<void> {
  // One lab per process; a test may open another, which must not inherit the last one's sync.
  onProgressWritten(undefined);
  sync = undefined;
  if (!lab.target.kubeconfig) return;
  const extension = readClassroomExtension(lab.target.kubeconfig, lab.target.context);
  if (!extension) return;
  lab.classroom = { learner: extension.learner };
  lab.namespace = extension.namespace;
  if (!existsSync(lab.paths.progress)) {
    const kept = await progressFromCluster(lab.target, extension.namespace);
    if (kept && Object.keys(kept.exercises).length + Object.keys(kept.quizzes).length > 0) {
      await updateProgress(lab.paths.progress, (local) =>
        Object.keys(local.exercises).length + Object.keys(local.quizzes).length === 0 ? kept : local,
      );
    }
  }
  sync = new ProgressSync(lab.target, extension.namespace, extension.learner, lab.warn);
  const current = sync;
  onProgressWritten((path, progress) => {
    if (path === lab.paths.progress) current.push(progress);
  });
}

/** Waits for the progress changes still on their way to the cluster. */
export async function flushClassroom(): Promise<void> {
  await sync?.flush();
}
