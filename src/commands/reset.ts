import { findExercise } from '../course/course.js';
import { resetExercise } from '../course/progress.js';
import { updateProgress } from '../files/progress-store.js';
import { createOutput } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';
import { confirm } from './confirm.js';

export async function reset(exerciseId: string | undefined, options: CommonOptions): Promise<number> {
  const lab = await labFrom(options);
  const exercise = exerciseId === undefined ? undefined : findExercise(lab.course, exerciseId);
  const out = createOutput();
  const what = exercise ? `the progress of ${exercise.id}` : 'all progress (every exercise and quiz score)';
  if (!(await confirm(`Forget ${what}?`, options.yes, 'pass --yes to reset without asking.'))) {
    out.line('Nothing was reset.');
    return 1;
  }
  const { warning } = await updateProgress(lab.paths.progress, (p) => resetExercise(p, exercise?.id), {
    onWait: lab.warn,
  });
  if (warning) lab.warn(warning);
  out.line(`Forgot ${what}. The cluster was not touched.`);
  return 0;
}
