import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { z } from 'zod';
import { ContentError, type Course, parseContent } from '../course/load.js';
import { exerciseSchema, quizSchema } from '../course/schema.js';
import { contentDirs, packageRoot } from '../paths.js';

function displayPath(file: string): string {
  const rel = relative(packageRoot(), file);
  return rel.startsWith('..') ? file : rel;
}

function readContent<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ContentError(
      displayPath(file),
      undefined,
      `cannot read the file (${(error as Error).message})`,
    );
  }
  return parseContent(schema, text, displayPath(file));
}

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();

/**
 * Loads every exercise (in file-name order: `01-…`, `02-…`) and every quiz, and checks what no
 * single file can: ids are unique, the file name matches the id, `requires` names exercises.
 */
export function loadCourse(dirs = contentDirs()): Course {
  const exercises = yamlFiles(dirs.labs).map((f) => {
    const file = join(dirs.labs, f);
    const exercise = readContent(exerciseSchema, file);
    const expected = basename(f)
      .replace(/^\d+-/, '')
      .replace(/\.ya?ml$/, '');
    if (expected !== exercise.id)
      throw new ContentError(
        displayPath(file),
        1,
        `the id "${exercise.id}" does not match the file name (${f})`,
      );
    return exercise;
  });
  const ids = new Set<string>();
  for (const exercise of exercises) {
    if (ids.has(exercise.id))
      throw new ContentError(dirs.labs, undefined, `two exercises have the id "${exercise.id}"`);
    ids.add(exercise.id);
  }
  for (const exercise of exercises) {
    for (const required of exercise.requires) {
      if (!ids.has(required))
        throw new ContentError(
          `labs/${exercise.id}`,
          undefined,
          `requires "${required}", which is not an exercise`,
        );
    }
  }
  const quizzes = yamlFiles(dirs.quizzes).map((f) => {
    const file = join(dirs.quizzes, f);
    const quiz = readContent(quizSchema, file);
    if (basename(f).replace(/\.ya?ml$/, '') !== quiz.id)
      throw new ContentError(displayPath(file), 1, `the id "${quiz.id}" does not match the file name (${f})`);
    return quiz;
  });
  return { exercises, quizzes };
}
