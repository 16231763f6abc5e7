import { Agent, request } from 'node:http';
import { UserError } from '../errors.js';
import { FEATURE_COUNT, FEATURES, generateUsers } from './dataset.js';
import type { Logger } from './log.js';
import { Random } from './random.js';

export interface LoadOptions {
  url: string;
  concurrency: number;
  /** Seconds; 0 runs until SIGTERM or SIGINT. */
  duration: number;
  log: Logger;
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface LoadTotals {
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  seconds: number;
}

/** Where the API is: --url, else the Service's environment variables in the pod, else its DNS name. */
export function defaultLoadUrl(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.CHURN_API_SERVICE_HOST;
  if (host)
    return `http://${host.includes(':') ? `[${host}]` : host}:${env.CHURN_API_SERVICE_PORT || '8000'}`;
  return 'http://churn-api:8000';
}

/**
 * Sends /predict requests from `concurrency` workers, as fast as answers come back. Each worker
 * reopens its connection every RECONNECT_EVERY requests so that, behind a Service, the load
 * spreads to pods the HPA adds instead of staying pinned to the first ones.
 */
const RECONNECT_EVERY = 50;

export async function runLoad(options: LoadOptions): Promise<LoadTotals> {
  const target = parseUrl(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const users = generateUsers(1000, Date.now() & 0xffff, 'recent');
  const random = new Random(Date.now());
  const all: number[] = [];
  let window: number[] = [];
  let requests = 0;
  let errors = 0;
  let windowErrors = 0;
  let lastError: string | undefined;
  const started = Date.now();
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  options.signal?.addEventListener('abort', stop);
  const deadline = options.duration > 0 ? setTimeout(stop, options.duration * 1000) : undefined;

  const body = () => {
    const row = Math.floor(random.next() * users.rows);
    const values = users.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT);
    // A third of the requests carry only the two activity features, like the course's curl example.
    const names = random.next() < 0.33 ? FEATURES.slice(0, 2) : FEATURES;
    const features = Object.fromEntries(names.map((name) => [name, values[FEATURES.indexOf(name)]]));
    return JSON.stringify({ user_id: users.userId(row), features });
  };

  const worker = async () => {
    for (let sent = 1; !stopping; sent++) {
      const begin = performance.now();
      const outcome = await post(target, agent, body(), sent % RECONNECT_EVERY === 0);
      const elapsed = performance.now() - begin;
      requests++;
      keepSample(all, elapsed, requests, random);
      window.push(elapsed);
      if (outcome !== 'ok') {
        errors++;
        windowErrors++;
        lastError = outcome;
        // The API may be starting or rolling; do not spin on a refused connection.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  const intervalMs = options.intervalMs ?? 5_000;
  let windowStart = Date.now();
  const report = setInterval(() => {
    const seconds = (Date.now() - windowStart) / 1000;
    options.log.info(
      `load ${target.href}: ${window.length} requests in ${seconds.toFixed(1)} s (${(window.length / seconds).toFixed(1)}/s), ` +
        `${windowErrors} errors, p50 ${quantile(window, 0.5).toFixed(1)} ms, p95 ${quantile(window, 0.95).toFixed(1)} ms` +
        (windowErrors && lastError ? ` (last error: ${lastError})` : ''),
    );
    window = [];
    windowErrors = 0;
    windowStart = Date.now();
  }, intervalMs);

  options.log.info(
    `Sending /predict requests to ${target.href} with ${options.concurrency} workers ` +
      `${options.duration > 0 ? `for ${options.duration} s` : 'until stopped'}`,
  );
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  clearInterval(report);
  clearTimeout(deadline);
  agent.destroy();
  const totals: LoadTotals = {
    requests,
    errors,
    p50: quantile(all, 0.5),
    p95: quantile(all, 0.95),
    seconds: (Date.now() - started) / 1000,
  };
  options.log.info(
    `load finished: ${totals.requests} requests in ${totals.seconds.toFixed(1)} s, ${totals.errors} errors, ` +
      `p50 ${totals.p50.toFixed(1)} ms, p95 ${totals.p95.toFixed(1)} ms` +
      (totals.errors && lastError ? ` (last error: ${lastError})` : ''),
  );
  return totals;
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--url ${url} is not a URL; give one like http://churn-api:8000.`, 2);
  }
  if (parsed.protocol !== 'http:') throw new UserError(`--url ${url} must start with http://.`, 2);
  return new URL('/predict', parsed);
}

function post(target: URL, agent: Agent, body: string, lastOnConnection: boolean): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        timeout: 10_000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(lastOnConnection ? { connection: 'close' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? 'ok' : `HTTP ${res.statusCode}`));
        res.on('error', (error) => resolve(error.message));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
    req.end(body);
  });
}

/** Reservoir sampling: the overall percentiles stay honest without keeping every latency of a long run. */
const RESERVOIR = 100_000;
function keepSample(samples: number[], value: number, seen: number, random: Random): void {
  if (samples.length < RESERVOIR) samples.push(value);
  else {
    const slot = Math.floor(random.next() * seen);
    if (slot < RESERVOIR) samples[slot] = value;
  }
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
