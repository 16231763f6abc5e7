import { usageError } from '../errors.js';
import { isInteractive } from '../output.js';
import type { CommonOptions } from './common.js';

const INSTEAD =
  'use churn-labs list, churn-labs check <exercise> and churn-labs quiz --answers FILE (on the simulated cluster: churn-labs up --simulate first; the commands after it use it).';
export const NEEDS_TERMINAL = `start is the interactive course and needs a terminal. Without one, ${INSTEAD}`;
export const NOT_IN_CI = `start is the interactive course, and CI is set, so it does not run here; unset CI to use it in this terminal. In CI, ${INSTEAD}`;

export async function start(options: CommonOptions & { simulate?: boolean }): Promise<number> {
  // Decided before the terminal app loads: a script or CI gets the sentence and exit 2, fast.
  if (!isInteractive())
    throw usageError(process.stdin.isTTY && process.stdout.isTTY ? NOT_IN_CI : NEEDS_TERMINAL);
  // Native Windows has no sh, which every exercise's commands and "do it for me" run in: say so
  // now rather than at the first solution.
  if (process.platform === 'win32') {
    const { runTool } = await import('../cluster/tool.js');
    if (!(await runTool('sh', ['-c', 'exit 0'], { timeoutMs: 15_000 })).ok) {
      const { osFix } = await import('../cluster/doctor.js');
      process.stderr.write(`churn-labs: ${osFix('shell', 'win32')}\n`);
      return 1;
    }
  }
  const { runStart } = await import('../tui/run.js');
  return runStart({
    simulate: Boolean(options.simulate),
    context: options.context,
    kubeconfig: options.kubeconfig,
  });
}
