import {
  answeredQuestions,
  hintsUsed,
  isDone,
  nextExercise,
  passedSteps,
  solveSeconds,
} from '../course/progress.js';
import { readProgress } from '../lab.js';
import { createOutput } from '../output.js';
import { formatDuration } from './check.js';
import { type CommonOptions, labFrom } from './common.js';

export async function progress(options: CommonOptions): Promise<number> {
  const lab = await labFrom(options);
  const state = await readProgress(lab);
  const { quizzes } = lab.course;
  const exercises = lab.course.exercises.filter((e) => !e.incident);
  const incidents = lab.course.exercises
    .filter((e) => e.incident)
    .map((e) => {
      const entry = state.exercises[e.id];
      return {
        id: e.id,
        title: e.title,
        status: isDone(state, e)
          ? ('solved' as const)
          : entry?.brokenAt
            ? ('open' as const)
            : ('todo' as const),
        hints: hintsUsed(entry),
        /** Seconds from the break to the fix, once solved. */
        seconds: solveSeconds(entry) ?? null,
        brokenAt: entry?.brokenAt ?? null,
        solvedAt: entry?.brokenAt ? (entry.completedAt ?? null) : null,
      };
    });
  const solved = incidents.filter((i) => i.status === 'solved').length;
  const items = exercises.map((e) => ({
    id: e.id,
    title: e.title,
    status: isDone(state, e) ? ('done' as const) : ('todo' as const),
    stepsPassed: e.steps.filter((s) => passedSteps(state, e.id).has(s.id)).length,
    steps: e.steps.length,
  }));
  const done = items.filter((i) => i.status === 'done').length;
  const next = nextExercise(state, exercises);
  const quizScores = quizzes.map((q) => {
    const record = state.quizzes[q.id];
    return {
      id: q.id,
      title: q.title,
      best: record?.best ?? null,
      max: record?.max ?? null,
      attempts: record?.attempts ?? 0,
      /** Questions answered in an attempt under way in the terminal app. */
      answered: answeredQuestions(state, q),
      questions: q.questions.length,
      /** The last answers file graded (quiz --answers), apart from the attempts. */
      file: state.quizFiles?.[q.id] ?? null,
    };
  });
  const untaken = quizScores.find((q) => q.attempts === 0);
  const nextStep = next ? { exercise: next.id } : untaken ? { quiz: untaken.id } : null;
  const out = createOutput();
  if (options.json) {
    out.json({
      exercises: { done, total: items.length, items },
      incidents: { solved, total: incidents.length, items: incidents },
      quizzes: quizScores,
      next: nextStep,
    });
    return 0;
  }
  out.line(out.bold(`Exercises: ${done} of ${items.length} done`));
  for (const item of items) {
    out.line(
      `  ${item.status === 'done' ? out.green('✓') : ' '} ${item.id.padEnd(20)} ${item.stepsPassed}/${item.steps} steps`,
    );
  }
  out.line(out.bold(`Incidents: ${solved} of ${incidents.length} solved`));
  for (const i of incidents) {
    const how =
      i.status === 'solved'
        ? `solved${i.seconds === null ? '' : ` in ${formatDuration(i.seconds)}`}, ${i.hints} hint${i.hints === 1 ? '' : 's'}`
        : i.status === 'open'
          ? `open since ${i.brokenAt}, ${i.hints} hint${i.hints === 1 ? '' : 's'} so far`
          : 'not started';
    out.line(`  ${i.status === 'solved' ? out.green('✓') : ' '} ${i.id.padEnd(24)} ${how}`);
  }
  for (const q of quizScores) {
    out.line(
      out.bold(`Quiz ${q.id}: `) +
        (q.attempts === 0
          ? 'not taken yet'
          : `best ${q.best} / ${q.max} (${q.attempts} attempt${q.attempts === 1 ? '' : 's'})`) +
        (q.answered > 0
          ? `; ${q.answered} of ${q.questions} answered so far in an attempt under way, to carry on with in churn-labs start`
          : '') +
        (q.file ? `; last answers file graded ${q.file.score} / ${q.file.max}` : ''),
    );
  }
  if (next)
    out.line(
      `Next: ${next.id} (${next.title}). Start it with churn-labs start, or check it with churn-labs check ${next.id}.`,
    );
  else if (untaken) out.line(`Next: the quiz. churn-labs quiz ${untaken.id}`);
  else out.line(out.green('Section 19 complete.'));
  return 0;
}
