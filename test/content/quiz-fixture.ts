import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Answer, gradeQuestion, parseAnswers, prepareGrading } from '../../src/course/grade.js';
import type { Quiz } from '../../src/course/schema.js';
import { loadCourse } from '../../src/files/course-files.js';

export const ANSWERS = join(process.cwd(), 'test', 'content', 'answers');

/** The section-19 quiz, loaded the way the program loads it, beside an empty labs/ so it does not depend on the exercises. */
export async function loadQuiz(): Promise<Quiz> {
  const emptyLabs = mkdtempSync(join(tmpdir(), 'churn-labs-content-'));
  try {
    const course = await loadCourse({ labs: emptyLabs, quizzes: join(process.cwd(), 'quizzes') });
    const quiz = course.quizzes.find((q) => q.id === 'section-19');
    if (!quiz) throw new Error('quizzes/ has no section-19 quiz');
    // Short answers are read with the English model, loaded once.
    await prepareGrading(quiz.questions);
    return quiz;
  } finally {
    rmSync(emptyLabs, { recursive: true, force: true });
  }
}

/** The YAML inside the first fenced block of a model answer. */
export const fencedYaml = (markdown: string) => /```ya?ml\n([\s\S]*?)```/.exec(markdown)![1]!;

export function helpers(quiz: Quiz) {
  const question = (id: string) => quiz.questions.find((q) => q.id === id)!;
  return {
    question,
    grade: (id: string, answer: Answer) => gradeQuestion(question(id), answer),
    answersFile: (name: string) => parseAnswers(readFileSync(join(ANSWERS, name), 'utf8'), name, quiz),
    /** The design challenge's model answer, the YAML inside its fenced block. */
    designModel: () => {
      const q5 = question('q5');
      if (q5.type !== 'yaml') throw new Error('q5 is the design challenge, of type yaml');
      return fencedYaml(q5.modelAnswer);
    },
    /** The right answer to every question, from the quiz itself: letters, booleans and model answers. */
    modelAnswers: () =>
      new Map(
        quiz.questions.map((q): [string, Answer] => {
          if (q.type === 'choice' || q.type === 'truefalse') return [q.id, q.answer];
          if (q.type === 'yaml') return [q.id, fencedYaml(q.modelAnswer)];
          return [q.id, q.modelAnswer];
        }),
      ),
  };
}
