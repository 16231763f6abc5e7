import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/sim/store.js';
import { condition, createPod, getPod, logsOf, startNode, type TestNode, waitFor } from './helpers.js';

let node: TestNode;
beforeEach(async () => {
  node = await startNode();
});
afterEach(async () => {
  await node.cleanup();
});

const apiPod = (name: string) =>
  createPod(
    node.store,
    name,
    {
      containers: [
        {
          name: 'churn-api',
          image: 'test/server:1',
          ports: [{ name: 'http', containerPort: 8000 }],
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
        },
      ],
    },
    { labels: { app: 'churn-api' } },
  );

/** The EndpointSlice the control plane's endpoint controller would write. */
function writeSlice(store: Store, ready: Record<string, boolean>) {
  const endpoints = Object.entries(ready).map(([pod, isReady]) => ({
    addresses: [getPod(store, pod)?.status?.podIP],
    conditions: { ready: isReady, serving: isReady, terminating: false },
    targetRef: { kind: 'Pod', name: pod, namespace: 'default' },
  }));
  const existing = store.get('EndpointSlice', 'default', 'churn-api-abcde');
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'churn-api-abcde',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'churn-api' },
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
  };
  if (existing) store.update('EndpointSlice', { ...slice, metadata: existing.metadata });
  else store.create('EndpointSlice', slice);
}

async function callService(port: number, times: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < times; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
    answers.push(await response.text());
  }
  return answers;
}

describe('services', () => {
  it('links pods to a Service through env vars and a local load balancer over its ready endpoints', async () => {
    apiPod('api-1');
    apiPod('api-2');
    node.store.create('Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'churn-api', namespace: 'default' },
      spec: {
        selector: { app: 'churn-api' },
        ports: [{ name: 'http', port: 8000, targetPort: 8000, protocol: 'TCP' }],
      },
    });
    await waitFor(
      () => ['api-1', 'api-2'].every((p) => condition(getPod(node.store, p), 'Ready') === 'True'),
      10_000,
      'both API pods Ready',
    );
    createPod(node.store, 'client', { containers: [{ name: 'client', image: 'test/client:1' }] });
    const log = await waitFor(
      async () => {
        const text = await logsOf(node, 'client', 'client');
        return (text.match(/^answer: /gm) ?? []).length === 4 ? text : undefined;
      },
      10_000,
      'four answers in the client log',
    );
    // No EndpointSlice yet: the selector's ready pods, round-robin.
    expect(log).toContain('answer: hello from api-1');
    expect(log).toContain('answer: hello from api-2');

    const env = (name: string) =>
      node.kubelet.exec?.('default', 'client', 'client', ['printenv', name]).then((r) => r?.stdout.trim());
    const port = Number(await env('CHURN_API_SERVICE_PORT'));
    expect(await env('CHURN_API_SERVICE_HOST')).toBe('127.0.0.1');
    expect(await env('CHURN_API_SERVICE_PORT_HTTP')).toBe(String(port));
    expect(await env('CHURN_API_PORT')).toBe(`tcp://127.0.0.1:${port}`);
    expect(await env('CHURN_API_PORT_8000_TCP')).toBe(`tcp://127.0.0.1:${port}`);
    expect(await env('CHURN_API_PORT_8000_TCP_PROTO')).toBe('tcp');
    expect(await env('CHURN_API_PORT_8000_TCP_PORT')).toBe(String(port));
    expect(await env('CHURN_API_PORT_8000_TCP_ADDR')).toBe('127.0.0.1');

    // With an EndpointSlice, only its ready endpoints get traffic.
    writeSlice(node.store, { 'api-1': true, 'api-2': false });
    expect(new Set(await callService(port, 4))).toEqual(new Set(['hello from api-1']));
    writeSlice(node.store, { 'api-1': false, 'api-2': false });
    await expect(callService(port, 1)).rejects.toThrow();
    writeSlice(node.store, { 'api-1': true, 'api-2': true });
    expect(new Set(await callService(port, 4))).toEqual(new Set(['hello from api-1', 'hello from api-2']));
  });
});

describe('usage', () => {
  it('reports the real CPU and memory of a busy process, as metrics-server would', async () => {
    createPod(node.store, 'busy', {
      containers: [{ name: 'burn', image: 'test/busy:1', resources: { requests: { cpu: '100m' } } }],
    });
    createPod(node.store, 'calm', { containers: [{ name: 'app', image: 'test/server:1' }] });
    const busy = await waitFor(
      () => {
        const usage = node.kubelet.usage('default', 'busy');
        // A spin loop uses a whole core; on a busy test machine it gets less, but surely this much.
        return usage?.[0] && usage[0].cpuMillicores > 200 ? usage[0] : undefined;
      },
      10_000,
      'a busy container using CPU',
    );
    expect(busy.container).toBe('burn');
    expect(busy.cpuMillicores).toBeLessThan(1_100);
    expect(busy.memoryBytes).toBeGreaterThan(10 * 1024 * 1024);
    const calm = await waitFor(() => node.kubelet.usage('default', 'calm')?.[0], 5_000, 'calm usage');
    await waitFor(
      () => (node.kubelet.usage('default', 'calm')?.[0]?.cpuMillicores ?? 1000) < 100,
      5_000,
      'calm CPU',
    );
    expect(calm.container).toBe('app');
    expect(node.kubelet.usage('default', 'nobody')).toBeUndefined();
  });
});
