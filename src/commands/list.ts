import { isDone } from '../course/progress.js';
import { readProgress } from '../lab.js';
import { createOutput } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';

export async function list(options: CommonOptions): Promise<number> {
  const lab = await labFrom(options);
  const progress = await readProgress(lab);
  const exercises = lab.course.exercises.map((e) => ({
    id: e.id,
    title: e.title,
    status: isDone(progress, e) ? ('done' as const) : ('todo' as const),
    kind: e.incident ? ('incident' as const) : ('exercise' as const),
  }));
  const out = createOutput();
  if (options.json) {
    out.json({ exercises });
    return 0;
  }
  let number = 0;
  exercises.forEach((e, i) => {
    // Incidents are told by their symptom only, after the exercises.
    if (e.kind === 'incident' && exercises[i - 1]?.kind !== 'incident') {
      out.line();
      out.line(out.bold('On call (after Exercise 1): churn-labs incident <id>'));
      number = 0;
    }
    number++;
    // The marks of one kind are as wide, so that the ids line up.
    const width = e.kind === 'incident' ? '✓ solved'.length : '✓ done'.length;
    const mark =
      e.status === 'done'
        ? out.green((e.kind === 'incident' ? '✓ solved' : '✓ done').padEnd(width))
        : out.dim('· todo'.padEnd(width));
    out.line(`${String(number).padStart(2)}. ${mark}  ${e.id.padEnd(24)} ${e.title}`);
  });
  return 0;
}
