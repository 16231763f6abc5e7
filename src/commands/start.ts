import { usageError } from '../errors.js';
import { isInteractive } from '../output.js';
import type { CommonOptions } from './common.js';

export const NEEDS_TERMINAL =
  'start is the interactive course and needs a terminal. Without one, use churn-labs list, churn-labs check <exercise> and churn-labs quiz --answers FILE.';

export async function start(options: CommonOptions & { simulate?: boolean }): Promise<number> {
  // Decided before the terminal app loads: a script or CI gets the sentence and exit 2, fast.
  if (!isInteractive()) throw usageError(NEEDS_TERMINAL);
  const { runStart } = await import('../tui/run.js');
  return runStart({
    simulate: Boolean(options.simulate),
    context: options.context,
    kubeconfig: options.kubeconfig,
  });
}
