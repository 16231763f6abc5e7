import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PackageSources, packageSources } from '../../src/cluster/environment/sources.js';
import type { Step } from '../../src/cluster/environment/steps.js';
import type { LabEnvironment } from '../../src/cluster/environment.js';
import type { UpEvent, UpOptions, UpResult } from '../../src/cluster/environment-api.js';
import { homePaths } from '../../src/paths.js';
import { type Behaviour, type FakeCluster, startFakeCluster } from './fake-cluster.js';

const STANDIN = resolve('test/environment/bin/standin.cjs');
const KUBECTL = execFileSync('sh', ['-c', 'command -v kubectl']).toString().trim();

/** Timeouts short enough for tests, long enough for the fake cluster to settle pods. */
export const FAST = {
  /* keep in step with UpTimeouts */ clusterHealthMs: 1_500,
  clusterStartMs: 8_000,
  metricsMs: 6_000,
  smokeMs: 6_000,
  pollMs: 100,
};

export interface Call {
  tool: 'docker' | 'kind';
  args: string[];
}

/**
 * One hermetic lab machine per test: a temp folder holding the state folder, a kubeconfig, a
 * HOME (so kubectl's cache and ~/.kube are never the real ones), a PATH of only the stand-ins and
 * the real kubectl, a small package (manifests, Dockerfile, workload) and a fake API server.
 */
export interface TestMachine {
  dir: string;
  bin: string;
  kubeconfig: string;
  packageDir: string;
  lab: LabEnvironment;
  cluster: FakeCluster;
  env: Record<string, string>;
  calls: () => Promise<Call[]>;
  clearCalls: () => Promise<void>;
  fail: (...failures: string[]) => void;
  /** Sets stand-in variables (STANDIN_STORE, STANDIN_DOCKER, …) for the code under test and its children. */
  setEnv: (vars: Record<string, string>) => void;
  state: () => Promise<{ clusters: Record<string, { server: string }>; images: Record<string, unknown> }>;
  writeState: (state: object) => Promise<void>;
  /** A kind cluster churn-labs that is up (its kubeconfig entry points at the fake API server). */
  clusterIsUp: (images?: Record<string, { id: string; hash: string }>) => Promise<void>;
  up: (options?: Partial<UpOptions>) => Promise<{ result: UpResult; events: UpEvent[] }>;
  /** Runs some of up's steps on their own, the way up runs them. */
  run: (steps: Step[], signal?: AbortSignal) => Promise<{ result: UpResult; events: UpEvent[] }>;
  sources: () => PackageSources;
  cleanup: () => Promise<void>;
}

export async function createMachine(
  options: { tools?: ('docker' | 'kind')[]; behaviour?: Partial<Behaviour> } = {},
): Promise<TestMachine> {
  const dir = await mkdtemp(join(tmpdir(), 'churn-labs-env-'));
  const bin = join(dir, 'bin');
  await mkdir(bin);
  for (const tool of options.tools ?? ['docker', 'kind']) {
    const file = join(bin, tool);
    await writeFile(
      file,
      `#!${process.execPath}\nrequire(${JSON.stringify(STANDIN)})(${JSON.stringify(tool)}, process.argv.slice(2));\n`,
    );
    await chmod(file, 0o755);
  }
  await symlink(KUBECTL, join(bin, 'kubectl'));
  const packageDir = join(dir, 'package');
  await writePackage(packageDir, '0.1.0');
  const cluster = await startFakeCluster(options.behaviour);
  const kubeconfig = join(dir, 'kubeconfig');
  const home = join(dir, 'churn-labs-home');
  const env: Record<string, string> = {
    PATH: bin,
    HOME: join(dir, 'user'),
    KUBECONFIG: kubeconfig,
    STANDIN_LOG: join(dir, 'calls.jsonl'),
    STANDIN_STATE: join(dir, 'standin-state.json'),
    STANDIN_PIDS: join(dir, 'pids'),
    STANDIN_API_URL: cluster.url,
    STANDIN_FAIL: '',
    CHURN_LABS_HOME: home,
  };
  await writeFile(env.STANDIN_LOG!, '');
  // The code under test spawns through execa, which hands its children this process's environment.
  const saved = { ...process.env };
  Object.assign(process.env, env);

  const machine: TestMachine = {
    dir,
    bin,
    kubeconfig,
    packageDir,
    cluster,
    env,
    lab: { target: { context: 'kind-churn-labs', kubeconfig }, paths: homePaths(home) },
    calls: async () =>
      (await readFile(env.STANDIN_LOG!, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Call),
    clearCalls: () => writeFile(env.STANDIN_LOG!, ''),
    setEnv: (vars) => {
      Object.assign(env, vars);
      Object.assign(process.env, vars);
    },
    fail: (...failures) => {
      env.STANDIN_FAIL = failures.join(',');
      process.env.STANDIN_FAIL = env.STANDIN_FAIL;
    },
    state: async () => JSON.parse(await readFile(env.STANDIN_STATE!, 'utf8')),
    writeState: (state) => writeFile(env.STANDIN_STATE!, JSON.stringify(state)),
    clusterIsUp: async (images = {}) => {
      await machine.writeState({
        clusters: { 'churn-labs': { server: cluster.url } },
        images,
        nodeImages: {},
      });
      // What `kind export kubeconfig` writes, without its four kubectl runs.
      await writeFile(kubeconfig, kindKubeconfig('kind-churn-labs', cluster.url));
    },
    up: async (extra = {}) => {
      const { up } = await import('../../src/cluster/environment.js');
      const events: UpEvent[] = [];
      const result = await up(machine.lab, {
        packageDir,
        timeouts: FAST,
        ...extra,
        onEvent: (event) => {
          events.push(event);
          extra.onEvent?.(event);
        },
      });
      return { result, events };
    },
    run: async (steps, signal) => {
      const { runSteps } = await import('../../src/cluster/environment/steps.js');
      const events: UpEvent[] = [];
      const result = await runSteps(steps, (event) => events.push(event), signal);
      return { result, events };
    },
    sources: () => packageSources(packageDir),
    cleanup: async () => {
      await cluster.stop();
      for (const key of Object.keys(env)) delete process.env[key];
      Object.assign(process.env, saved);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return machine;
}

/** A package folder shaped like the published one, with small but well-formed content. */
export async function writePackage(dir: string, version: string, changes: Record<string, string> = {}) {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'churn-labs', version }),
    'docker/Dockerfile': 'FROM node:24.21.0-alpine3.22\nCOPY churn-mlops.js* /opt/churn-mlops/\n',
    'docker/.dockerignore': '*\n!churn-mlops.js\n',
    'docker/README.md': 'not part of the build context\n',
    'dist/churn-mlops.js': '#!/usr/bin/env node\nconsole.log("churn-mlops 0.1.0");\n',
    'manifests/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: churn-mlops\n',
    'manifests/api-deployment.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: churn-api\nspec:\n  replicas: 3\n',
    'manifests/hpa/api-hpa.yaml':
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: churn-api-hpa\n',
    'manifests/exercises/broken-probe.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\n',
    'manifests/platform/kind-config.yaml':
      'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: churn-labs\n',
    'manifests/platform/metrics-server.yaml': METRICS_SERVER,
    ...changes,
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

const METRICS_SERVER = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: metrics-server
  namespace: kube-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: metrics-server
  namespace: kube-system
  labels: {k8s-app: metrics-server}
spec:
  selector:
    matchLabels: {k8s-app: metrics-server}
  template:
    metadata:
      labels: {k8s-app: metrics-server}
    spec:
      containers:
        - name: metrics-server
          image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
          args: [--kubelet-insecure-tls]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system}
  groupPriorityMinimum: 100
  versionPriority: 100
`;

export function kindKubeconfig(context: string, server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: ${context}, cluster: {server: "${server}"}}]`,
    `users: [{name: ${context}, user: {token: kind}}]`,
    `contexts: [{name: ${context}, context: {cluster: ${context}, user: ${context}}}]`,
    `current-context: ${context}`,
    '',
  ].join('\n');
}

export function stepEnds(events: UpEvent[]) {
  return events.filter((e): e is Extract<UpEvent, { type: 'step-end' }> => e.type === 'step-end');
}

export function outcomes(events: UpEvent[]): Record<string, string> {
  return Object.fromEntries(stepEnds(events).map((e) => [e.id, e.outcome]));
}

export function notices(events: UpEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'notice' ? [e.message] : []));
}

/** Polls until `check` is true or the deadline passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 5_000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
