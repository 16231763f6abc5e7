import { UserError } from '../errors.js';
import type { Exercise, Quiz } from './schema.js';

/**
 * The course as the commands use it, and lookups by id. Kept apart from load.ts (the YAML parser
 * and the schemas), so that `check`, `hint` or `solve` do not load them at start-up.
 */
export interface Course {
  exercises: Exercise[];
  quizzes: Quiz[];
}

export const findExercise = (course: Course, id: string): Exercise =>
  findById(course.exercises, id, 'exercise');

export const findQuiz = (course: Course, id: string): Quiz => findById(course.quizzes, id, 'quiz');

/** An unknown id is the learner's mistake (exit 2), named with the ids that do exist. */
function findById<T extends { id: string }>(items: T[], id: string, what: 'exercise' | 'quiz'): T {
  const found = items.find((item) => item.id === id);
  if (!found) {
    const plural = what === 'quiz' ? 'quizzes' : 'exercises';
    throw new UserError(
      `There is no ${what} "${id}". The ${plural} are: ${items.map((item) => item.id).join(', ')}.`,
      2,
    );
  }
  return found;
}
