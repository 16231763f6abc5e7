import { connect, createServer, type Server, type Socket } from 'node:net';
import { isPodReady, type KubeObject, labelsMatch } from '../../kube/objects.js';
import type { Store } from '../store.js';

/**
 * The node's kube-proxy, simulated: for every port of every Service, a TCP listener on 127.0.0.1
 * that spreads connections round-robin over the Service's ready endpoints (its EndpointSlices, or
 * its selector's ready pods while the endpoint controller has written none). Pods find these
 * listeners through the service-link variables (`CHURN_API_SERVICE_HOST`, ...), which point at
 * 127.0.0.1 and the listener's port instead of a cluster IP. A connection with no ready endpoint
 * is closed at once, as kube-proxy rejects it.
 */
export type AddressOf = (
  namespace: string,
  pod: string,
  port: number | string,
) => { host: string; port: number } | undefined;

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

interface Listener {
  namespace: string;
  service: string;
  servicePort: ServicePort;
  server: Server;
  port: number;
  next: number;
  sockets: Set<Socket>;
}

export class ServiceProxies {
  private readonly listeners = new Map<string, Listener>();
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly addressOf: AddressOf,
  ) {}

  /** Opens a listener for each new Service port and closes those of Services that are gone. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.reconcile()).catch(() => undefined);
    return this.syncing;
  }

  /** The service-link variables for a pod in `namespace` (as the kubelet's envvars.FromServices). */
  async linksFor(namespace: string): Promise<Record<string, string>> {
    await this.sync();
    const env: Record<string, string> = {};
    for (const service of this.store.list('Service', namespace)) {
      const ports = proxiedPorts(service);
      if (ports.length === 0) continue;
      const prefix = envName(service.metadata.name);
      const local = (p: ServicePort) => this.listeners.get(listenerKey(service, p))?.port;
      const first = local(ports[0]!);
      if (first === undefined) continue;
      env[`${prefix}_SERVICE_HOST`] = '127.0.0.1';
      env[`${prefix}_SERVICE_PORT`] = String(first);
      for (const p of ports) {
        if (p.name && local(p) !== undefined)
          env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(local(p));
      }
      ports.forEach((p, i) => {
        const port = local(p);
        if (port === undefined) return;
        const url = `tcp://127.0.0.1:${port}`;
        if (i === 0) env[`${prefix}_PORT`] = url;
        const key = `${prefix}_PORT_${p.port}_TCP`;
        env[key] = url;
        env[`${key}_PROTO`] = 'tcp';
        env[`${key}_PORT`] = String(port);
        env[`${key}_ADDR`] = '127.0.0.1';
      });
    }
    return env;
  }

  /** Where a Service port answers on this machine (for tests and the curious). */
  localPort(namespace: string, service: string, port: number | string): number | undefined {
    for (const listener of this.listeners.values()) {
      if (listener.namespace !== namespace || listener.service !== service) continue;
      if (listener.servicePort.port === port || listener.servicePort.name === port) return listener.port;
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.syncing;
    await Promise.all([...this.listeners.keys()].map((key) => this.closeListener(key)));
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const wanted = new Map<string, { service: KubeObject; port: ServicePort }>();
    for (const service of this.store.list('Service')) {
      for (const port of proxiedPorts(service)) wanted.set(listenerKey(service, port), { service, port });
    }
    for (const key of [...this.listeners.keys()]) if (!wanted.has(key)) await this.closeListener(key);
    for (const [key, { service, port }] of wanted) {
      const existing = this.listeners.get(key);
      if (existing) {
        existing.servicePort = port;
        continue;
      }
      if (this.closed) return;
      this.listeners.set(key, await this.open(service, port));
    }
  }

  private async open(service: KubeObject, servicePort: ServicePort): Promise<Listener> {
    const server = createServer();
    const listener: Listener = {
      namespace: service.metadata.namespace ?? 'default',
      service: service.metadata.name,
      servicePort,
      server,
      port: 0,
      next: 0,
      sockets: new Set(),
    };
    server.on('connection', (socket) => this.forward(listener, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    const address = server.address();
    listener.port = typeof address === 'object' && address ? address.port : 0;
    return listener;
  }

  private forward(listener: Listener, client: Socket): void {
    const backends = this.backends(listener);
    if (backends.length === 0) {
      client.destroy();
      return;
    }
    const backend = backends[listener.next++ % backends.length]!;
    const upstream = connect(backend.port, backend.host);
    for (const socket of [client, upstream]) {
      listener.sockets.add(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on('close', () => listener.sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private backends(listener: Listener): { host: string; port: number }[] {
    const { namespace, service: name, servicePort } = listener;
    const found: { host: string; port: number }[] = [];
    const slices = this.store
      .list('EndpointSlice', namespace)
      .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
    if (slices.length > 0) {
      for (const slice of slices) {
        const ports = (slice.ports ?? []) as { name?: string; port?: number }[];
        const port = ports.find((p) => (p.name ?? '') === (servicePort.name ?? ''));
        if (port?.port === undefined) continue;
        const endpoints = (slice.endpoints ?? []) as {
          conditions?: { ready?: boolean };
          targetRef?: { kind?: string; name?: string };
        }[];
        for (const endpoint of endpoints) {
          if (endpoint.conditions?.ready === false || endpoint.targetRef?.kind !== 'Pod') continue;
          const address = this.addressOf(namespace, endpoint.targetRef.name ?? '', port.port);
          if (address) found.push(address);
        }
      }
      return found;
    }
    const service = this.store.get('Service', namespace, name);
    const selector = service?.spec?.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) return found;
    for (const pod of this.store.list('Pod', namespace)) {
      if (!labelsMatch(pod.metadata.labels, selector) || !isPodReady(pod)) continue;
      const address = this.addressOf(
        namespace,
        pod.metadata.name,
        servicePort.targetPort ?? servicePort.port,
      );
      if (address) found.push(address);
    }
    return found;
  }

  private async closeListener(key: string): Promise<void> {
    const listener = this.listeners.get(key);
    if (!listener) return;
    this.listeners.delete(key);
    for (const socket of listener.sockets) socket.destroy();
    await new Promise<void>((resolve) => listener.server.close(() => resolve()));
  }
}

function proxiedPorts(service: KubeObject): ServicePort[] {
  const spec = service.spec ?? {};
  if (spec.type === 'ExternalName' || spec.clusterIP === 'None') return [];
  return ((spec.ports ?? []) as ServicePort[]).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
}

function listenerKey(service: KubeObject, port: ServicePort): string {
  return `${service.metadata.uid}/${port.name ?? ''}/${port.port}`;
}

/** `churn-api` => CHURN_API, as the kubelet names service-link variables. */
function envName(name: string): string {
  const upper = name.replace(/[.-]/g, '_').toUpperCase();
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}
