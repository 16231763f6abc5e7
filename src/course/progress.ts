import type { Answer } from './grade.js';
import type { Check, Exercise, Quiz } from './schema.js';

/** The progress file's format; bump it when the shape changes, and migrate the old one. */
export const PROGRESS_VERSION = 1;

export interface ExerciseProgress {
  /** Step id -> when its checks first all passed (ISO time). A step that passed once stays passed. */
  steps: Record<string, string>;
  completedAt?: string;
  /** Step id -> how many hints were shown. */
  hints: Record<string, number>;
  /** An incident: when `churn-labs incident` broke the system; its checks count only after it. */
  brokenAt?: string;
}

export interface QuizProgress {
  best: number;
  max: number;
  attempts: number;
  lastScore: number;
  lastAt: string;
}

export interface Progress {
  version: typeof PROGRESS_VERSION;
  exercises: Record<string, ExerciseProgress>;
  quizzes: Record<string, QuizProgress>;
  /**
   * Quiz id -> question id -> the answer given, for an attempt in the terminal app not yet
   * finished: leaving the quiz (or the app) keeps them, and the next visit carries on.
   */
  quizAnswers?: Record<string, Record<string, Answer>>;
  /**
   * Quiz id -> question id -> a short answer typed but not submitted yet: Esc, leaving the quiz or
   * quitting the app keep it, and the question shows it again.
   */
  quizDrafts?: Record<string, Record<string, string>>;
  /**
   * Quiz id -> the last answers file graded with `churn-labs quiz --answers`: kept apart from the
   * attempts made in the app (`quizzes`), so grading a file neither counts as one nor beats one.
   */
  quizFiles?: Record<string, { score: number; max: number; at: string }>;
  /** Where the learner was in the terminal app, to resume there: an exercise (and step), or a quiz. */
  position?: { exercise?: string; step?: string; quiz?: string };
}

type Guard = (value: unknown, path: string) => string | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const string: Guard = (v, p) => (typeof v === 'string' ? undefined : `${p}: expected text`);
/** Any JSON value: an answer is text, a letter, true or false, or a design's YAML. */
const present: Guard = (v, p) => (v === undefined ? `${p}: expected a value` : undefined);
const count: Guard = (v, p) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : `${p}: expected a number`;
const optional =
  (guard: Guard): Guard =>
  (v, p) =>
    v === undefined ? undefined : guard(v, p);
const record =
  (guard: Guard): Guard =>
  (v, p) => {
    if (!isRecord(v)) return `${p}: expected a mapping`;
    for (const [k, item] of Object.entries(v)) {
      const problem = guard(item, `${p}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  };
const shape =
  (fields: Record<string, Guard>): Guard =>
  (v, p) => {
    if (!isRecord(v)) return p ? `${p}: expected a mapping` : 'it is not a JSON object';
    for (const [k, guard] of Object.entries(fields)) {
      const problem = guard(v[k], p ? `${p}.${k}` : k);
      if (problem) return problem;
    }
    return undefined;
  };

/**
 * The progress file's shape, checked by hand rather than with the schema library: this runs on
 * every command, and loading zod would cost more than Node's own start-up (see bench/).
 */
const progressGuard = shape({
  version: (v, p) => (v === PROGRESS_VERSION ? undefined : `${p}: expected ${PROGRESS_VERSION}`),
  exercises: record(
    shape({
      steps: record(string),
      completedAt: optional(string),
      hints: record(count),
      brokenAt: optional(string),
    }),
  ),
  quizzes: record(shape({ best: count, max: count, attempts: count, lastScore: count, lastAt: string })),
  quizAnswers: optional(record(record(present))),
  quizDrafts: optional(record(record(string))),
  quizFiles: optional(record(shape({ score: count, max: count, at: string }))),
  position: optional(shape({ exercise: optional(string), step: optional(string), quiz: optional(string) })),
});

/** The problem with a parsed progress file, or undefined when it is a valid one. */
export function progressProblem(data: unknown): string | undefined {
  return progressGuard(data, '');
}

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

/** Keeps one answer of the quiz attempt under way. */
export function recordQuizAnswer(
  progress: Progress,
  quizId: string,
  questionId: string,
  answer: Answer,
): Progress {
  const given = { ...progress.quizAnswers?.[quizId], [questionId]: answer };
  return setQuizDraft(
    { ...progress, quizAnswers: { ...progress.quizAnswers, [quizId]: given } },
    quizId,
    questionId,
    '',
  );
}

/** Keeps a half-typed answer (an empty one removes it). */
export function setQuizDraft(progress: Progress, quizId: string, questionId: string, text: string): Progress {
  const drafts = { ...progress.quizDrafts?.[quizId] };
  if (text.trim() === '') {
    if (drafts[questionId] === undefined) return progress;
    delete drafts[questionId];
  } else if (drafts[questionId] === text) return progress;
  else drafts[questionId] = text;
  const all = { ...progress.quizDrafts, [quizId]: drafts };
  if (Object.keys(drafts).length === 0) delete all[quizId];
  const { quizDrafts: _, ...without } = progress;
  return Object.keys(all).length > 0 ? { ...without, quizDrafts: all } : without;
}

/** The grade of an answers file (`quiz --answers`), apart from the attempts. */
export function recordQuizFile(
  progress: Progress,
  quizId: string,
  score: number,
  max: number,
  at = new Date(),
): Progress {
  return {
    ...progress,
    quizFiles: { ...progress.quizFiles, [quizId]: { score, max, at: at.toISOString() } },
  };
}

/** How many of the quiz's questions have an answer in the attempt under way. */
export function answeredQuestions(progress: Progress, quiz: Pick<Quiz, 'id' | 'questions'>): number {
  const given = progress.quizAnswers?.[quiz.id];
  return given ? quiz.questions.filter((q) => given[q.id] !== undefined).length : 0;
}

/** The attempt is over (its score recorded): its answers are not carried into the next one. */
export function forgetQuizAnswers(progress: Progress, quizId: string): Progress {
  let result = progress;
  if (result.quizAnswers?.[quizId]) {
    const { [quizId]: _, ...rest } = result.quizAnswers;
    const { quizAnswers: __, ...without } = result;
    result = Object.keys(rest).length > 0 ? { ...without, quizAnswers: rest } : without;
  }
  if (result.quizDrafts?.[quizId]) {
    const { [quizId]: _, ...rest } = result.quizDrafts;
    const { quizDrafts: __, ...without } = result;
    result = Object.keys(rest).length > 0 ? { ...without, quizDrafts: rest } : without;
  }
  return result;
}

export function resetExercise(progress: Progress, exerciseId?: string): Progress {
  if (exerciseId === undefined) return emptyProgress();
  const { [exerciseId]: _, ...rest } = progress.exercises;
  const position = progress.position?.exercise === exerciseId ? undefined : progress.position;
  return { ...progress, exercises: rest, position };
}

/** An incident starts (again): what an earlier attempt recorded is forgotten. */
export function recordBreak(progress: Progress, incidentId: string, at = new Date()): Progress {
  const entry: ExerciseProgress = { steps: {}, hints: {}, brokenAt: at.toISOString() };
  return { ...progress, exercises: { ...progress.exercises, [incidentId]: entry } };
}

/** An incident's time to solve, in seconds, once solved. */
export function solveSeconds(entry: ExerciseProgress | undefined): number | undefined {
  if (!entry?.brokenAt || !entry.completedAt) return undefined;
  return Math.max(0, Math.round((Date.parse(entry.completedAt) - Date.parse(entry.brokenAt)) / 1000));
}

export const hintsUsed = (entry: ExerciseProgress | undefined): number =>
  Object.values(entry?.hints ?? {}).reduce((a, b) => a + b, 0);

export function setPosition(progress: Progress, exercise: string, step?: string): Progress {
  return { ...progress, position: { exercise, step } };
}

export function setQuizPosition(progress: Progress, quiz: string): Progress {
  return { ...progress, position: { quiz } };
}

/** The first exercise not done, in course order. */
export function nextExercise(progress: Progress, exercises: readonly Exercise[]): Exercise | undefined {
  return exercises.find((e) => !isDone(progress, e));
}

/** The checks still to evaluate: those of steps not yet recorded as passed. */
export function pendingChecks(exercise: Exercise, recorded: ReadonlySet<string>): Check[] {
  return exercise.steps.filter((s) => !recorded.has(s.id)).flatMap((s) => s.checks);
}
