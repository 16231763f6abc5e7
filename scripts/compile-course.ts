// Run by scripts/build.mjs: validates the course and writes dist/course.json (see src/files/course-files.ts).
import { writeFileAtomic } from '../src/files/atomic.js';
import { compiledCoursePath, readSources } from '../src/files/course-files.js';
import { parseCourse } from '../src/files/parse-course.js';

export async function compileCourse(): Promise<{ exercises: number; quizzes: number }> {
  const sources = readSources();
  const course = parseCourse(sources);
  await writeFileAtomic(compiledCoursePath(), JSON.stringify({ hash: sources.hash, course }));
  return { exercises: course.exercises.length, quizzes: course.quizzes.length };
}
