import { readFileSync } from 'node:fs';
import { homeDir, homePaths } from '../paths.js';
import { startSimulator } from '../sim/main.js';
import type { CommonOptions } from './common.js';

/**
 * `churn-labs sim serve`: the simulated cluster in the foreground. One line on stdout once it
 * accepts requests (scripts wait for it); diagnostics on stderr; SIGINT or SIGTERM stop it cleanly.
 */
export async function serve(options: CommonOptions & { port?: number; timeScale?: number }): Promise<number> {
  const home = homeDir();
  const start = (port: number | undefined) =>
    startSimulator({
      home,
      port,
      timeScale: options.timeScale,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  // Without --port, the port it had last time if it is free: a learner's open `kubectl proxy`
  // or bookmarked URL keeps working across restarts.
  const previous = options.port === undefined ? previousPort(homePaths(home).simKubeconfig) : undefined;
  const sim = previous
    ? await start(previous).catch((error: Error) => {
        if (!/already in use/.test(error.message)) throw error;
        return start(0);
      })
    : await start(options.port);
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

/** The port in the kubeconfig the simulator wrote when it last ran here. */
function previousPort(kubeconfig: string): number | undefined {
  try {
    const match = /^\s*server:\s*https?:\/\/127\.0\.0\.1:(\d+)\s*$/m.exec(readFileSync(kubeconfig, 'utf8'));
    const port = Number(match?.[1]);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}
