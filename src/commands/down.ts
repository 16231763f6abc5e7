import { join } from 'node:path';
import { usageError } from '../errors.js';
import { DEFAULT_CONTEXT, SIM_CONTEXT } from '../lab.js';
import { createOutput } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';
import { confirm } from './confirm.js';

/** `churn-labs down [--yes]`: deletes the kind cluster, asking first; the workspace stays. */
export async function down(options: CommonOptions): Promise<number> {
  const lab = await labFrom(options);
  const out = createOutput();
  if (lab.target.context === SIM_CONTEXT)
    throw usageError(
      `The simulated cluster is not a kind cluster, so down has nothing to delete: stop churn-labs sim serve instead (Ctrl-C in its terminal). Its state stays in ${join(lab.paths.home, 'sim')}.`,
    );
  if (lab.target.context !== DEFAULT_CONTEXT)
    throw usageError(
      `churn-labs down deletes only its own kind cluster (context ${DEFAULT_CONTEXT}), not context ${lab.target.context}: run it without --context.`,
    );
  const { down: deleteCluster } = await import('../cluster/environment.js');
  const result = await deleteCluster(lab, {
    confirm: () =>
      confirm(
        'Delete the kind cluster churn-labs and everything running in it?',
        options.yes,
        'pass --yes to delete it without asking.',
      ),
    onOutput: (chunk) => process.stdout.write(out.dim(chunk)),
  });
  switch (result.outcome) {
    case 'absent':
      out.line('There is no kind cluster churn-labs: nothing to delete.');
      return 0;
    case 'declined':
      out.line('Nothing was deleted.');
      return 1;
    case 'deleted':
      out.line(
        `${out.green('Deleted the kind cluster churn-labs.')} Your workspace (${lab.paths.workspace}) and progress are kept; churn-labs up brings the lab back.`,
      );
      return 0;
    case 'failed':
      out.error(`churn-labs: ${result.message} ${result.fix}`.trim());
      if (result.outputTail) out.error(result.outputTail.replace(/^/gm, '  │ '));
      return 1;
  }
}
