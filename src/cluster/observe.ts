import { setMaxListeners } from 'node:events';
import type { Probe } from '../course/checks.js';
import { logSource, logTargetKinds } from '../course/log-pod.js';
import { isObjectCheck, kindsRead, type ProbeCheck, troubleKinds } from '../course/reads.js';
import type { Check } from '../course/schema.js';
import { isPodReady, KINDS, type KubeObject, matchesSelector, Snapshot } from '../kube/objects.js';
import { type ApiProxy, closeApiProxies, type RawAnswer, sharedApiProxy } from './api-proxy.js';
import { type ClusterTarget, kubectl, unreachableReason } from './kubectl.js';
import type { ToolResult } from './tool.js';

export { closeApiProxies };

/** Everything one evaluation read of the cluster, or the one reason it could not. */
export type Observation =
  | { reachable: true; snapshot: Snapshot; probes: Map<Check, Probe> }
  | { reachable: false; reason: string };

export interface ObserveOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Send the probes' HTTP requests through a shared `kubectl proxy` (the default), or with one
   * `kubectl get --raw` each (false).
   */
  proxy?: boolean;
  /**
   * Read the Namespace by its name rather than in the batched list: a classroom learner may get
   * their own namespace but not list every namespace of the cluster (an extra kubectl call, side
   * by side with the batch).
   */
  namespaceByName?: boolean;
}

/**
 * The kinds a set of checks needs; pods come along for metric checks (which read each pod), and
 * the pods and their owner for logs checks (to choose the pod as `kubectl logs` does). The pods of
 * the workloads they are about come too, so that a failing check can say what those pods show.
 */
export function kindsFor(checks: readonly Check[]): string[] {
  const kinds = new Set<string>(['Namespace']);
  for (const check of checks) {
    for (const kind of kindsRead(check)) kinds.add(kind);
    for (const kind of troubleKinds(check)) kinds.add(kind);
    if (check.type === 'metric') kinds.add('Pod');
    if (check.type === 'logs') for (const kind of logTargetKinds(check.target)) kinds.add(kind);
  }
  return [...kinds];
}

/**
 * Reads the cluster for a set of checks: every object they need in one `kubectl get a,b,c -o json`
 * (which also tells whether the cluster is there at all), and the probes side by side with it.
 * Probes that name their target (a Service, `ls` in `deployment/churn-api`) start at once; those
 * that choose pods (metrics, logs) start once the pods are known. Equal requests are sent once.
 */
export async function observe(
  target: ClusterTarget,
  namespace: string,
  checks: readonly Check[],
  options: ObserveOptions = {},
): Promise<Observation> {
  const kinds = kindsFor(checks).filter((k) => !(options.namespaceByName && k === 'Namespace'));
  const resources = kinds.map((k) => KINDS[k]?.resource ?? k.toLowerCase());
  // An unreachable cluster is one verdict: the probes already under way are called off.
  const cancel = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
  // Every request in flight listens on it (a metric check reads each pod at once), and it lives
  // for this one reading: past 10 pods Node would otherwise print a leak warning over the app.
  setMaxListeners(0, signal);
  const run = { signal, timeoutMs: options.timeoutMs ?? 15_000 };
  const wantsHttp = checks.some((c) => c.type === 'http' || c.type === 'metric' || c.type === 'logs');
  const reader = new ProbeReader(
    target,
    namespace,
    wantsHttp && options.proxy !== false ? sharedApiProxy(target) : undefined,
    run,
  );
  const probeChecks = checks.filter((c): c is ProbeCheck => !isObjectCheck(c));
  const early = new Map<Check, Promise<Probe>>();
  for (const check of probeChecks)
    if (check.type === 'http' || check.type === 'file') early.set(check, reader.probe(check));
  const own = options.namespaceByName
    ? kubectl(target, ['get', 'namespace', namespace, '--ignore-not-found', '-o', 'json'], run)
    : undefined;
  const unreachable = (reason: string): Observation => {
    cancel.abort();
    return { reachable: false, reason };
  };
  // Only the Namespace left to read (a step whose one check is about it): the call by name is all.
  let items: KubeObject[] = [];
  if (resources.length > 0) {
    const result = await kubectl(target, ['get', resources.join(','), '-n', namespace, '-o', 'json'], run);
    if (!result.ok)
      return unreachable(unreachableReason(result, target) ?? `kubectl get failed: ${errorText(result)}`);
    try {
      items = (JSON.parse(result.stdout) as { items?: KubeObject[] }).items ?? [];
    } catch {
      return unreachable('kubectl answered with output that is not JSON; is this a Kubernetes API server?');
    }
  }
  if (own) {
    const answer = await own;
    if (!answer.ok)
      return unreachable(
        unreachableReason(answer, target) ?? `kubectl get namespace failed: ${errorText(answer)}`,
      );
    try {
      if (answer.stdout.trim() !== '') items.push(JSON.parse(answer.stdout) as KubeObject);
    } catch {
      return unreachable('kubectl answered with output that is not JSON; is this a Kubernetes API server?');
    }
  }
  const snapshot = new Snapshot(namespace, items);
  const probes = new Map<Check, Probe>();
  await Promise.all(
    probeChecks.map(async (check) => {
      probes.set(check, await (early.get(check) ?? reader.probe(check, snapshot)));
    }),
  );
  return { reachable: true, snapshot, probes };
}

function errorText(result: ToolResult): string {
  return (
    result.stderr
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^I\d{4} /.test(l))
      .at(-1)
      ?.replace(/^error: /, '') ?? `exit code ${result.exitCode}`
  );
}

/** One evaluation's probes: each distinct request (a GET, a `kubectl logs`, an `ls`) goes out once. */
class ProbeReader {
  private readonly sent = new Map<string, Promise<unknown>>();

  constructor(
    private readonly target: ClusterTarget,
    private readonly namespace: string,
    private readonly api: Promise<ApiProxy | undefined> | undefined,
    private readonly run: { signal: AbortSignal; timeoutMs: number },
  ) {}

  /** `snapshot` is needed by the checks that read every pod (metric). */
  async probe(check: ProbeCheck, snapshot?: Snapshot): Promise<Probe> {
    const ns = this.namespace;
    switch (check.type) {
      case 'http': {
        const path = `/api/v1/namespaces/${ns}/services/${check.service}:${check.port}/proxy${check.path}`;
        return { type: 'http', ...(await this.http(check.method, path, check.body)) };
      }
      case 'metric': {
        const pods = (snapshot?.all('Pod') ?? []).filter(
          (pod) =>
            matchesSelector(pod.metadata.labels, check.selector) &&
            pod.status?.phase === 'Running' &&
            isPodReady(pod),
        );
        const read = await Promise.all(
          pods.map(async (pod) => {
            const path = `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}:${check.port}/proxy${check.path}`;
            const answer = await this.http('GET', path);
            return answer.status === 200
              ? { name: pod.metadata.name, text: answer.body }
              : { name: pod.metadata.name, error: answer.error ?? `HTTP ${answer.status}` };
          }),
        );
        return { type: 'metric', pods: read };
      }
      case 'logs': {
        // Through the proxy when the pod is known from the objects read; else kubectl decides.
        const source =
          (await this.api) && snapshot ? logSource(snapshot, check.target, check.container) : undefined;
        if (source && 'error' in source) return { type: 'logs', error: source.error };
        if (source) {
          const query = new URLSearchParams({ tailLines: '5000' });
          if (source.container) query.set('container', source.container);
          const answer = await this.http('GET', `/api/v1/namespaces/${ns}/pods/${source.pod}/log?${query}`);
          return answer.status === 200
            ? { type: 'logs', text: answer.body }
            : { type: 'logs', error: answer.error ?? `HTTP ${answer.status}` };
        }
        const args = ['logs', check.target, '-n', ns, '--tail=5000'];
        if (check.container) args.push('-c', check.container);
        const result = await this.kubectl(args);
        return result.ok ? { type: 'logs', text: result.stdout } : { type: 'logs', error: errorText(result) };
      }
      case 'file': {
        const args = ['exec', check.target, '-n', ns];
        if (check.container) args.push('-c', check.container);
        args.push('--', 'ls', '-1', check.directory);
        const result = await this.kubectl(args);
        return result.ok
          ? {
              type: 'file',
              names: result.stdout
                .split('\n')
                .map((l) => l.trim())
                .filter(Boolean),
            }
          : { type: 'file', error: errorText(result) };
      }
    }
  }

  private once<T>(key: string, send: () => Promise<T>): Promise<T> {
    let answer = this.sent.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = send();
      this.sent.set(key, answer);
    }
    return answer;
  }

  private kubectl(args: string[]): Promise<ToolResult> {
    return this.once(JSON.stringify(args), () => kubectl(this.target, args, this.run));
  }

  /** Over the shared proxy when there is one, else with `kubectl --raw`. A POST always goes out. */
  private http(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawAnswer> {
    const send = async () => {
      const api = await this.api;
      if (!api) return rawRequest(this.target, method, path, body, this.run);
      return api.request(method, path, method === 'POST' ? requestBody(body) : undefined, this.run);
    };
    return method === 'GET' ? this.once(`GET ${path}`, send) : send();
  }
}

function requestBody(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body ?? {});
}

const REASON_STATUS: Record<string, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  Conflict: 409,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
};

/**
 * An HTTP request through the API server (`kubectl get --raw`, `kubectl create --raw`). kubectl
 * prints the body of a 2xx answer; for others it prints "Error from server (Reason): body", and
 * the status line of its verbose log (-v=6) gives the exact code.
 */
export async function rawRequest(
  target: ClusterTarget,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  options: ObserveOptions & { timeoutMs?: number },
): Promise<RawAnswer> {
  const args =
    method === 'GET' ? ['get', '--raw', path, '-v=6'] : ['create', '--raw', path, '-f', '-', '-v=6'];
  const input = method === 'POST' ? requestBody(body) : undefined;
  const result = await kubectl(target, args, { ...options, input });
  const statusLine = [...result.stderr.matchAll(/\b(?:GET|POST) https?:\/\/\S+ (\d{3})\b/g)].at(-1);
  if (result.ok) return { status: statusLine ? Number(statusLine[1]) : 200, body: result.stdout };
  const reachable = unreachableReason(result, target);
  if (reachable) return { body: '', error: reachable };
  const fromServer = /Error from server \((\w+)\):\s*([\s\S]*)$/m.exec(result.stderr);
  const status = statusLine ? Number(statusLine[1]) : fromServer ? REASON_STATUS[fromServer[1]!] : undefined;
  const message = fromServer?.[2]?.trim() ?? errorText(result);
  return { status, body: message, error: message };
}
