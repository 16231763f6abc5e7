import { join } from 'node:path';
import { usageError } from '../errors.js';
import { DEFAULT_CONTEXT, type Lab, SIM_CONTEXT } from '../lab.js';
import { createOutput } from '../output.js';
import { type CommonOptions, labFrom } from './common.js';
import { confirm } from './confirm.js';

/**
 * `churn-labs down [--simulate] [--yes]`: deletes the kind cluster, or stops the background
 * simulated cluster (its state stays for the next `up --simulate`), asking first; the workspace stays.
 */
export async function down(options: CommonOptions & { simulate?: boolean }): Promise<number> {
  if (options.simulate && options.context && options.context !== SIM_CONTEXT)
    throw usageError(
      `down --simulate stops the simulated cluster (context ${SIM_CONTEXT}), not context ${options.context}: leave out one of them.`,
    );
  const lab = await labFrom(options.simulate ? { ...options, context: SIM_CONTEXT } : options);
  const out = createOutput();
  if (lab.simulated) return stopSimulated(lab, options, out);
  if (lab.classroom)
    throw usageError(
      `Context ${lab.target.context} is your class's cluster, which your instructor runs: down has nothing of yours to stop, and your work stays in namespace ${lab.namespace}.`,
    );
  if (lab.target.context !== DEFAULT_CONTEXT)
    throw usageError(
      `churn-labs down deletes only its own kind cluster (context ${DEFAULT_CONTEXT}), not context ${lab.target.context}: run it with --context ${DEFAULT_CONTEXT}.`,
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

async function stopSimulated(
  lab: Lab,
  options: CommonOptions,
  out: ReturnType<typeof createOutput>,
): Promise<number> {
  const { runningSim, stopSim } = await import('../cluster/background-sim.js');
  const running = await runningSim(lab.paths);
  const state = join(lab.paths.home, 'sim');
  if (!running) {
    // stopSim still ends a process that is stuck starting or stopping (it holds the state folder).
    await stopSim(lab.paths);
    out.line(`The simulated cluster is not running: nothing to stop. Its state is in ${state}.`);
    return 0;
  }
  const yes = await confirm(
    `Stop the simulated cluster (process ${running.pid})? Its objects are kept for the next churn-labs up --simulate.`,
    options.yes,
    'pass --yes to stop it without asking.',
  );
  if (!yes) {
    out.line('Nothing was stopped.');
    return 1;
  }
  await stopSim(lab.paths);
  out.line(
    `${out.green('Stopped the simulated cluster.')} Its state is kept in ${state}; churn-labs up --simulate starts it again.`,
  );
  return 0;
}
