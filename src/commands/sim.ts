import { homeDir } from '../paths.js';
import { startSimulator } from '../sim/main.js';
import type { CommonOptions } from './common.js';

/**
 * `churn-labs sim serve`: the simulated cluster in the foreground. One line on stdout once it
 * accepts requests (scripts wait for it); diagnostics on stderr; SIGINT or SIGTERM stop it cleanly.
 */
export async function serve(options: CommonOptions & { port?: number; timeScale?: number }): Promise<number> {
  const sim = await startSimulator({
    home: homeDir(),
    port: options.port,
    timeScale: options.timeScale,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`ready kubeconfig=${sim.kubeconfig} context=${sim.context} server=${sim.url}\n`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // A second signal while stopping means "now".
  const force = () => process.exit(1);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  process.stderr.write(`${signal}: stopping the simulated cluster\n`);
  await sim.stop();
  // Nothing should outlive stop(); if something does, it must not keep the process alive.
  setTimeout(() => process.exit(0), 2000).unref();
  return 0;
}
