import { findQuiz } from '../course/course.js';
import { gradeQuiz, parseAnswers, prepareGrading } from '../course/grade.js';
import { recordQuizFile } from '../course/progress.js';
import { usageError } from '../errors.js';
import { readAnswersFile } from '../files/answers-file.js';
import { updateProgress } from '../files/progress-store.js';
import { createOutput, isInteractive } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';

export async function quiz(quizId: string, options: CommonOptions & { answers?: string }): Promise<number> {
  const lab = await labFrom(options);
  const theQuiz = findQuiz(lab.course, quizId);
  const out = createOutput();
  if (!options.answers) {
    if (!isInteractive() || options.json) {
      throw usageError(
        `The quiz asks its questions in a terminal. Without one, grade a file of answers: churn-labs quiz ${theQuiz.id} --answers answers.yaml (one line per question, like "q1: B").`,
      );
    }
    const { runQuiz } = await import('../tui/run.js');
    return runQuiz(lab, theQuiz);
  }
  const text = await readAnswersFile(options.answers);
  const answers = parseAnswers(text, options.answers, theQuiz);
  // The English model for short answers loads only when the file answers one.
  await prepareGrading(theQuiz.questions.filter((q) => answers.has(q.id)));
  const grade = gradeQuiz(theQuiz, answers);
  const { warning } = await updateProgress(
    lab.paths.progress,
    (p) => recordQuizFile(p, theQuiz.id, grade.score, grade.max),
    { onWait: lab.warn },
  );
  if (warning) lab.warn(warning);
  if (options.json) {
    out.json(grade);
    return 0;
  }
  out.line(out.bold(`${theQuiz.title}: ${grade.score} / ${grade.max} (${grade.percent}%)`));
  for (const question of theQuiz.questions) {
    const g = grade.questions.find((q) => q.id === question.id)!;
    const mark = g.score === g.max ? out.green('✓') : g.score > 0 ? out.yellow('~') : out.red('✗');
    out.line();
    out.line(`${mark} ${question.id} (${g.score}/${g.max}): ${question.prompt.split('\n')[0]}`);
    out.line(`  ${g.feedback}`);
    if (g.score < g.max) {
      const model =
        question.type === 'choice'
          ? `${question.answer}) ${question.choices.find((c) => c.key === question.answer)?.text}`
          : question.type === 'truefalse'
            ? String(question.answer)
            : question.modelAnswer;
      out.line(out.dim(`  Model answer: ${model.trimEnd().replace(/\n/g, '\n  ')}`));
      out.line(out.dim(`  Why: ${question.explanation.trimEnd().replace(/\n/g, '\n  ')}`));
    }
  }
  return 0;
}
