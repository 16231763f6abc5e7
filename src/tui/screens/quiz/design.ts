import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseDesign } from '../../../course/grade.js';
import type { Question } from '../../../course/schema.js';
import { writeFileAtomic } from '../../../files/atomic.js';

/**
 * The YAML design answer: a draft file under the state folder that the learner's editor opens (and
 * that keeps their work between attempts), or any file they name.
 */
export function draftPath(home: string, quizId: string, questionId: string): string {
  return join(home, 'quiz', `${quizId}-${questionId}.yaml`);
}

export async function prepareDraft(file: string, question: Question): Promise<void> {
  if (existsSync(file)) return;
  await mkdir(dirname(file), { recursive: true });
  const prompt = question.prompt
    .trimEnd()
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
  await writeFileAtomic(
    file,
    `# Your answer to ${question.id}, in YAML. Save and close the editor to submit it.\n${prompt}\n\n`,
  );
}

/** The answer in a file, or why there is none. Lines that are only comments do not count. */
export async function readDesign(
  path: string,
): Promise<{ answer: string; file: string } | { problem: string }> {
  // Relative to the folder the learner started churn-labs in (the app never changes it).
  const file = resolve(path.replace(/^~(?=$|\/)/, homedir()));
  let text: string;
  try {
    // A FIFO or a device would be read forever: only a file, and only a design's size of one.
    const info = await stat(file);
    if (!info.isFile()) return { problem: `${file} is not a file. Give the path of a YAML file.` };
    if (info.size > MAX_DESIGN_BYTES)
      return {
        problem: `${file} is ${Math.round(info.size / 1024)} KB; an answer is at most ${MAX_DESIGN_BYTES / 1024} KB. Give the file with your answer.`,
      };
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      problem:
        code === 'ENOENT'
          ? `There is no file ${file}. Check the path and try again.`
          : `Cannot read ${file}: ${(error as Error).message}.`,
    };
  }
  if (text.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('#')))
    return { problem: `${file} has no answer in it yet (only comments or nothing).` };
  // A typo is not an answer: say where it is and let the learner fix it, rather than grade it 0.
  const parsed = parseDesign(text);
  if ('problem' in parsed) {
    return {
      problem: `${file}${parsed.line ? `:${parsed.line}` : ''}: the YAML does not parse (${parsed.problem}). Fix it, save, and choose again.`,
    };
  }
  return { answer: text, file };
}

/** A design answer is a few manifests' worth of YAML. */
const MAX_DESIGN_BYTES = 64 * 1024;
