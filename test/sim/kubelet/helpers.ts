import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../../src/kube/objects.js';
import { type Kubelet, type KubeletOptions, startKubelet } from '../../../src/sim/kubelet/index.js';
import { readLog } from '../../../src/sim/kubelet/logs.js';
import { Store } from '../../../src/sim/store.js';

export const NODE = 'churn-labs-control-plane';
export const fixture = (name: string) => join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name);

/** Test images: each a real Node script run as the container's process. */
export const TEST_IMAGES = {
  'test/server:1': { entrypoint: [process.execPath, fixture('server.mjs')] },
  'test/crash:1': { entrypoint: [process.execPath, fixture('crash.mjs')] },
  'test/hog:1': { entrypoint: [process.execPath, fixture('hog.mjs')] },
  'test/busy:1': { entrypoint: [process.execPath, fixture('busy.mjs')] },
  'test/tree:1': { entrypoint: [process.execPath, fixture('tree.mjs')] },
  'test/client:1': { entrypoint: [process.execPath, fixture('client.mjs')] },
  'test/node:1': { entrypoint: [process.execPath] },
};

export interface TestNode {
  store: Store;
  kubelet: Kubelet;
  stateDir: string;
  /** Starts another kubelet on the same store and state (after `kubelet.stop()`: a node restart). */
  restart(): Kubelet;
  cleanup(): Promise<void>;
}

export async function startNode(options: Partial<KubeletOptions> = {}): Promise<TestNode> {
  const stateDir = await mkdtemp(join(tmpdir(), 'churn-kubelet-'));
  const store = new Store();
  store.create('Node', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE },
    status: {
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
      allocatable: { cpu: '2', memory: '4Gi' },
    },
  });
  const make = () =>
    startKubelet(store, {
      stateDir,
      images: TEST_IMAGES,
      backOffInitialMs: 300,
      backOffMaxMs: 1_200,
      ...options,
    });
  const node: TestNode = {
    store,
    kubelet: make(),
    stateDir,
    restart() {
      node.kubelet = make();
      return node.kubelet;
    },
    async cleanup() {
      await node.kubelet.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return node;
}

/** Creates a pod already bound to the node (the scheduler's part). */
export function createPod(
  store: Store,
  name: string,
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): KubeObject {
  return store.create('Pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...metadata },
    spec: { nodeName: NODE, ...spec },
  });
}

export function getPod(store: Store, name: string, namespace = 'default'): KubeObject | undefined {
  return store.get('Pod', namespace, name);
}

/** Polls `check` until it returns a truthy value, or fails with what it last saw. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function condition(pod: KubeObject | undefined, type: string): string | undefined {
  return (pod?.status?.conditions as { type: string; status: string }[] | undefined)?.find(
    (c) => c.type === type,
  )?.status;
}

export function containerStatus(pod: KubeObject | undefined, index = 0) {
  return pod?.status?.containerStatuses?.[index] as
    | {
        name: string;
        ready: boolean;
        started: boolean;
        restartCount: number;
        state: Record<string, Record<string, unknown>>;
        lastState: Record<string, Record<string, unknown>>;
        image: string;
        containerID?: string;
      }
    | undefined;
}

export function eventsOf(store: Store, name: string, namespace = 'default') {
  return store
    .list('Event', namespace)
    .filter((e) => (e.involvedObject as { name?: string }).name === name)
    .map((e) => ({ reason: e.reason as string, message: e.message as string, type: e.type as string }));
}

/** The current (or previous) log of a container, as `kubectl logs` would print it. */
export async function logsOf(
  node: TestNode,
  pod: string,
  container: string,
  previous = false,
  namespace = 'default',
): Promise<string> {
  const file = node.kubelet.logFile(namespace, pod, container, previous);
  return file ? readLog(file) : '';
}

/** GET a path on a pod's container port through the runtime's address (the API server's proxy path). */
export async function httpGet(
  node: TestNode,
  pod: string,
  port: number | string,
  path: string,
): Promise<string> {
  const address = node.kubelet.address('default', pod, port);
  if (!address) throw new Error(`pod ${pod} has no address for port ${port}`);
  const response = await fetch(`http://${address.host}:${address.port}${path}`);
  return response.text();
}

/** Whether a process still runs (a zombie waiting for a parent to reap it has ended). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}
