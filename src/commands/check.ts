import { findExercise } from '../course/course.js';
import type { ExerciseResult } from '../course/judge.js';
import { hintsUsed, type Progress, solveSeconds } from '../course/progress.js';
import { checkExercise, closeLab, clusterName, readProgress, waitForExercise } from '../lab.js';
import { createOutput, type Output } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';

export async function check(exerciseId: string, options: CommonOptions & { wait?: number }): Promise<number> {
  const lab = await labFrom(options);
  const exercise = findExercise(lab.course, exerciseId);
  const out = createOutput();
  let result: ExerciseResult;
  try {
    result =
      options.wait !== undefined
        ? await waitForExercise(lab, exercise, options.wait)
        : await checkExercise(lab, exercise);
  } finally {
    await closeLab();
  }
  if (options.json) out.json(result);
  else {
    printResult(out, exercise.title, result, clusterName(lab));
    if (exercise.incident && result.passed) out.line(solvedLine(await readProgress(lab), exercise.id));
  }
  return result.passed ? 0 : 1;
}

/** "Solved in 12 min 5 s, with 2 hints." for an incident. */
export function solvedLine(progress: Progress, id: string): string {
  const entry = progress.exercises[id];
  const seconds = solveSeconds(entry);
  const hints = hintsUsed(entry);
  const time = seconds === undefined ? '' : ` in ${formatDuration(seconds)}`;
  return `Incident solved${time}, with ${hints === 0 ? 'no hints' : hints === 1 ? '1 hint' : `${hints} hints`}. churn-labs reset ${id} --yes puts the system back to try it again.`;
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

export function printResult(out: Output, title: string, result: ExerciseResult, cluster?: string): void {
  out.line(out.bold(`${result.exercise}: ${title}`) + (cluster ? out.dim(` (on ${cluster})`) : ''));
  if (result.error) {
    out.line(`  ${out.red('✗')} ${result.error}`);
    return;
  }
  // The step the learner is on gets every check; the ones after it only a line, since their
  // checks mostly fail for the same reason.
  const current = result.steps.findIndex((s) => !s.passed);
  result.steps.forEach((step, i) => {
    const note = step.recorded
      ? out.dim(' (passed earlier)')
      : step.waiting
        ? out.dim(' (its checks pass; finish the steps before it first)')
        : current !== -1 && i > current && !step.passed
          ? out.dim(` (after step ${current + 1})`)
          : '';
    out.line(`  ${out.ok(step.passed)} Step ${i + 1}. ${step.title}${note}`);
    if (step.recorded || (current !== -1 && i > current)) return;
    for (const check of step.checks) {
      out.line(`      ${out.ok(check.passed)} ${check.title}`);
      if (!check.passed) out.line(`        ${out.dim(check.message)}`);
    }
  });
  const passed = result.steps.filter((s) => s.passed).length;
  const nudge = `Run churn-labs hint ${result.exercise} for a nudge.`;
  // An incident is one step: "All 1 steps pass" would count it.
  if (result.steps.length === 1)
    out.line(result.passed ? out.green('The step passes.') : `The step does not pass yet. ${nudge}`);
  else
    out.line(
      result.passed
        ? out.green(`All ${result.steps.length} steps pass.`)
        : `${passed} of ${result.steps.length} steps pass. ${nudge}`,
    );
}
