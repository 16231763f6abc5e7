import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  groupList,
  groupVersion,
  merge,
  openapiDoc,
  openapiRoot,
  RESOURCES,
  type Resource,
  resourceList,
  send,
  status,
  text,
} from './fake-discovery.js';

/**
 * A small Kubernetes API server that the real kubectl accepts for the calls `up` makes: discovery,
 * the OpenAPI v3 bits `kubectl apply` checks, create/get/list/patch/delete of plain objects, pod
 * logs and the metrics API. Its pods do not run: the test decides how each one ends (succeeds,
 * cannot pull its image, does not fit on the node, crashes), which is what the diagnosis tests need
 * and what a real cluster cannot be told to do.
 */
export type PodFate = 'succeed' | 'image-pull' | 'insufficient-memory' | 'crash' | 'pending';

export interface Behaviour {
  pod: PodFate;
  /** Deployments become available at once, or never (their pod gets `pod`'s fate). */
  deploymentsAvailable: boolean;
  metricsApi: boolean;
  /** How long a deleted namespace stays Terminating. */
  namespaceDeleteMs: number;
  /**
   * Whether the node's API server is there: `down` closes every connection unanswered (the node's
   * container is stopped, or its API server is not listening yet); `starting` answers every request
   * 500 with the failing readiness checks, as a real API server does until etcd and its post-start
   * hooks are ready.
   */
  apiState?: () => 'down' | 'starting' | 'up';
}

type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: Record<string, unknown> & {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
};

export interface FakeCluster {
  url: string;
  behaviour: Behaviour;
  /** Every request, as `METHOD /path`. */
  requests: string[];
  objects: Map<string, Obj>;
  stop: () => Promise<void>;
}

export async function startFakeCluster(initial: Partial<Behaviour> = {}): Promise<FakeCluster> {
  const behaviour: Behaviour = {
    pod: 'succeed',
    deploymentsAvailable: true,
    metricsApi: true,
    namespaceDeleteMs: 300,
    ...initial,
  };
  const objects = new Map<string, Obj>();
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let resourceVersion = 1;
  const key = (plural: string, ns: string | undefined, name: string) => `${plural}|${ns ?? ''}|${name}`;
  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };

  const store = (r: Resource, obj: Obj) => {
    obj.metadata.resourceVersion = String(++resourceVersion);
    objects.set(key(r.plural, obj.metadata.namespace, obj.metadata.name), obj);
  };
  const podResource = RESOURCES.find((r) => r.plural === 'pods')!;
  const eventResource = RESOURCES.find((r) => r.plural === 'events')!;
  const event = (ns: string, pod: string, type: string, reason: string, message: string) =>
    store(eventResource, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod}.${randomUUID().slice(0, 8)}`, namespace: ns },
      involvedObject: { kind: 'Pod', name: pod, namespace: ns },
      type,
      reason,
      message,
      lastTimestamp: new Date().toISOString(),
    });

  /** What the kubelet and scheduler would have made of the pod, decided by the test. */
  const settlePod = (pod: Obj) => {
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name;
    const container = ((pod.spec?.containers as { name: string; image: string }[]) ?? [])[0];
    const image = container?.image ?? '';
    const status = (s: Record<string, unknown>) => {
      pod.status = s;
      store(podResource, pod);
    };
    const waiting = (reason: string, message: string) => ({
      name: container?.name,
      image,
      ready: false,
      restartCount: 0,
      state: { waiting: { reason, message } },
    });
    switch (behaviour.pod) {
      case 'succeed':
        pod.metadata.annotations = {
          ...(pod.metadata.annotations as object),
          'fake/log': 'churn-mlops 0.1.0',
        };
        status({
          phase: 'Succeeded',
          containerStatuses: [
            {
              name: container?.name,
              image,
              ready: false,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            },
          ],
        });
        break;
      case 'image-pull':
        status({
          phase: 'Pending',
          containerStatuses: [waiting('ImagePullBackOff', `Back-off pulling image "${image}"`)],
        });
        event(
          ns,
          name,
          'Warning',
          'Failed',
          `Failed to pull image "${image}": pull access denied, repository does not exist`,
        );
        break;
      case 'insufficient-memory': {
        const message =
          '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available.';
        status({
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
        });
        event(ns, name, 'Warning', 'FailedScheduling', message);
        break;
      }
      case 'crash':
        pod.metadata.annotations = {
          ...(pod.metadata.annotations as object),
          'fake/log': 'starting\nchurn-mlops: cannot read /app/config/config.yaml: bad indentation',
        };
        status({
          phase: 'Failed',
          containerStatuses: [
            {
              name: container?.name,
              image,
              ready: false,
              state: { terminated: { exitCode: 2, reason: 'Error' } },
            },
          ],
        });
        break;
      case 'pending':
        status({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating', '')] });
        break;
    }
  };

  const afterCreate = (r: Resource, obj: Obj) => {
    if (r.plural === 'pods') {
      obj.status = { phase: 'Pending' };
      later(150, () => objects.has(key('pods', obj.metadata.namespace, obj.metadata.name)) && settlePod(obj));
    }
    if (r.plural === 'namespaces') obj.status = { phase: 'Active' };
    if (r.plural === 'deployments') {
      const replicas = (obj.spec?.replicas as number | undefined) ?? 1;
      if (behaviour.deploymentsAvailable)
        obj.status = { replicas, readyReplicas: replicas, availableReplicas: replicas };
      else {
        obj.status = { replicas, unavailableReplicas: replicas };
        const template = obj.spec?.template as {
          metadata?: { labels?: Record<string, string> };
          spec?: object;
        };
        const pod: Obj = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${obj.metadata.name}-7d4b9c8f5-x2x7q`,
            namespace: obj.metadata.namespace,
            labels: template?.metadata?.labels,
          },
          spec: template?.spec as Record<string, unknown>,
        };
        store(podResource, pod);
        settlePod(pod);
      }
    }
  };

  const server = createServer((req, res) => {
    const api = behaviour.apiState?.() ?? 'up';
    if (api !== 'up') {
      requests.push(`${api.toUpperCase()} ${req.method} ${(req.url ?? '').split('?')[0]}`);
      if (api === 'down') req.socket.destroy();
      else
        text(
          res,
          500,
          '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]poststarthook/start-apiextensions-controllers failed: reason withheld\nreadyz check failed',
        );
      return;
    }
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
      try {
        handle(req, res, body);
      } catch (error) {
        send(res, 500, status(500, 'InternalError', String(error)));
      }
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/$/, '');
    if (path === '/version')
      return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.2', platform: 'linux/amd64' });
    if (path === '/readyz' || path === '/livez') return text(res, 200, 'ok');
    if (path === '/api')
      return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') return send(res, 200, groupList());
    if (path === '/openapi/v3') return send(res, 200, { paths: openapiRoot() });
    if (path.startsWith('/openapi/v3/')) return send(res, 200, openapiDoc(path.slice('/openapi/v3/'.length)));
    if (path === '/apis/metrics.k8s.io/v1beta1')
      return send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'metrics.k8s.io/v1beta1',
        resources: [
          { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
          { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
        ],
      });
    if (path.startsWith('/apis/metrics.k8s.io/v1beta1')) return metrics(res, path);

    const gv = /^\/api\/(v1)(?:\/(.*))?$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)(?:\/(.*))?$/.exec(path);
    if (!gv)
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const [group, version] = gv[1]!.includes('/') ? gv[1]!.split('/') : ['', gv[1]!];
    const inGroup = RESOURCES.filter((r) => r.group === group && r.version === version);
    if (!gv[2]) {
      if (inGroup.length === 0) return send(res, 404, status(404, 'NotFound', 'not found'));
      return send(res, 200, resourceList(group!, version!, inGroup));
    }
    let segments = gv[2].split('/');
    let namespace: string | undefined;
    if (segments[0] === 'namespaces' && segments.length >= 3) {
      namespace = segments[1];
      segments = segments.slice(2);
    }
    const [plural, name, sub] = segments;
    const r = inGroup.find((x) => x.plural === plural);
    if (!r)
      return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const existing = name ? objects.get(key(r.plural, namespace, name)) : undefined;
    const notFound = () =>
      send(
        res,
        404,
        status(404, 'NotFound', `${r.group ? `${r.plural}.${r.group}` : r.plural} "${name}" not found`),
      );

    if (req.method === 'GET' && !name)
      return send(res, 200, list(r, namespace, url.searchParams.get('labelSelector')));
    if (req.method === 'GET' && sub === 'log') {
      if (!existing) return notFound();
      const annotations = (existing.metadata.annotations ?? {}) as Record<string, string>;
      return text(res, 200, `${annotations['fake/log'] ?? ''}\n`);
    }
    if (req.method === 'GET') return existing ? send(res, 200, existing) : notFound();
    if (req.method === 'POST') {
      if (/protobuf/.test(req.headers['content-type'] ?? ''))
        return send(res, 415, status(415, 'UnsupportedMediaType', 'this fake speaks JSON only'));
      const obj = JSON.parse(body) as Obj;
      if (r.namespaced) obj.metadata.namespace = namespace ?? obj.metadata.namespace ?? 'default';
      const k = key(r.plural, r.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
      if (objects.has(k))
        return send(
          res,
          409,
          status(409, 'AlreadyExists', `${r.plural} "${obj.metadata.name}" already exists`),
        );
      obj.metadata.uid = randomUUID();
      obj.metadata.creationTimestamp = new Date().toISOString();
      obj.apiVersion = groupVersion(r);
      obj.kind = r.kind;
      afterCreate(r, obj);
      store(r, obj);
      return send(res, 201, obj);
    }
    if (req.method === 'PATCH' || req.method === 'PUT') {
      if (!existing) return notFound();
      const next = (req.method === 'PUT' ? JSON.parse(body) : merge(existing, JSON.parse(body))) as Obj;
      store(r, next);
      return send(res, 200, next);
    }
    if (req.method === 'DELETE') {
      if (!existing) return notFound();
      if (r.plural === 'namespaces') {
        existing.status = { phase: 'Terminating' };
        existing.metadata.deletionTimestamp = new Date().toISOString();
        later(behaviour.namespaceDeleteMs, () => {
          for (const k of [...objects.keys()]) if (k.split('|')[1] === name) objects.delete(k);
          objects.delete(key('namespaces', undefined, name!));
        });
      } else objects.delete(key(r.plural, namespace, name!));
      return send(res, 200, existing);
    }
    return send(res, 405, status(405, 'MethodNotAllowed', 'not supported by the fake'));
  }

  function metrics(res: ServerResponse, path: string) {
    const running = [...objects.values()].some(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'metrics-server',
    );
    if (!behaviour.metricsApi || !running)
      return send(
        res,
        503,
        status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
      );
    if (path.endsWith('/nodes'))
      return send(res, 200, {
        kind: 'NodeMetricsList',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {},
        items: [{ metadata: { name: 'churn-labs-control-plane' }, usage: { cpu: '120m', memory: '900Mi' } }],
      });
    return send(res, 404, status(404, 'NotFound', 'not found'));
  }

  function list(r: Resource, namespace: string | undefined, selector: string | null) {
    const wanted = (selector ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('='));
    const items = [...objects.entries()]
      .filter(([k]) => k.startsWith(`${r.plural}|`) && (!namespace || k.split('|')[1] === namespace))
      .map(([, o]) => o)
      .filter((o) => wanted.every(([label, value]) => o.metadata.labels?.[label!] === value));
    return {
      apiVersion: groupVersion(r),
      kind: `${r.kind}List`,
      metadata: { resourceVersion: String(resourceVersion) },
      items,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    behaviour,
    requests,
    objects,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
