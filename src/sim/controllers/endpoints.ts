import type { KubeObject } from '../../kube/objects.js';
import type { StoreEvent } from '../store.js';
import { Controller } from './controller.js';
import {
  controllerRef,
  controllerRefOf,
  createObject,
  deleteIfPresent,
  keyOf,
  namespaceTerminating,
  randomSuffix,
  same,
  splitKey,
  timestamp,
  writeObject,
} from './meta.js';
import { containersOf, isPodReady, isTerminal } from './pods.js';
import { mapMatches } from './selectors.js';

const MANAGED_BY = 'endpointslice-controller.k8s.io';

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  appProtocol?: string;
}

/** The container port a Service port reaches on this pod, or undefined when a named port is missing. */
function targetPortOn(pod: KubeObject, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of containersOf(pod))
    for (const p of c.ports ?? [])
      if (p.name === target && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP')) return p.containerPort;
  return undefined;
}

interface Member {
  pod: KubeObject;
  ports: { name: string; port: number; protocol: string }[];
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/**
 * The Endpoints and EndpointSlice controllers, together: for each Service with a selector, the
 * matching pods that have an IP, ready ones serving traffic and the others listed as not ready, with
 * named target ports resolved per pod. The kubelet's service proxy reads the EndpointSlices.
 */
export class EndpointsController extends Controller {
  protected readonly name = 'endpoint-controller';

  protected keysFor(event: StoreEvent): string[] {
    const ns = event.object.metadata.namespace ?? '';
    if (event.kind === 'Service') return [keyOf(event.object)];
    if (event.kind === 'Pod') return [`*${ns}`];
    if (event.kind === 'EndpointSlice' || event.kind === 'Endpoints') {
      const service =
        event.object.metadata.labels?.['kubernetes.io/service-name'] ??
        (event.kind === 'Endpoints' ? event.object.metadata.name : undefined);
      return service ? [`${ns}/${service}`] : [];
    }
    return [];
  }

  protected allKeys(): string[] {
    return this.store.list('Service').map(keyOf);
  }

  protected reconcile(key: string): void {
    if (key.startsWith('*')) {
      for (const svc of this.store.list('Service', key.slice(1))) this.queue.add(keyOf(svc));
      return;
    }
    const { namespace, name } = splitKey(key);
    const service = this.store.get('Service', namespace, name);
    if (!service) {
      // The Service went: its Endpoints go too (its slices follow through their owner reference).
      deleteIfPresent(this.store, 'Endpoints', namespace, name);
      return;
    }
    const selector = service.spec?.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0 || service.metadata.deletionTimestamp) return;
    if (namespaceTerminating(this.store, namespace)) return;
    const ports = (service.spec?.ports ?? []) as ServicePort[];
    const publishNotReady = service.spec?.publishNotReadyAddresses === true;
    const members: Member[] = [];
    for (const pod of this.store.list('Pod', namespace)) {
      if (!mapMatches(selector, pod.metadata.labels) || !pod.status?.podIP || isTerminal(pod)) continue;
      const resolved = ports
        .map((p) => ({ name: p.name ?? '', port: targetPortOn(pod, p), protocol: p.protocol ?? 'TCP' }))
        .filter((p): p is { name: string; port: number; protocol: string } => p.port !== undefined);
      if (ports.length > 0 && resolved.length === 0) continue;
      const terminating = pod.metadata.deletionTimestamp !== undefined;
      const serving = publishNotReady || isPodReady(pod);
      members.push({ pod, ports: resolved, serving, terminating, ready: serving && !terminating });
    }
    members.sort((a, b) => a.pod.metadata.name.localeCompare(b.pod.metadata.name));
    this.syncEndpoints(service, members);
    this.syncSlices(service, members);
  }

  private syncEndpoints(service: KubeObject, members: Member[]): void {
    // Endpoints leave out terminating pods; not-ready ones are listed apart.
    const bySignature = new Map<
      string,
      { ports: Member['ports']; addresses: unknown[]; notReadyAddresses: unknown[] }
    >();
    for (const m of members.filter((m) => !m.terminating)) {
      const signature = JSON.stringify(m.ports);
      const subset = bySignature.get(signature) ?? { ports: m.ports, addresses: [], notReadyAddresses: [] };
      (m.ready ? subset.addresses : subset.notReadyAddresses).push({
        ip: m.pod.status.podIP,
        nodeName: m.pod.spec?.nodeName,
        targetRef: {
          kind: 'Pod',
          name: m.pod.metadata.name,
          namespace: m.pod.metadata.namespace,
          uid: m.pod.metadata.uid,
        },
      });
      bySignature.set(signature, subset);
    }
    const subsets = [...bySignature.values()].map((s) => ({
      ...(s.addresses.length > 0 ? { addresses: s.addresses } : {}),
      ...(s.notReadyAddresses.length > 0 ? { notReadyAddresses: s.notReadyAddresses } : {}),
      ports: s.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        protocol: p.protocol,
      })),
    }));
    const labels = { ...(service.metadata.labels ?? {}), ...headless(service) };
    const { namespace, name } = service.metadata;
    const existing = this.store.get('Endpoints', namespace, name);
    const body = { ...(subsets.length > 0 ? { subsets } : {}) };
    if (!existing) {
      createObject(this.store, 'Endpoints', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name,
          namespace,
          labels,
          annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': timestamp() },
        },
        ...body,
      });
      return;
    }
    if (same(existing.subsets, body.subsets) && same(existing.metadata.labels ?? {}, labels)) return;
    const updated: KubeObject = { ...existing, metadata: { ...existing.metadata, labels } };
    updated.metadata.annotations = {
      ...(existing.metadata.annotations ?? {}),
      'endpoints.kubernetes.io/last-change-trigger-time': timestamp(),
    };
    delete updated.subsets;
    writeObject(this.store, 'Endpoints', { ...updated, ...body });
  }

  private syncSlices(service: KubeObject, members: Member[]): void {
    const { namespace, name } = service.metadata;
    const groups = new Map<string, Member[]>();
    for (const m of members) {
      const signature = JSON.stringify(m.ports);
      groups.set(signature, [...(groups.get(signature) ?? []), m]);
    }
    // A Service with nothing behind it still has one, empty slice.
    if (groups.size === 0) groups.set('[]', []);
    const owned = this.store
      .list('EndpointSlice', namespace)
      .filter(
        (s) =>
          controllerRefOf(s)?.uid === service.metadata.uid &&
          s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY,
      );
    const labels = {
      ...(service.metadata.labels ?? {}),
      ...headless(service),
      'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
      'kubernetes.io/service-name': name,
    };
    const unused = [...owned];
    for (const [signature, group] of groups) {
      const listed = (JSON.parse(signature) as Member['ports']).map((p) => ({
        name: p.name,
        port: p.port,
        protocol: p.protocol,
      }));
      const ports = listed.length > 0 ? listed : null;
      const members = group.map((m) => ({
        addresses: [m.pod.status.podIP],
        conditions: { ready: m.ready, serving: m.serving, terminating: m.terminating },
        nodeName: m.pod.spec?.nodeName,
        targetRef: {
          kind: 'Pod',
          name: m.pod.metadata.name,
          namespace: m.pod.metadata.namespace,
          uid: m.pod.metadata.uid,
        },
      }));
      const endpoints = members.length > 0 ? members : null;
      const slice = unused.find((s) => same(s.ports, ports)) ?? unused[0];
      if (slice) unused.splice(unused.indexOf(slice), 1);
      if (
        slice &&
        same(slice.endpoints, endpoints) &&
        same(slice.ports, ports) &&
        same(slice.metadata.labels, labels)
      )
        continue;
      const annotations = {
        ...(slice?.metadata.annotations ?? {}),
        'endpoints.kubernetes.io/last-change-trigger-time': timestamp(),
      };
      if (slice)
        writeObject(this.store, 'EndpointSlice', {
          ...slice,
          metadata: { ...slice.metadata, labels, annotations },
          endpoints,
          ports,
        });
      else
        createObject(this.store, 'EndpointSlice', {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${name}-${randomSuffix()}`,
            generateName: `${name}-`,
            namespace,
            labels,
            annotations,
            ownerReferences: [controllerRef(service, 'v1', 'Service')],
          } as KubeObject['metadata'],
          addressType: 'IPv4',
          endpoints,
          ports,
        });
    }
    for (const slice of unused) deleteIfPresent(this.store, 'EndpointSlice', namespace, slice.metadata.name);
  }
}

const headless = (service: KubeObject): Record<string, string> =>
  service.spec?.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {};
