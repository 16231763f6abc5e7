import { mkdtemp, rm } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import type { KubeObject } from '../../../src/kube/objects.js';
import { type Simulator, startSimulator } from '../../../src/sim/main.js';
import type { Runtime } from '../../../src/sim/runtime-api.js';
import type { Store } from '../../../src/sim/store.js';

/**
 * The simulated API server started in-process on a free port with a temporary home, and the real
 * kubectl pointed at it (its own kubeconfig, context and discovery cache). Controllers are off, so
 * each test plays the node and the controllers by writing status itself; a test Runtime stands for
 * the node where the API reaches it (proxy, logs, exec, metrics).
 */
export interface TestRuntime extends Runtime {
  addresses: Map<string, { host: string; port: number }>;
  logs: Map<string, string>;
  usages: Map<string, { container: string; cpuMillicores: number; memoryBytes: number }[]>;
  execs: { namespace: string; pod: string; container: string; command: string[] }[];
}

export function testRuntime(options: { exec?: boolean } = {}): TestRuntime {
  const addresses = new Map<string, { host: string; port: number }>();
  const logs = new Map<string, string>();
  const usages = new Map<string, { container: string; cpuMillicores: number; memoryBytes: number }[]>();
  const execs: TestRuntime['execs'] = [];
  const runtime: TestRuntime = {
    addresses,
    logs,
    usages,
    execs,
    address: (ns, pod, port) => addresses.get(`${ns}/${pod}:${port}`),
    logFile: (ns, pod, container, previous) =>
      logs.get(`${ns}/${pod}/${container}${previous ? '/previous' : ''}`),
    usage: (ns, pod) => usages.get(`${ns}/${pod}`),
  };
  if (options.exec) {
    runtime.exec = async (namespace, pod, container, command) => {
      execs.push({ namespace, pod, container, command });
      if (command[0] === 'echo')
        return { stdout: `${command.slice(1).join(' ')}\n`, stderr: '', exitCode: 0 };
      if (command[0] === 'fail') return { stdout: '', stderr: 'it failed\n', exitCode: 3 };
      return undefined;
    };
  }
  return runtime;
}

export interface TestCluster {
  home: string;
  sim: Simulator;
  /** The simulator's store, reached through the test hook for playing the node. */
  store: Store;
  kubectl(
    args: string[],
    options?: { input?: string; timeout?: number },
  ): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /** A request to the API server (a path, or a whole URL) as fetch() makes it, trusting its CA, as the admin. */
  fetch(path: string, init?: TrustingInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface TrustingInit {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/**
 * fetch() for the simulator's https URL: Node 20's fetch takes no CA of its own, so this asks
 * node:https with the simulator's CA and hands back a standard Response (its body streamed).
 */
export function fetchTrusting(
  ca: string,
  client?: { cert: string; key: string },
): (url: string, init?: TrustingInit) => Promise<Response> {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        { method: init.method ?? 'GET', headers: init.headers, ca, ...client, signal: init.signal },
        (res) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
              headers.append(name, one);
          const status = res.statusCode ?? 0;
          const empty = status === 204 || status === 304 || init.method === 'HEAD';
          if (empty) res.resume();
          const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, statusText: res.statusMessage, headers }));
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
}

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

export async function startCluster(
  options: { runtime?: Runtime; home?: string; cacheDir?: string } = {},
): Promise<TestCluster> {
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'churn-labs-sim-api-')));
  let store: Store | undefined;
  const sim = await startSimulator({
    home,
    controllers: (s) => {
      store = s;
      return { runtime: options.runtime ?? testRuntime(), stop: async () => {} };
    },
  });
  const cacheDir = options.cacheDir ?? join(home, 'kube-cache');
  // As the admin kubeconfig's user (system:masters), as kubectl is.
  const trusting = fetchTrusting(sim.ca, sim.admin);
  return {
    home,
    sim,
    store: store!,
    fetch: (path, init) => trusting(path.startsWith('https://') ? path : `${sim.url}${path}`, init),
    async kubectl(args, run = {}) {
      const result = await execa(
        KUBECTL,
        ['--kubeconfig', sim.kubeconfig, '--context', sim.context, '--cache-dir', cacheDir, ...args],
        {
          reject: false,
          input: run.input ?? '',
          timeout: run.timeout ?? 30_000,
          env: { HOME: home },
          extendEnv: true,
          stripFinalNewline: false,
        },
      );
      return {
        stdout: String(result.stdout),
        stderr: String(result.stderr),
        exitCode: result.exitCode ?? -1,
      };
    },
    async stop() {
      await sim.stop();
      if (!options.home) await rm(home, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value, or fails after the deadline with what it saw last. */
export async function waitFor<T>(
  check: () => T | undefined | null | Promise<T | undefined | null>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Plays the kubelet: marks a pod scheduled, running and ready (or not). */
export function setPodRunning(
  store: Store,
  namespace: string,
  name: string,
  ready = true,
  ip = '10.244.0.7',
): KubeObject {
  const pod = store.require('Pod', namespace, name);
  pod.spec = { ...pod.spec, nodeName: 'churn-labs-control-plane' };
  store.update('Pod', pod);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const current = store.require('Pod', namespace, name);
  current.status = {
    ...current.status,
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: '172.18.0.2',
    startTime: now,
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: now },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
    ],
    containerStatuses: (current.spec?.containers ?? []).map((c: { name: string; image: string }) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
  return store.update('Pod', current, { status: true });
}
