import { request } from 'node:http';
import { badRequest, serviceUnavailable } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import { matchesLabels, selectorFromObject } from '../../kube/selectors.js';
import type { Api } from './context.js';
import { type ApiCall, notFoundPath } from './http.js';
import type { Route } from './route.js';

/**
 * The proxy subresources: `services/NAME[:PORT]/proxy/PATH` to a ready endpoint pod (round-robin)
 * and `pods/NAME[:PORT]/proxy/PATH` to one pod, through Runtime.address. Method, body, status and
 * headers pass through, so `kubectl get --raw …/proxy/health` and `kubectl create --raw
 * …/proxy/predict -f body.json` reach the real workload without a port-forward.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'authorization',
]);
const turns = new Map<string, number>();

interface Target {
  pod: string;
  port: number | string;
  display: string;
}

function parseName(raw: string): { name: string; port?: string } {
  const parts = raw.split(':');
  if (parts.length === 3) return { name: parts[1]!, port: parts[2] || undefined };
  if (parts.length === 2) return { name: parts[0]!, port: parts[1] || undefined };
  return { name: raw };
}

const isReady = (pod: KubeObject) =>
  !pod.metadata.deletionTimestamp &&
  (pod.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
  );

function containerPort(pod: KubeObject, name: string): number | undefined {
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? []) if (p.name === name) return p.containerPort as number;
  return undefined;
}

function serviceTargets(api: Api, namespace: string, raw: string): Target[] {
  const { name, port } = parseName(raw);
  const service = api.store.require('Service', namespace, name);
  const ports: { name?: string; port: number; targetPort?: number | string }[] = service.spec?.ports ?? [];
  const servicePort =
    port === undefined
      ? ports.length === 1
        ? ports[0]
        : ports.find((p) => !p.name)
      : ports.find((p) => p.name === port || String(p.port) === port);
  if (!servicePort)
    throw serviceUnavailable(`no service port ${JSON.stringify(port ?? '')} found for service "${name}"`);
  if (!service.spec?.selector) throw serviceUnavailable(`no endpoints available for service "${name}"`);
  const selector = selectorFromObject({ matchLabels: service.spec.selector });
  const pods = api.store
    .list('Pod', namespace)
    .filter((p) => matchesLabels(selector, p.metadata.labels) && isReady(p));
  const targets: Target[] = [];
  for (const pod of pods) {
    const target = servicePort.targetPort ?? servicePort.port;
    const number = typeof target === 'number' ? target : containerPort(pod, target);
    if (number === undefined) continue;
    targets.push({
      pod: pod.metadata.name,
      port: number,
      display: `${pod.status?.podIP ?? pod.metadata.name}:${number}`,
    });
  }
  if (targets.length === 0) throw serviceUnavailable(`no endpoints available for service "${name}"`);
  const key = `${namespace}/${name}`;
  const turn = turns.get(key) ?? 0;
  turns.set(key, turn + 1);
  return [...targets.slice(turn % targets.length), ...targets.slice(0, turn % targets.length)];
}

function podTargets(api: Api, namespace: string, raw: string): Target[] {
  const { name, port } = parseName(raw);
  const pod = api.store.require('Pod', namespace, name);
  const first = pod.spec?.containers?.[0]?.ports?.[0]?.containerPort as number | undefined;
  const chosen = port === undefined ? first : /^\d+$/.test(port) ? Number(port) : port;
  if (chosen === undefined)
    throw badRequest(`pod ${name} does not declare a container port; name one: pods/${name}:PORT/proxy/`);
  return [{ pod: name, port: chosen, display: `${pod.status?.podIP ?? name}:${chosen}` }];
}

export async function handleProxy(api: Api, call: ApiCall, route: Route): Promise<void> {
  const namespace = route.namespace;
  if (!namespace || !route.name) throw notFoundPath();
  const targets =
    route.resource.kind === 'Service'
      ? serviceTargets(api, namespace, route.name)
      : podTargets(api, namespace, route.name);
  const runtime = api.runtime();
  const target = targets
    .map((t) => ({ t, address: runtime?.address(namespace, t.pod, t.port) }))
    .find((x) => x.address);
  if (!target?.address) {
    throw serviceUnavailable(
      `error trying to reach service: dial tcp ${targets[0]!.display}: connect: connection refused`,
    );
  }
  const search = new URL(call.req.url ?? '/', 'http://localhost').search;
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(call.req.headers))
    if (value !== undefined && !HOP_BY_HOP.has(key)) headers[key] = value;
  headers.host = `${target.address.host}:${target.address.port}`;

  await new Promise<void>((resolve) => {
    const upstream = request(
      {
        host: target.address!.host,
        port: target.address!.port,
        method: call.method,
        path: `${route.subpath || '/'}${search}`,
        headers,
      },
      (response) => {
        const out: Record<string, string | string[]> = {};
        for (const [key, value] of Object.entries(response.headers))
          if (value !== undefined && !HOP_BY_HOP.has(key)) out[key] = value;
        call.res.writeHead(response.statusCode ?? 502, out);
        response.pipe(call.res);
        response.on('end', resolve);
        response.on('error', () => {
          call.res.destroy();
          resolve();
        });
      },
    );
    const close = () => {
      upstream.destroy();
      resolve();
    };
    api.closers.add(close);
    call.res.on('close', () => {
      api.closers.delete(close);
      upstream.destroy();
      resolve();
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!call.res.headersSent) {
        const status = serviceUnavailable(
          `error trying to reach service: dial tcp ${target.t.display}: ${error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.message}`,
        ).toStatus();
        const text = JSON.stringify(status);
        call.res.writeHead(503, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(text),
        });
        call.res.end(text);
      } else call.res.destroy();
      resolve();
    });
    call.req.pipe(upstream);
  });
}
