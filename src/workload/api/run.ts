import type { AddressInfo } from 'node:net';
import { UserError } from '../../errors.js';
import type { Config } from '../config.js';
import type { Layout } from '../layout.js';
import type { Logger } from '../log.js';
import { createMetrics } from './metrics.js';
import { ModelWatcher } from './model-watcher.js';
import { createApiServer } from './server.js';

export interface RunApiOptions {
  config: Config;
  layout: Layout;
  log: Logger;
  version: string;
  port: number;
  /** The address to listen on; all interfaces when absent (a container's pod IP among them). */
  host?: string;
  configSource: string | undefined;
}

/** Time in-flight requests get after SIGTERM; the pod's grace period (30 s) is well above it. */
const DRAIN_MS = 5_000;

/** Serves until SIGTERM or SIGINT, then finishes in-flight requests and resolves (exit 0). */
export async function runApi(options: RunApiOptions): Promise<void> {
  const { config, layout, log } = options;
  const metrics = createMetrics();
  const watcher = new ModelWatcher(config, layout, log, (model) =>
    metrics.setModel(model.version, model.date),
  );
  const server = createApiServer({
    config,
    log,
    version: options.version,
    metrics,
    model: () => watcher.current,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UserError(
              `Port ${options.port} is already in use; stop the other server or set PORT to a free port.`,
              1,
            )
          : error,
      );
    });
    if (options.host) server.listen(options.port, options.host, () => resolve());
    else server.listen(options.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info(
    `churn-api ${options.version} listening on port ${port} (config ${options.configSource ?? 'defaults'}, ` +
      `registry ${layout.registryFile}, model check every ${config.api.model_poll_seconds} s)`,
  );
  watcher.start();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info(`Received ${signal}: no new connections; finishing requests in flight`);
  watcher.stop();
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      log.warn(`Requests still open after ${DRAIN_MS / 1000} s; closing them`);
      server.closeAllConnections();
    }, DRAIN_MS);
    force.unref();
    server.closeConnectionsAfterResponses();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
  log.info('churn-api stopped');
}
