import { type Lab, openLab } from '../lab.js';
import type { GlobalOptions } from '../program.js';

export interface CommonOptions extends GlobalOptions {
  json?: boolean;
  yes?: boolean;
}

export function labFrom(options: CommonOptions): Promise<Lab> {
  return openLab({ context: options.context, kubeconfig: options.kubeconfig });
}

/**
 * Runs `work` with a signal that Ctrl-C or SIGTERM aborts: the command ends what it runs (execa's
 * cancel signal ends each tool's process group) and says where it stopped. A second Ctrl-C does not
 * wait for that.
 */
export async function whileInterruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
