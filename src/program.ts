import { isUserError } from './errors.js';
import { createOutput, isInteractive } from './output.js';

/** The options every command takes. */
export interface GlobalOptions {
  context?: string;
  kubeconfig?: string;
  debug?: boolean;
}

/**
 * Runs the command the arguments name and turns what went wrong into a sentence and an exit code.
 * `churn-labs start` as a learner types it, with nothing to parse, opens the terminal app without
 * loading the argument parser first: its first frame is not kept waiting by the other commands'
 * options (~25 ms on Node 20). Anything else goes through the parser (src/arguments.ts).
 */
export async function main(argv = process.argv): Promise<number> {
  try {
    const args = argv.slice(2);
    if (args[0] === 'start' && args.slice(1).every((a) => a === '--simulate')) {
      const { start } = await import('./commands/start.js');
      return await start({ simulate: args.includes('--simulate') });
    }
    const { runArguments } = await import('./arguments.js');
    return await runArguments(argv);
  } catch (error) {
    const out = createOutput(false);
    if (isUserError(error)) {
      out.error(`churn-labs: ${error.message}`);
      return error.exitCode;
    }
    const debug = argv.includes('--debug');
    out.error(
      debug
        ? String((error as Error).stack ?? error)
        : `churn-labs: an internal error stopped the command: ${(error as Error).message}. Run it again with --debug for details, and report it.`,
    );
    return 1;
  }
}

export { isInteractive };
