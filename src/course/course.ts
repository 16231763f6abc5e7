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

export function findExercise(course: Course, id: string): Exercise {
  const exercise = course.exercises.find((e) => e.id === id);
  if (!exercise) {
    throw new UserError(
      `There is no exercise "${id}". The exercises are: ${course.exercises.map((e) => e.id).join(', ')}.`,
      2,
    );
  }
  return exercise;
}

export function findQuiz(course: Course, id: string): Quiz {
  const quiz = course.quizzes.find((q) => q.id === id);
  if (!quiz) {
    throw new UserError(
      `There is no quiz "${id}". The quizzes are: ${course.quizzes.map((q) => q.id).join(', ')}.`,
      2,
    );
  }
  return quiz;
}
