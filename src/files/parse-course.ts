import { basename } from 'node:path';
import type { Course } from '../course/course.js';
import { incidentExercise, incidentSchema } from '../course/incident.js';
import { ContentError, parseContent } from '../course/load.js';
import { exerciseSchema, quizSchema } from '../course/schema.js';
import type { readSources, SourceFile } from './course-files.js';

const idFromName = (file: SourceFile) =>
  basename(file.path)
    .replace(/^\d+-/, '')
    .replace(/\.ya?ml$/, '');

/**
 * Validates the course files and checks what no single file can: ids are unique, the file name
 * matches the id, `requires` names exercises.
 */
export function parseCourse(sources: ReturnType<typeof readSources>): Course {
  const exercises = sources.labs.map((file) => {
    const exercise = parseContent(exerciseSchema, file.text, file.display);
    if (idFromName(file) !== exercise.id)
      throw new ContentError(
        file.display,
        1,
        `the id "${exercise.id}" does not match the file name (${basename(file.path)})`,
      );
    return exercise;
  });
  // Incidents follow the exercises, in their files' order, and are exercises from then on.
  const incidents = sources.incidents.map((file) => {
    const incident = parseContent(incidentSchema, file.text, file.display);
    if (idFromName(file) !== incident.id)
      throw new ContentError(
        file.display,
        1,
        `the id "${incident.id}" does not match the file name (${basename(file.path)})`,
      );
    return incidentExercise(incident);
  });
  exercises.push(...incidents);
  const ids = new Set<string>();
  for (const exercise of exercises) {
    if (ids.has(exercise.id))
      throw new ContentError('labs/', undefined, `two exercises have the id "${exercise.id}"`);
    ids.add(exercise.id);
  }
  for (const exercise of exercises) {
    for (const required of exercise.requires) {
      if (!ids.has(required)) {
        const file = [...sources.labs, ...sources.incidents].find((f) => idFromName(f) === exercise.id)!;
        throw new ContentError(file.display, undefined, `requires "${required}", which is not an exercise`);
      }
    }
  }
  const quizzes = sources.quizzes.map((file) => {
    const quiz = parseContent(quizSchema, file.text, file.display);
    if (basename(file.path).replace(/\.ya?ml$/, '') !== quiz.id)
      throw new ContentError(
        file.display,
        1,
        `the id "${quiz.id}" does not match the file name (${basename(file.path)})`,
      );
    return quiz;
  });
  return { exercises, quizzes };
}
