import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type ClusterTarget, kubectlRunning, resolveKubeconfig } from './kubectl.js';

// Not `import { request } from 'node:http'`: on Node 22 and newer, importing node:http as an ES
// module reads all its exports, and its WebSocket export loads undici (~50 ms of every check's
// start-up). require() reads only what is used, and only once a request is sent: checks without
// HTTP probes never load node:http.
let http: typeof Http | undefined;
const httpModule = () => {
  http ??= createRequire(import.meta.url)('node:http') as typeof Http;
  return http;
};

/** What an HTTP request through the API server answered, or why it got no answer. */
export interface RawAnswer {
  status?: number;
  body: string;
  error?: string;
}

/**
 * `kubectl proxy` on a Unix socket of our own: one kubectl, started once, that carries the pinned
 * context's credentials, so that the probes of a check (the service proxy, each pod's /metrics)
 * are plain HTTP requests to the real API server instead of one kubectl start-up (~120 ms) each.
 * The socket lives in a fresh 0700 folder, so no other user of the machine can borrow the
 * learner's credentials through it, and it is removed on close.
 */
export interface ApiProxy {
  /** Where it serves (a Unix socket in a folder of its own). */
  socket: string;
  request(method: 'GET' | 'POST', path: string, body?: string, options?: RequestOptions): Promise<RawAnswer>;
  /** Settles when the kubectl behind it has ended (closed, or killed from outside). */
  ended: Promise<unknown>;
  close(): Promise<void>;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const READY = /Starting to serve on /;

/**
 * Starts the proxy and waits until it serves; undefined when it cannot (kubectl without Unix
 * socket support, a kubeconfig it refuses): callers then send each request with `kubectl --raw`.
 */
export async function startApiProxy(
  target: ClusterTarget,
  options: { timeoutMs?: number } = {},
): Promise<ApiProxy | undefined> {
  // Node's socketPath on Windows names a pipe, not the AF_UNIX socket kubectl would make.
  if (process.platform === 'win32') return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'churn-labs-proxy-'));
  const socket = join(dir, 'api.sock');
  let serving!: () => void;
  const ready = new Promise<void>((resolve) => {
    serving = resolve;
  });
  // kubectl's default filters stay: only local Host headers, no exec or attach through it.
  const tool = kubectlRunning(target, ['proxy', '--unix-socket', socket], {
    onLine: (line) => {
      if (READY.test(line)) serving();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    tool.ended.then(() => 'ended' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs ?? 10_000);
    }),
  ]);
  clearTimeout(timer);
  const close = async () => {
    await tool.stop();
    await rm(dir, { recursive: true, force: true });
  };
  if (outcome !== 'ready') {
    await close();
    return undefined;
  }
  return {
    socket,
    request: (method, path, body, requestOptions) => send(socket, method, path, body, requestOptions),
    ended: tool.ended,
    close,
  };
}

const shared = new Map<string, { proxy: Promise<ApiProxy | undefined>; stamp: string }>();

/**
 * The kubeconfig files as they are now (their modification times): kubectl proxy reads them once,
 * so a cluster made again (`churn-labs down`, then `up`: a new port, new certificates) needs a new
 * proxy.
 */
function kubeconfigStamp(target: ClusterTarget): string {
  const files = resolveKubeconfig(target.kubeconfig).split(delimiter).filter(Boolean);
  return files
    .map((file) => {
      try {
        return String(statSync(file).mtimeMs);
      } catch {
        return '-';
      }
    })
    .join(',');
}

/**
 * The proxy of a cluster, started on first use and kept for the next evaluations (the terminal
 * app checks every few seconds); started again if its kubectl has ended or the kubeconfig has
 * changed. A proxy that could not start is not tried again for that kubeconfig: the requests go
 * through `kubectl --raw` instead.
 */
export function sharedApiProxy(target: ClusterTarget): Promise<ApiProxy | undefined> {
  const key = JSON.stringify([target.context, target.kubeconfig ?? null]);
  const stamp = kubeconfigStamp(target);
  const current = shared.get(key);
  if (current && current.stamp === stamp) return current.proxy;
  if (current) void current.proxy.then((stale) => stale?.close());
  const entry = { proxy: startApiProxy(target), stamp };
  shared.set(key, entry);
  void entry.proxy.then((started) =>
    started?.ended.then(() => {
      if (shared.get(key) === entry) shared.delete(key);
    }),
  );
  return entry.proxy;
}

/** Ends every proxy this process started (before it exits: a running kubectl keeps it alive). */
export async function closeApiProxies(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map(async ({ proxy }) => (await proxy)?.close()));
}

function send(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
  options: RequestOptions = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { Accept: 'application/json, */*' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const req = httpModule().request(
      { socketPath, path, method, headers, signal: options.signal, timeout: options.timeoutMs ?? 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ body: '', error: error.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve({ status, body: text });
          // The API server's own refusals (no endpoints, no such Service) are Status objects:
          // say their message, as kubectl does ("Error from server (ServiceUnavailable): ...").
          const message = statusMessage(text) ?? text.trim();
          resolve({ status, body: message, error: message || `HTTP ${status}` });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 15_000} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        body: '',
        // The socket is gone or refuses: kubectl proxy has ended (the next check starts another).
        error:
          error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
            ? 'the kubectl proxy the checks use has stopped; the next check starts it again'
            : error.message,
      }),
    );
    req.end(body);
  });
}

function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { kind?: string; message?: string };
    return parsed.kind === 'Status' && typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
