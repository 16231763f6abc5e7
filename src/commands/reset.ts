import { findExercise } from '../course/course.js';
import { resetExercise } from '../course/progress.js';
import { updateProgress } from '../files/progress-store.js';
import { closeLab, clusterName, type Lab } from '../lab.js';
import { createOutput, type Output } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';
import { confirm } from './confirm.js';

export async function reset(
  exerciseId: string | undefined,
  options: CommonOptions & { debug?: boolean },
): Promise<number> {
  const lab = await labFrom(options);
  const exercise = exerciseId === undefined ? undefined : findExercise(lab.course, exerciseId);
  const out = createOutput();
  if (exercise?.incident) return resetIncident(lab, exercise.id, out, options);
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

/** An incident's reset puts the system back as Exercise 1 left it, so that it can be tried again. */
async function resetIncident(
  lab: Lab,
  id: string,
  out: Output,
  options: CommonOptions & { debug?: boolean },
): Promise<number> {
  const question = `Put the system on ${clusterName(lab)} back as Exercise 1 left it, and forget the attempt at ${id}?`;
  if (!(await confirm(question, options.yes, 'pass --yes to reset without asking.'))) {
    out.line('Nothing was reset.');
    return 1;
  }
  const { restoreSystem } = await import('../incidents.js');
  out.line(out.dim('Putting the system back (re-applying k8s/ and waiting for the rollout)...'));
  const log: string[] = [];
  try {
    const ok = await restoreSystem(lab, lab.course.exercises.find((e) => e.id === id)!, (event) => {
      if (event.type === 'command') log.push(`$ ${event.command}\n`);
      else if (event.type === 'output') log.push(event.chunk);
    });
    if (!ok) {
      // The commands would name the cause: shown only when asked for.
      out.error(
        `Putting the system back failed on ${clusterName(lab)}. Is the lab up (churn-labs doctor)? Run it again with --debug to see the commands and their output.`,
      );
      if (options.debug) out.error(log.join(''));
      return 1;
    }
  } finally {
    await closeLab();
  }
  out.line(
    `The system is back as Exercise 1 left it, and ${id} is forgotten: churn-labs incident ${id} starts it again.`,
  );
  return 0;
}
