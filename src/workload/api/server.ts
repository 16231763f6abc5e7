import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { churnProbability } from '../model.js';
import { readBody } from './body.js';
import { type ApiMetrics, endpointLabel } from './metrics.js';
import type { ServedModel } from './model-watcher.js';
import { featureRow, parsePredictRequest } from './predict.js';

export interface ApiOptions {
  config: Config;
  log: Logger;
  /** The application version /health reports ($CHURN_MLOPS_VERSION). */
  version: string;
  model: () => ServedModel | undefined;
  metrics: ApiMetrics;
}

type Route = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

export interface ApiServer extends Server {
  /**
   * For shutdown: answers to requests in flight carry `Connection: close`, so their keep-alive
   * connections end with them instead of holding server.close() open until they time out.
   */
  closeConnectionsAfterResponses(): void;
}

/** The churn API. Every request is answered and counted; none can take the server down. */
export function createApiServer(options: ApiOptions): ApiServer {
  const { config, log, metrics } = options;
  // The health-probes exercise flips this to watch a pod leave the Service's endpoints while alive.
  let draining = false;
  let closing = false;
  const inFlight = new Set<ServerResponse>();

  const routes: Record<string, Partial<Record<string, Route>>> = {
    '/live': { GET: (_, res) => send(res, 200, { status: 'alive' }) },
    '/ready': {
      GET: (_, res) => {
        if (draining) return send(res, 503, { status: 'not ready', reason: 'draining' });
        if (!options.model()) return send(res, 503, { status: 'not ready', reason: 'model not loaded' });
        send(res, 200, { status: 'ready' });
      },
    },
    '/health': {
      GET: (_, res) => {
        const model = options.model();
        send(res, 200, {
          status: model ? 'healthy' : 'degraded',
          version: options.version,
          model_version: model?.version ?? null,
        });
      },
    },
    '/predict': { POST: (req, res) => predict(req, res) },
    '/metrics': {
      GET: async (_, res) => {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
    },
    '/admin/drain': {
      POST: (_, res) => {
        if (!draining)
          log.info(
            'Draining: /ready now answers 503 so the Service stops sending traffic (DELETE /admin/drain undoes it)',
          );
        draining = true;
        send(res, 200, { status: 'draining' });
      },
      DELETE: (_, res) => {
        if (draining) log.info('Drain undone: /ready answers 200 again');
        draining = false;
        send(res, 200, { status: 'serving' });
      },
    },
  };

  async function predict(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, config.api.max_body_bytes);
    if (!body.ok) {
      res.setHeader('connection', 'close');
      return send(res, 413, {
        error: `The request body is larger than api.max_body_bytes (${config.api.max_body_bytes} bytes); send one user per request.`,
      });
    }
    const parsed = parsePredictRequest(body.text);
    if (!parsed.ok) return send(res, parsed.status, { error: parsed.error });
    const model = options.model();
    if (!model) {
      return send(res, 503, { error: 'The model is not loaded yet; retry once /ready answers 200.' });
    }
    const probability = churnProbability(
      model.coefficients,
      featureRow(parsed.value.given, model.coefficients.means),
    );
    send(res, 200, {
      user_id: parsed.value.userId,
      churn_probability: Math.round(probability * 1e4) / 1e4,
      will_churn: probability >= config.model.threshold,
      model_version: model.version,
    });
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const path = pathOf(req.url);
    const endpoint = endpointLabel(path);
    if (closing) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      metrics.observe(
        req.method ?? 'OTHER',
        endpoint,
        res.statusCode,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    const handle = async () => {
      const methods = routes[path];
      if (!methods) {
        return send(res, 404, {
          error: `There is no ${path}; the API serves /live, /ready, /health, /predict and /metrics.`,
        });
      }
      const route = methods[req.method === 'HEAD' ? 'GET' : (req.method ?? '')];
      if (!route) {
        const allowed = Object.keys(methods).join(', ');
        res.setHeader('allow', allowed);
        return send(res, 405, { error: `${path} does not accept ${req.method}; use ${allowed}.` });
      }
      await route(req, res);
    };
    handle().catch((error: unknown) => {
      log.error(`${req.method} ${path} failed: ${(error as Error)?.stack ?? String(error)}`);
      if (res.headersSent) res.destroy();
      else
        send(res, 500, {
          error: 'The server failed on this request; it is logged and the API keeps serving.',
        });
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return Object.assign(server, {
    closeConnectionsAfterResponses() {
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    },
  });
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://api.invalid').pathname;
  } catch {
    return '/';
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
