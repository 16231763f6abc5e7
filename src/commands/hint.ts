import { findExercise } from '../course/course.js';
import { passedSteps, recordHint } from '../course/progress.js';
import { environmentError, usageError } from '../errors.js';
import { updateProgress } from '../files/progress-store.js';
import { readProgress, stepView } from '../lab.js';
import { createOutput } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';

/** The next hint of the step the learner is on (the first not passed), or hint N of it. */
export async function hint(exerciseId: string, options: CommonOptions & { level?: number }): Promise<number> {
  const lab = await labFrom(options);
  const exercise = findExercise(lab.course, exerciseId);
  const out = createOutput();
  const progress = await readProgress(lab);
  if (exercise.incident && !progress.exercises[exercise.id]?.brokenAt)
    throw environmentError(
      `The incident ${exercise.id} has not started, so there is nothing to look for yet. Start it with: churn-labs incident ${exercise.id}`,
    );
  const passed = passedSteps(progress, exercise.id);
  const next = exercise.steps.findIndex((s) => !passed.has(s.id));
  if (next === -1 && options.level === undefined) {
    out.line(
      `Every step of ${exercise.id} has passed; there is nothing left to hint (--level N shows the last step's hint N). Next: churn-labs list`,
    );
    return 0;
  }
  // Done already: hint N of the last step, to look back at.
  const index = next === -1 ? exercise.steps.length - 1 : next;
  const step = exercise.steps[index]!;
  const shown = progress.exercises[exercise.id]?.hints[step.id] ?? 0;
  const level = options.level ?? Math.min(shown + 1, step.hints.length);
  if (level > step.hints.length) {
    throw usageError(
      `Step "${step.title}" has ${step.hints.length} hints; ask for --level 1 to ${step.hints.length}.`,
    );
  }
  await updateProgress(lab.paths.progress, (p) => recordHint(p, exercise.id, step.id, level), {
    onWait: lab.warn,
  });
  out.line(
    out.bold(`Hint ${level} of ${step.hints.length}, step ${index + 1} of ${exercise.id}: ${step.title}`),
  );
  out.line(stepView(lab, exercise, step).hints[level - 1]!.trimEnd());
  if (level === step.hints.length)
    out.line(out.dim(`That was the last hint. churn-labs solve ${exercise.id} runs the reference solution.`));
  else out.line(out.dim(`Run it again for hint ${level + 1}.`));
  return 0;
}
