import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Course } from '../course/course.js';
import { contentDirs, packageRoot } from '../paths.js';

/**
 * The course is YAML that authors edit, but parsing and validating it (yaml + zod) costs more
 * than Node's own start-up. The build compiles it once into dist/course.json, keyed by a hash of
 * the source files; at run time the compiled course is used while the hash matches, and the files
 * are parsed and validated again (with file and line for any mistake) as soon as one changes.
 */
export interface ContentDirs {
  labs: string;
  quizzes: string;
  /** The incidents (labs/incidents/), which follow the exercises; none when left out. */
  incidents?: string;
}

export interface CompiledCourse {
  hash: string;
  course: Course;
}

export const compiledCoursePath = () => join(packageRoot(), 'dist', 'course.json');

export interface SourceFile {
  path: string;
  /** As shown to the author in messages: relative to the package when inside it. */
  display: string;
  text: string;
}

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();

function displayPath(file: string): string {
  const rel = relative(packageRoot(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Reads every exercise and quiz file, in course order, and the hash of them all. */
export function readSources(dirs: ContentDirs = contentDirs()): {
  labs: SourceFile[];
  incidents: SourceFile[];
  quizzes: SourceFile[];
  hash: string;
} {
  const read = (dir: string) =>
    yamlFiles(dir).map((name) => {
      const path = join(dir, name);
      return { path, display: displayPath(path), text: readFileSync(path, 'utf8') };
    });
  const labs = read(dirs.labs);
  const incidents = dirs.incidents !== undefined && existsSync(dirs.incidents) ? read(dirs.incidents) : [];
  const quizzes = read(dirs.quizzes);
  const hash = createHash('sha256');
  for (const file of [...labs, ...incidents, ...quizzes]) hash.update(`${file.display}\0${file.text}\0`);
  return { labs, incidents, quizzes, hash: hash.digest('hex') };
}

function readCompiled(hash: string): Course | undefined {
  try {
    const compiled = JSON.parse(readFileSync(compiledCoursePath(), 'utf8')) as CompiledCourse;
    return compiled.hash === hash ? compiled.course : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads every exercise (in file-name order: `01-…`, `02-…`) and every quiz: the compiled course
 * when it matches the files, else the files themselves, validated.
 */
export async function loadCourse(dirs: ContentDirs = contentDirs()): Promise<Course> {
  const sources = readSources(dirs);
  const compiled = isPackageContent(dirs) ? readCompiled(sources.hash) : undefined;
  if (compiled) return compiled;
  const { parseCourse } = await import('./parse-course.js');
  return parseCourse(sources);
}

function isPackageContent(dirs: ContentDirs): boolean {
  const own = contentDirs();
  return dirs.labs === own.labs && dirs.quizzes === own.quizzes && dirs.incidents === own.incidents;
}
