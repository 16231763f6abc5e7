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
  }));
  const out = createOutput();
  if (options.json) {
    out.json({ exercises });
    return 0;
  }
  exercises.forEach((e, i) => {
    const mark = e.status === 'done' ? out.green('✓ done') : out.dim('· todo');
    out.line(`${String(i + 1).padStart(2)}. ${mark}  ${e.id.padEnd(20)} ${e.title}`);
  });
  return 0;
}
