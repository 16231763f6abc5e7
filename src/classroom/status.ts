import type { Course } from '../course/course.js';
import { judgeCheck } from '../course/judge.js';
import { emptyProgress, isDone, nextExercise, type Progress, passedSteps } from '../course/progress.js';
import { isObjectCheck } from '../course/reads.js';
import type { Check, Exercise } from '../course/schema.js';
import { type KubeObject, Snapshot } from '../kube/objects.js';
import { own } from '../kube/own.js';
import { learnerNamespace } from './learners.js';
import { LEARNER_LABEL, MANAGED_BY, PROGRESS_CONFIGMAP } from './objects.js';
import { readProgressJson } from './progress-json.js';

/**
 * Where each learner of a class is, from what the cluster holds: their namespaces, the progress
 * ConfigMaps their app keeps, and the objects their current step's checks read. Pure: the command
 * reads the cluster, this judges it.
 */

export interface Learner {
  name: string;
  namespace: string;
  progress: Progress;
  /** When the app last wrote the learner's progress (the ConfigMap's `updated`). */
  updated?: string;
  /** Set when the ConfigMap is missing or unreadable: said, not guessed around. */
  problem?: string;
}

/** The learners of a class from one `kubectl get namespaces,configmaps -A -l <learner selector>`. */
export function learnersFrom(items: readonly KubeObject[]): Learner[] {
  const byName = new Map<string, Learner>();
  for (const ns of items.filter((o) => o.kind === 'Namespace')) {
    const name = own(ns.metadata.labels, LEARNER_LABEL);
    if (typeof name !== 'string' || own(ns.metadata.labels, MANAGED_BY) !== 'churn-labs') continue;
    if (ns.metadata.name !== learnerNamespace(name)) continue;
    byName.set(name, {
      name,
      namespace: ns.metadata.name,
      progress: emptyProgress(),
      problem: 'no progress ConfigMap',
    });
  }
  for (const cm of items.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === PROGRESS_CONFIGMAP)) {
    const name = own(cm.metadata.labels, LEARNER_LABEL);
    const learner = typeof name === 'string' ? byName.get(name) : undefined;
    if (!learner || cm.metadata.namespace !== learner.namespace) continue;
    const data = (cm as { data?: unknown }).data;
    const updated = own(data, 'updated');
    const read = readProgressJson(own(data, 'progress.json'));
    learner.progress = read.progress;
    learner.problem = read.problem;
    if (typeof updated === 'string') learner.updated = updated;
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The exercise and step a learner is on: the one they were last at, else the next not done, else an open incident. */
export function currentPlace(
  course: Course,
  progress: Progress,
): { exercise: Exercise; step?: Exercise['steps'][number] } | undefined {
  const exercises = course.exercises.filter((e) => !e.incident);
  const at = course.exercises.find((e) => e.id === progress.position?.exercise);
  const open = course.exercises.find(
    (e) => e.incident && progress.exercises[e.id]?.brokenAt && !isDone(progress, e),
  );
  const exercise =
    at && !isDone(progress, at) && (!at.incident || progress.exercises[at.id]?.brokenAt)
      ? at
      : (nextExercise(progress, exercises) ?? open);
  if (!exercise) return undefined;
  const passed = passedSteps(progress, exercise.id);
  return { exercise, step: exercise.steps.find((s) => !passed.has(s.id)) };
}

/** An exercise as it reads in a learner's namespace (its placeholders filled for their lab). */
export type RenderFor = (exercise: Exercise, namespace: string) => Exercise;

/** The checks of a learner's current step, as they read in the learner's namespace. */
export function currentChecks(course: Course, learner: Learner, render: RenderFor): Check[] {
  const place = currentPlace(course, learner.progress);
  if (!place?.step) return [];
  const stepId = place.step.id;
  return render(place.exercise, learner.namespace).steps.find((s) => s.id === stepId)?.checks ?? [];
}

export interface CheckStatus {
  id: string;
  title: string;
  /** null: an HTTP, metric, logs or file check, which status does not send for every learner. */
  passed: boolean | null;
  message: string;
}

export interface LearnerStatus {
  name: string;
  namespace: string;
  exercises: { id: string; status: 'done' | 'todo' | 'open' }[];
  quiz: { score: number; max: number } | null;
  current: { exercise: string; step: string | null; checks: CheckStatus[] } | null;
  exercisesDone: number;
  incidentsSolved: number;
  hints: number;
  lastActivity: string | null;
  problem?: string;
}

/** One learner's line, their current step's object checks judged on the objects of their namespace. */
export function learnerStatus(
  course: Course,
  learner: Learner,
  objects: readonly KubeObject[] | undefined,
  render: RenderFor,
): LearnerStatus {
  const { progress } = learner;
  const exercises = course.exercises.map((e) => ({
    id: e.id,
    status: isDone(progress, e)
      ? ('done' as const)
      : e.incident && progress.exercises[e.id]?.brokenAt
        ? ('open' as const)
        : ('todo' as const),
  }));
  const place = currentPlace(course, progress);
  let checks: CheckStatus[] = [];
  if (place?.step) {
    const snapshot = new Snapshot(learner.namespace, objects ? [...objects] : []);
    const reading = { reachable: true as const, snapshot, probes: new Map() };
    const passedAt = progress.exercises[place.exercise.id]?.steps ?? {};
    const stepId = place.step.id;
    const rendered =
      render(place.exercise, learner.namespace).steps.find((s) => s.id === stepId)?.checks ?? [];
    checks = rendered.map((check) => {
      if (!isObjectCheck(check))
        return { id: check.id, title: check.title, passed: null, message: "read by the learner's app" };
      if (!objects)
        return { id: check.id, title: check.title, passed: null, message: 'the cluster could not be read' };
      const verdict = judgeCheck(
        check,
        reading,
        passedAt,
        {},
        {
          explain: !place.exercise.incident,
        },
      );
      return { id: check.id, title: check.title, ...verdict };
    });
  }
  const quiz = bestQuiz(course, progress);
  return {
    name: learner.name,
    namespace: learner.namespace,
    exercises,
    quiz,
    current: place ? { exercise: place.exercise.id, step: place.step?.id ?? null, checks } : null,
    exercisesDone: course.exercises.filter((e) => !e.incident && isDone(progress, e)).length,
    incidentsSolved: course.exercises.filter((e) => e.incident && isDone(progress, e)).length,
    hints: Object.values(progress.exercises).reduce(
      (sum, e) => sum + Object.values(e.hints).reduce((a, b) => a + b, 0),
      0,
    ),
    lastActivity: learner.updated ?? null,
    ...(learner.problem ? { problem: learner.problem } : {}),
  };
}

/** The best score of the course's quiz (the first one), or null when it was never taken. */
export function bestQuiz(course: Course, progress: Progress): { score: number; max: number } | null {
  const quiz = course.quizzes[0];
  const record = quiz ? progress.quizzes[quiz.id] : undefined;
  return record ? { score: record.best, max: record.max } : null;
}

/** The kinds the current steps of every learner read, for one batched `kubectl get -A`. */
export function kindsOf(
  checks: readonly Check[],
  kindsFor: (checks: readonly Check[]) => string[],
): string[] {
  const objectChecks = checks.filter(isObjectCheck);
  if (objectChecks.length === 0) return [];
  return kindsFor(objectChecks);
}
