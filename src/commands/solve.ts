import { findExercise } from '../course/course.js';
import type { Exercise } from '../course/schema.js';
import { environmentError } from '../errors.js';
import { closeLab, clusterName, type Lab, readProgress, runSolution, waitForExercise } from '../lab.js';
import { createOutput, isInteractive } from '../output.js';
import { printResult, solvedLine } from './check.js';
import { type CommonOptions, labFrom, whileInterruptible } from './common.js';
import { confirm } from './confirm.js';

/** How long to wait for the cluster to settle after the solution ran (pods starting, rollouts). */
const SETTLE_SECONDS = 240;

export async function solve(exerciseId: string, options: CommonOptions): Promise<number> {
  try {
    return await solveExercise(exerciseId, options);
  } finally {
    await closeLab();
  }
}

async function solveExercise(exerciseId: string, options: CommonOptions): Promise<number> {
  const lab = await labFrom(options);
  const exercise = findExercise(lab.course, exerciseId);
  const out = createOutput();
  if (exercise.incident && !(await readProgress(lab)).exercises[exercise.id]?.brokenAt)
    throw environmentError(
      `The incident ${exercise.id} has not started, so there is nothing to fix yet. Start it with: churn-labs incident ${exercise.id}`,
    );
  // Scripts (no terminal) run it straight away; on a terminal we ask unless --yes.
  if (
    isInteractive() &&
    !(await confirm(
      `Run the reference solution of ${exercise.id} on ${clusterName(lab)}?`,
      options.yes,
      'pass --yes.',
    ))
  ) {
    out.line('Nothing was run.');
    return 1;
  }
  // Ctrl-C (or SIGTERM) ends the running command and everything it started (its process group),
  // then the command itself: nothing it started prints into the learner's prompt afterwards.
  return whileInterruptible((signal) => runAndCheck(lab, exercise, out, signal));
}

async function runAndCheck(
  lab: Lab,
  exercise: Exercise,
  out: ReturnType<typeof createOutput>,
  signal: AbortSignal,
): Promise<number> {
  const ok = await runSolution(
    lab,
    exercise,
    (event) => {
      if (event.type === 'command') out.line(out.bold(`$ ${event.command}`));
      else if (event.type === 'output') process.stdout.write(event.chunk);
      else if (!event.ok && !signal.aborted)
        out.error(out.red(`The command failed (exit code ${event.exitCode ?? 'none'}): ${event.command}`));
    },
    signal,
  );
  if (signal.aborted) {
    out.error('Stopped: the solution and every command it started have ended. Run solve again to go on.');
    return 130;
  }
  if (!ok) {
    out.error(
      'The reference solution stopped at a failing command. Fix what it says (is the lab up? churn-labs doctor) and run solve again.',
    );
    return 1;
  }
  out.line(out.dim(`Checking (waiting up to ${SETTLE_SECONDS} s for the cluster to settle)...`));
  const result = await waitForExercise(lab, exercise, SETTLE_SECONDS, undefined, signal);
  if (signal.aborted) {
    out.error('Stopped while checking. Run churn-labs check to see where the exercise stands.');
    return 130;
  }
  printResult(out, exercise.title, result, clusterName(lab));
  if (exercise.incident && result.passed) out.line(solvedLine(await readProgress(lab), exercise.id));
  return result.passed ? 0 : 1;
}
