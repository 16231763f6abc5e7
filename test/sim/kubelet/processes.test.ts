import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessSupervisor } from '../../../src/sim/kubelet/processes.js';
import {
  condition,
  createPod,
  fixture,
  getPod,
  isAlive,
  logsOf,
  startNode,
  type TestNode,
  waitFor,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function treePids(node: TestNode, pod: string): Promise<number[]> {
  const log = await waitFor(
    async () => {
      const text = await logsOf(node, pod, 'app');
      return /tree parent=\d+ child=\d+/.test(text) ? text : undefined;
    },
    10_000,
    'the tree pids',
  );
  const match = log.match(/tree parent=(\d+) child=(\d+)/)!;
  return [Number(match[1]), Number(match[2])];
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

describe('no orphan processes', () => {
  it('stop() ends every pod process tree and closes every listener', async () => {
    const node = await startNode();
    cleanups.push(() => node.cleanup());
    createPod(node.store, 'tree', { containers: [{ name: 'app', image: 'test/tree:1' }] });
    createPod(node.store, 'web', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 },
        },
      ],
    });
    createPod(node.store, 'idle', { containers: [{ name: 'app', image: 'nginx:1.27' }] });
    node.store.create('Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8000 }] },
    });
    const pids = await treePids(node, 'tree');
    await waitFor(() => condition(getPod(node.store, 'web'), 'Ready') === 'True', 10_000, 'web Ready');
    pids.push(Number((await logsOf(node, 'web', 'app')).match(/pid=(\d+)/)?.[1]));
    const webPort = node.kubelet.address('default', 'web', 8000)!.port;
    const lbPort = await waitFor(
      () =>
        node.kubelet
          .exec?.('default', 'web', 'app', ['printenv', 'WEB_SERVICE_PORT'])
          .then((r) => Number(r?.stdout)),
      5_000,
      'the service link',
    );
    expect(pids.every(isAlive)).toBe(true);
    expect(await canConnect(lbPort)).toBe(true);

    const started = Date.now();
    await node.kubelet.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const pid of pids) expect(isAlive(pid), `process ${pid}`).toBe(false);
    expect(await canConnect(webPort)).toBe(false);
    expect(await canConnect(lbPort)).toBe(false);
  });

  it('kills a pod process group left by a previous run, found in the pid file', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'churn-kubelet-pids-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const first = new ProcessSupervisor(stateDir);
    await first.start();
    cleanups.push(() => first.stop());
    const lost = first.spawn({
      argv: [process.execPath, fixture('tree.mjs')],
      env: { PATH: process.env.PATH ?? '' },
      cwd: stateDir,
    });
    let output = '';
    const more = first.spawn({
      argv: [process.execPath, '-e', 'setInterval(() => {}, 1000)'],
      env: {},
      cwd: stateDir,
      onOutput: (_s, chunk) => {
        output += chunk;
      },
    });
    expect(output).toBe('');
    await waitFor(
      async () => {
        const recorded = JSON.parse(await readFile(join(stateDir, 'kubelet', 'processes.json'), 'utf8')) as {
          pid: number;
        }[];
        return recorded.length === 2;
      },
      5_000,
      'both groups in the pid file',
    );
    // A second node on the same state (as after the simulator was killed) cleans up at start.
    const second = new ProcessSupervisor(stateDir);
    await second.start();
    cleanups.push(() => second.stop());
    expect((await lost.exited).signal).toBe('SIGKILL');
    expect((await more.exited).exitCode).toBe(137);
  });

  it('takes the pods down when the simulator itself is killed with SIGKILL', async () => {
    const work = await mkdtemp(join(tmpdir(), 'churn-kubelet-host-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const root = resolve(fixture('.'), '../../../..');
    const entry = join(work, 'host.ts');
    await writeFile(
      entry,
      `import { Store } from ${JSON.stringify(join(root, 'src/sim/store.ts'))};
import { startKubelet } from ${JSON.stringify(join(root, 'src/sim/kubelet/index.ts'))};
const store = new Store();
startKubelet(store, {
  stateDir: ${JSON.stringify(join(work, 'state'))},
  workloadScript: '/nowhere/churn-mlops.js',
  images: { 'test/tree:1': { entrypoint: [process.execPath, ${JSON.stringify(fixture('tree.mjs'))}] } },
});
store.create('Pod', { metadata: { name: 'tree', namespace: 'default' }, spec: { nodeName: 'churn-labs-control-plane', containers: [{ name: 'app', image: 'test/tree:1' }] } });
setInterval(() => {}, 1000);
`,
    );
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: join(work, 'host.mjs'),
      logLevel: 'silent',
      // CommonJS dependencies (execa's cross-spawn) require() Node built-ins, as in scripts/build.mjs.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    const host = execa(process.execPath, [join(work, 'host.mjs')], { reject: false });
    cleanups.push(async () => {
      host.kill('SIGKILL');
      await host;
    });
    const logs = join(work, 'state', 'logs');
    const pids = await waitFor(
      async () => {
        if (!existsSync(logs)) return undefined;
        const { readdirSync } = await import('node:fs');
        const [podDir] = readdirSync(logs);
        if (!podDir) return undefined;
        const text = await readFile(join(logs, podDir, 'app', '0.log'), 'utf8').catch(() => '');
        const match = text.match(/tree parent=(\d+) child=(\d+)/);
        return match ? [Number(match[1]), Number(match[2])] : undefined;
      },
      15_000,
      'the pod in the host process to start',
    );
    expect(pids.every(isAlive)).toBe(true);
    host.kill('SIGKILL');
    await host;
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 5_000, 'the reaper to end the pod processes');
  });
});
