import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The paths the API serves; anything else is counted as "other" so a scanner cannot explode the series. */
export const ENDPOINTS = ['/live', '/ready', '/health', '/predict', '/metrics', '/admin/drain'] as const;

export const endpointLabel = (path: string) =>
  (ENDPOINTS as readonly string[]).includes(path) ? path : 'other';

export interface ApiMetrics {
  registry: Registry;
  observe(method: string, endpoint: string, status: number, seconds: number): void;
  setModel(version: string, date: string): void;
}

/** One registry per server (not prom-client's global one), so several servers can share a process. */
export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'api_requests_total',
    help: 'Total API requests',
    labelNames: ['method', 'endpoint', 'status'] as const,
    registers: [registry],
  });
  const responseTime = new Histogram({
    name: 'api_response_time_seconds',
    help: 'API response time in seconds',
    labelNames: ['endpoint'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const modelVersion = new Gauge({
    name: 'model_version_info',
    help: 'The model the API serves: 1 for its version and training date',
    labelNames: ['version', 'date'] as const,
    registers: [registry],
  });
  return {
    registry,
    observe(method, endpoint, status, seconds) {
      const known = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'].includes(method)
        ? method
        : 'OTHER';
      requests.inc({ method: known, endpoint, status: String(status) });
      responseTime.observe({ endpoint }, seconds);
    },
    setModel(version, date) {
      modelVersion.reset();
      modelVersion.set({ version, date }, 1);
    },
  };
}
