import type { Probe } from '../course/checks.js';
import { isPodReady, KINDS, type KubeObject, matchesSelector, Snapshot } from '../course/objects.js';
import { isObjectCheck, kindsRead, type ProbeCheck } from '../course/reads.js';
import type { Check } from '../course/schema.js';
import { type ClusterTarget, kubectl, unreachableReason } from './kubectl.js';
import type { ToolResult } from './tool.js';

/** Everything one evaluation read of the cluster, or the one reason it could not. */
export type Observation =
  | { reachable: true; snapshot: Snapshot; probes: Map<Check, Probe> }
  | { reachable: false; reason: string };

export interface ObserveOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The kinds a set of checks needs; pods come along for metric checks (which read each pod). */
export function kindsFor(checks: readonly Check[]): string[] {
  const kinds = new Set<string>(['Namespace']);
  for (const check of checks) {
    for (const kind of kindsRead(check)) kinds.add(kind);
    if (check.type === 'metric') kinds.add('Pod');
  }
  return [...kinds];
}

/**
 * Reads the cluster for a set of checks: every object they need in one `kubectl get a,b,c -o json`
 * (which also tells whether the cluster is there at all), then the probes, side by side.
 */
export async function observe(
  target: ClusterTarget,
  namespace: string,
  checks: readonly Check[],
  options: ObserveOptions = {},
): Promise<Observation> {
  const kinds = kindsFor(checks);
  const resources = kinds.map((k) => KINDS[k]?.resource ?? k.toLowerCase());
  const result = await kubectl(target, ['get', resources.join(','), '-n', namespace, '-o', 'json'], {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  if (!result.ok) {
    return {
      reachable: false,
      reason: unreachableReason(result, target) ?? `kubectl get failed: ${errorText(result)}`,
    };
  }
  let items: KubeObject[];
  try {
    items = (JSON.parse(result.stdout) as { items?: KubeObject[] }).items ?? [];
  } catch {
    return {
      reachable: false,
      reason: 'kubectl answered with output that is not JSON; is this a Kubernetes API server?',
    };
  }
  const snapshot = new Snapshot(namespace, items);
  const probeChecks = checks.filter((c): c is ProbeCheck => !isObjectCheck(c));
  const probes = new Map<Check, Probe>();
  await Promise.all(
    probeChecks.map(async (check) => {
      probes.set(check, await probe(target, namespace, check, snapshot, options));
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

async function probe(
  target: ClusterTarget,
  namespace: string,
  check: ProbeCheck,
  snapshot: Snapshot,
  options: ObserveOptions,
): Promise<Probe> {
  const run = { signal: options.signal, timeoutMs: options.timeoutMs ?? 15_000 };
  switch (check.type) {
    case 'http': {
      const path = `/api/v1/namespaces/${namespace}/services/${check.service}:${check.port}/proxy${check.path}`;
      return { type: 'http', ...(await rawRequest(target, check.method, path, check.body, run)) };
    }
    case 'metric': {
      const pods = snapshot
        .all('Pod')
        .filter(
          (pod) =>
            matchesSelector(pod.metadata.labels, check.selector) &&
            pod.status?.phase === 'Running' &&
            isPodReady(pod),
        );
      const read = await Promise.all(
        pods.map(async (pod) => {
          const path = `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}:${check.port}/proxy${check.path}`;
          const answer = await rawRequest(target, 'GET', path, undefined, run);
          return answer.status === 200
            ? { name: pod.metadata.name, text: answer.body }
            : { name: pod.metadata.name, error: answer.error ?? `HTTP ${answer.status}` };
        }),
      );
      return { type: 'metric', pods: read };
    }
    case 'logs': {
      const args = ['logs', check.target, '-n', namespace, '--tail=5000'];
      if (check.container) args.push('-c', check.container);
      const result = await kubectl(target, args, run);
      return result.ok ? { type: 'logs', text: result.stdout } : { type: 'logs', error: errorText(result) };
    }
    case 'file': {
      const args = ['exec', check.target, '-n', namespace];
      if (check.container) args.push('-c', check.container);
      args.push('--', 'ls', '-1', check.directory);
      const result = await kubectl(target, args, run);
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
): Promise<{ status?: number; body: string; error?: string }> {
  const args =
    method === 'GET' ? ['get', '--raw', path, '-v=6'] : ['create', '--raw', path, '-f', '-', '-v=6'];
  const input =
    method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body ?? {})) : undefined;
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
