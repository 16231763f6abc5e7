import { z } from 'zod';
import type { Exercise } from './schema.js';

/** The progress file's format; bump it when the shape changes, and migrate the old one. */
export const PROGRESS_VERSION = 1;

const timestamp = z.string();

export const progressSchema = z.object({
  version: z.literal(PROGRESS_VERSION),
  exercises: z.record(
    z.string(),
    z.object({
      /** Step id -> when its checks first all passed. A step that passed once stays passed. */
      steps: z.record(z.string(), timestamp).default({}),
      completedAt: timestamp.optional(),
      /** Step id -> how many hints were shown. */
      hints: z.record(z.string(), z.number().int().min(0)).default({}),
    }),
  ),
  quizzes: z.record(
    z.string(),
    z.object({
      best: z.number(),
      max: z.number(),
      attempts: z.number().int().min(0),
      lastScore: z.number(),
      lastAt: timestamp,
    }),
  ),
  /** Where the learner was in the terminal app, to resume there. */
  position: z.object({ exercise: z.string(), step: z.string().optional() }).optional(),
});
export type Progress = z.infer<typeof progressSchema>;
export type ExerciseProgress = Progress['exercises'][string];

export const emptyProgress = (): Progress => ({ version: PROGRESS_VERSION, exercises: {}, quizzes: {} });

const exerciseEntry = (progress: Progress, id: string): ExerciseProgress =>
  progress.exercises[id] ?? { steps: {}, hints: {} };

export function passedSteps(progress: Progress, exerciseId: string): Set<string> {
  return new Set(Object.keys(progress.exercises[exerciseId]?.steps ?? {}));
}

export function isDone(progress: Progress, exercise: Exercise): boolean {
  const passed = passedSteps(progress, exercise.id);
  return exercise.steps.every((s) => passed.has(s.id));
}

/** Records the steps that pass now; the exercise is complete once every step has passed. */
export function recordPassedSteps(
  progress: Progress,
  exercise: Exercise,
  stepIds: readonly string[],
  at = new Date(),
): Progress {
  if (stepIds.length === 0) return progress;
  const entry = exerciseEntry(progress, exercise.id);
  const steps = { ...entry.steps };
  for (const id of stepIds) steps[id] ??= at.toISOString();
  const updated: ExerciseProgress = { ...entry, steps };
  if (!updated.completedAt && exercise.steps.every((s) => steps[s.id]))
    updated.completedAt = at.toISOString();
  return { ...progress, exercises: { ...progress.exercises, [exercise.id]: updated } };
}

export function recordHint(progress: Progress, exerciseId: string, stepId: string, level: number): Progress {
  const entry = exerciseEntry(progress, exerciseId);
  const hints = { ...entry.hints, [stepId]: Math.max(entry.hints[stepId] ?? 0, level) };
  return { ...progress, exercises: { ...progress.exercises, [exerciseId]: { ...entry, hints } } };
}

export function recordQuiz(
  progress: Progress,
  quizId: string,
  score: number,
  max: number,
  at = new Date(),
): Progress {
  const previous = progress.quizzes[quizId];
  return {
    ...progress,
    quizzes: {
      ...progress.quizzes,
      [quizId]: {
        best: Math.max(previous?.best ?? 0, score),
        max,
        attempts: (previous?.attempts ?? 0) + 1,
        lastScore: score,
        lastAt: at.toISOString(),
      },
    },
  };
}

export function resetExercise(progress: Progress, exerciseId?: string): Progress {
  if (exerciseId === undefined) return emptyProgress();
  const { [exerciseId]: _, ...rest } = progress.exercises;
  const position = progress.position?.exercise === exerciseId ? undefined : progress.position;
  return { ...progress, exercises: rest, position };
}

export function setPosition(progress: Progress, exercise: string, step?: string): Progress {
  return { ...progress, position: { exercise, step } };
}

/** The first exercise not done, in course order. */
export function nextExercise(progress: Progress, exercises: readonly Exercise[]): Exercise | undefined {
  return exercises.find((e) => !isDone(progress, e));
}
