import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import type { Store } from '../../../src/sim/store.js';
import {
  apply,
  clusterStore,
  deploymentObject,
  NS,
  node,
  podsOf,
  startPlane,
  stopAll,
  waitFor,
} from './helpers.js';

afterEach(stopAll);

const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'churn-api', namespace: NS, labels: { app: 'churn-api' } },
  spec: {
    type: 'ClusterIP',
    selector: { app: 'churn-api' },
    ports: [
      { name: 'http', port: 8000, targetPort: 8000, protocol: 'TCP' },
      { name: 'web', port: 80, targetPort: 'api', protocol: 'TCP' },
    ],
  },
};

interface Address {
  ip: string;
  nodeName?: string;
}
interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports: unknown[];
}
type EndpointsObject = KubeObject & { subsets?: Subset[] };
interface SliceEndpoint {
  addresses: string[];
  conditions: Record<string, boolean>;
  nodeName?: string;
}
type Slice = KubeObject & { endpoints: SliceEndpoint[] | null; addressType: string };

const endpoints = (store: Store) => store.get('Endpoints', NS, 'churn-api') as EndpointsObject | undefined;
const slices = (store: Store) =>
  store
    .list('EndpointSlice', NS)
    .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'churn-api') as Slice[];
const ips = (list: Address[] | undefined) => (list ?? []).map((a) => a.ip).sort();
const endpointFor = (slice: Slice | undefined, ip: string) =>
  slice?.endpoints?.find((e) => e.addresses[0] === ip);

function setReady(store: Store, pod: KubeObject, ready: boolean) {
  const current = store.require('Pod', NS, pod.metadata.name);
  current.status.conditions = current.status.conditions.map((c: { type: string }) =>
    c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: ready ? 'True' : 'False' } : c,
  );
  store.update('Pod', current, { status: true });
}

describe('Endpoints and EndpointSlice controllers', () => {
  it("lists a Service's pods, moving them between ready and not ready as their Ready flips", async () => {
    const store = clusterStore();
    startPlane(store);
    const deployment = deploymentObject('churn-api', { replicas: 2 });
    deployment.spec.template.spec.containers[0].ports = [
      { name: 'api', containerPort: 8000, protocol: 'TCP' },
    ];
    apply(store, 'Deployment', deployment);
    const svc = apply(store, 'Service', service);
    const pods = await waitFor(() => {
      const list = podsOf(store, 'churn-api').filter((p) => p.spec?.nodeName);
      return list.length === 2 && list;
    });
    // No IP yet: nobody listed, and the slice is an empty placeholder.
    await waitFor(() => slices(store).length === 1 && endpoints(store));
    expect(endpoints(store)!.subsets).toBeUndefined();
    expect(slices(store)[0]!.endpoints).toBeNull();

    const [a, b] = pods.map((p) => node.run(store, p, true));
    await waitFor(() => ips(endpoints(store)?.subsets?.[0]?.addresses).length === 2);
    const ep = endpoints(store)!;
    expect(ep.subsets).toHaveLength(1);
    expect(ep.subsets![0]!.ports).toEqual([
      { name: 'http', port: 8000, protocol: 'TCP' },
      { name: 'web', port: 8000, protocol: 'TCP' },
    ]);
    expect(ep.subsets![0]!.addresses![0]).toMatchObject({
      nodeName: 'churn-labs-control-plane',
      targetRef: { kind: 'Pod', namespace: NS },
    });
    expect(ep.metadata.labels).toEqual({ app: 'churn-api' });

    const [slice] = slices(store);
    expect(slice!.metadata.name).toMatch(/^churn-api-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(slice!.metadata.labels).toMatchObject({
      'kubernetes.io/service-name': 'churn-api',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice!.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Service',
      name: 'churn-api',
      uid: svc.metadata.uid,
      controller: true,
    });
    expect(slice!.addressType).toBe('IPv4');
    expect(slice!.endpoints!.map((e) => e.addresses[0]).sort()).toEqual(
      [a!.status.podIP, b!.status.podIP].sort(),
    );
    expect(slice!.endpoints![0]).toMatchObject({
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'churn-labs-control-plane',
    });

    setReady(store, a!, false);
    await waitFor(() => ips(endpoints(store)?.subsets?.[0]?.notReadyAddresses).length === 1);
    expect(ips(endpoints(store)!.subsets![0]!.addresses)).toEqual([b!.status.podIP]);
    expect(ips(endpoints(store)!.subsets![0]!.notReadyAddresses)).toEqual([a!.status.podIP]);
    expect(endpointFor(slices(store)[0], a!.status.podIP)?.conditions).toEqual({
      ready: false,
      serving: false,
      terminating: false,
    });

    setReady(store, a!, true);
    await waitFor(() => ips(endpoints(store)?.subsets?.[0]?.addresses).length === 2);
    expect(endpoints(store)!.subsets![0]!.notReadyAddresses).toBeUndefined();

    // A terminating pod leaves Endpoints but stays in the slice as terminating.
    store.delete('Pod', NS, b!.metadata.name, { graceful: true });
    await waitFor(() => ips(endpoints(store)?.subsets?.[0]?.addresses).length === 1);
    expect(endpointFor(slices(store)[0], b!.status.podIP)?.conditions).toEqual({
      ready: false,
      serving: true,
      terminating: true,
    });
  });

  it('removes the Endpoints and slices of a deleted Service', async () => {
    const store = clusterStore();
    startPlane(store);
    apply(store, 'Service', service);
    await waitFor(() => endpoints(store) && slices(store).length === 1);
    store.delete('Service', NS, 'churn-api');
    await waitFor(() => !endpoints(store) && slices(store).length === 0);
  });
});
