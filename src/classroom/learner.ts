import { existsSync } from 'node:fs';
import { onProgressWritten, updateProgress } from '../files/progress-store.js';
import type { Lab } from '../lab.js';
import { ProgressSync, progressFromCluster } from './progress-sync.js';

let sync: ProgressSync | undefined;

/**
 * A lab opened with a classroom learner's kubeconfig (openLab read its context's `churn-labs`
 * extension into lab.classroom and lab.namespace): each progress change is mirrored to the
 * ConfigMap in the learner's namespace, and on a machine with no progress yet the ConfigMap's is taken, so that a
 * learner can move machines.
 */
export async function joinClassroom(lab: Lab): Promise<void> {
  if (!lab.classroom) return;
  const { learner } = lab.classroom;
  if (!existsSync(lab.paths.progress)) {
    const kept = await progressFromCluster(lab.target, lab.namespace);
    if (kept && Object.keys(kept.exercises).length + Object.keys(kept.quizzes).length > 0) {
      await updateProgress(lab.paths.progress, (local) =>
        Object.keys(local.exercises).length + Object.keys(local.quizzes).length === 0 ? kept : local,
      );
    }
  }
  sync = new ProgressSync(lab.target, lab.namespace, learner, lab.warn);
  const current = sync;
  onProgressWritten((path, progress) => {
    if (path === lab.paths.progress) current.push(progress);
  });
}

/** Waits for the progress changes still on their way to the cluster. */
export async function flushClassroom(): Promise<void> {
  await sync?.flush();
}
