import type { Snapshot } from '../kube/objects.js';
import {
  evaluateObjectCheck,
  evaluateProbeCheck,
  isObjectCheck,
  type Probe,
  type ProbeCheck,
  type Verdict,
} from './checks.js';
import type { Check, Exercise } from './schema.js';
import { troubleOf } from './trouble.js';

export interface CheckResult {
  id: string;
  title: string;
  passed: boolean;
  message: string;
}

export interface StepResult {
  id: string;
  title: string;
  passed: boolean;
  /** Passed at an earlier evaluation (recorded in progress), whatever the cluster shows now. */
  recorded: boolean;
  /**
   * Its checks pass, but an earlier step has not: steps count in order. (Checks still show what
   * they see, so the learner knows where they stand.)
   */
  waiting?: boolean;
  checks: CheckResult[];
}

export interface ExerciseResult {
  exercise: string;
  passed: boolean;
  steps: StepResult[];
  /** Set when the cluster could not be read at all: one verdict instead of a list of failures. */
  error?: string;
}

export type Reading =
  | { reachable: true; snapshot: Snapshot; probes: Map<Check, Probe> }
  | { reachable: false; reason: string };

/**
 * The verdict of every step. A step that passed once stays passed; a step not evaluated (because
 * it was recorded) shows its checks as passed earlier.
 */
export function judgeExercise(
  exercise: Exercise,
  reading: Reading,
  recorded: ReadonlySet<string>,
  passedAt: Readonly<Record<string, string>> = {},
): ExerciseResult {
  if (!reading.reachable) return { exercise: exercise.id, passed: false, steps: [], error: reading.reason };
  // Steps are done in order: a step counts only once every step before it has passed, now or
  // earlier. (In health-probes, "all endpoints ready again" is also how the exercise starts.)
  let earlierPassed = true;
  const titles = Object.fromEntries(exercise.steps.map((s) => [s.id, s.title]));
  const steps = exercise.steps.map((step): StepResult => {
    if (recorded.has(step.id)) {
      return {
        id: step.id,
        title: step.title,
        passed: true,
        recorded: true,
        checks: step.checks.map((c) => ({
          id: c.id,
          title: c.title,
          passed: true,
          message: 'Passed earlier (recorded in your progress).',
        })),
      };
    }
    const checks = step.checks.map(
      (check): CheckResult => ({
        id: check.id,
        title: check.title,
        ...judgeCheck(check, reading, passedAt, titles, { explain: !exercise.incident }),
      }),
    );
    const checksPass = checks.every((c) => c.passed);
    const passed = earlierPassed && checksPass;
    const waiting = checksPass && !earlierPassed;
    earlierPassed = passed;
    return {
      id: step.id,
      title: step.title,
      passed,
      recorded: false,
      checks,
      ...(waiting ? { waiting } : {}),
    };
  });
  return { exercise: exercise.id, passed: steps.every((s) => s.passed), steps };
}

export function judgeCheck(
  check: Check,
  reading: Extract<Reading, { reachable: true }>,
  passedAt: Readonly<Record<string, string>> = {},
  stepTitles: Readonly<Record<string, string>> = {},
  /** Add what the check's pods show when it fails; off for an incident, where that names the cause. */
  options: { explain?: boolean } = {},
): Verdict {
  try {
    const verdict = isObjectCheck(check)
      ? evaluateObjectCheck(check, reading.snapshot, passedAt, stepTitles)
      : evaluateProbeCheck(check as ProbeCheck, reading.probes.get(check));
    if (verdict.passed) return verdict;
    // An incident's check may speak of the symptom in its own words.
    if (check.message !== undefined) return { ...verdict, message: check.message };
    // Say what was found, not only what is missing: the pods it is about may tell why.
    const trouble = options.explain === false ? undefined : troubleOf(check, reading.snapshot);
    return trouble ? { passed: false, message: `${verdict.message} ${trouble}` } : verdict;
  } catch (error) {
    // A check must never take the others down with it; say what broke instead.
    return { passed: false, message: `This check could not be evaluated: ${(error as Error).message}` };
  }
}

/** Steps that pass in this result and are not yet recorded. */
export function newlyPassed(result: ExerciseResult): string[] {
  return result.steps.filter((s) => s.passed && !s.recorded).map((s) => s.id);
}
