import type { ExerciseResult } from '../../../course/judge.js';
import type { Exercise } from '../../../course/schema.js';
import type { NamespaceReading } from '../../live/namespace.js';

/** The exercise screen as data: which step is on screen and what the cluster says. */
export interface ExerciseState {
  /** Index of the step on screen. */
  step: number;
  result?: ExerciseResult;
  panel?: NamespaceReading;
  /** Steps known to have passed, so a step that passes now is told apart from one that passed before. */
  passed: readonly string[];
  complete: boolean;
}

export function firstOpenStep(exercise: Exercise, passed: readonly string[]): number {
  const index = exercise.steps.findIndex((s) => !passed.includes(s.id));
  return index === -1 ? exercise.steps.length - 1 : index;
}

/** Resume on the saved step, else on the first step not passed. */
export function initialExerciseState(
  exercise: Exercise,
  passed: readonly string[],
  savedStep?: string,
): ExerciseState {
  const saved = savedStep ? exercise.steps.findIndex((s) => s.id === savedStep) : -1;
  return {
    step: saved >= 0 ? saved : firstOpenStep(exercise, passed),
    passed,
    complete: exercise.steps.every((s) => passed.includes(s.id)),
  };
}

/**
 * A new evaluation. When the step on screen passes now, the screen moves on to the first step not
 * yet passed; a step the learner went back to, which passed before, stays put.
 */
export function evaluated(
  exercise: Exercise,
  state: ExerciseState,
  result: ExerciseResult,
  panel?: NamespaceReading,
): { state: ExerciseState; newlyPassed: string[]; completedNow: boolean } {
  const nowPassed = result.steps.filter((s) => s.passed).map((s) => s.id);
  const newlyPassed = nowPassed.filter((id) => !state.passed.includes(id));
  const passed = [...state.passed, ...newlyPassed];
  const onScreen = exercise.steps[state.step]?.id;
  const step = onScreen && newlyPassed.includes(onScreen) ? firstOpenStep(exercise, passed) : state.step;
  const complete = state.complete || result.passed;
  return {
    state: { ...state, result, panel: panel ?? state.panel, passed, step, complete },
    newlyPassed,
    completedNow: complete && !state.complete,
  };
}

export function moveStep(state: ExerciseState, to: number): ExerciseState {
  return { ...state, step: to };
}
