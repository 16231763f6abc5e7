import { appendFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogRecord } from '../../../src/sim/kubelet/logs.js';
import {
  setPodRunning,
  startCluster,
  type TestCluster,
  type TestRuntime,
  testRuntime,
  waitFor,
} from './helpers.js';

/**
 * What the API reaches through the node runtime: the service and pod proxies (to real local HTTP
 * servers standing for pods), logs from CRI-format files, exec over WebSocket, metrics, and the
 * errors for what the simulated node cannot do.
 */
describe('proxy, logs, exec and metrics through the runtime', () => {
  let cluster: TestCluster;
  let runtime: TestRuntime;
  const servers: Server[] = [];
  const k = (...args: string[]) => cluster.kubectl(args);

  /** A real HTTP server standing for one pod's container port. */
  async function podServer(name: string): Promise<number> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (req.url === '/fail') {
          res.writeHead(422, { 'Content-Type': 'application/json' });
          res.end('{"detail":"features.logins_7d must not be negative"}');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Pod': name });
        res.end(JSON.stringify({ pod: name, method: req.method, path: req.url, body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  beforeAll(async () => {
    runtime = testRuntime({ exec: true });
    cluster = await startCluster({ runtime });
    await cluster.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{name: http, port: 8000, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: api-a, labels: {app: api}}
spec:
  containers: [{name: main, image: churn-labs/churn-api:0.1.0, ports: [{name: http, containerPort: 8000}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: api-b, labels: {app: api}}
spec:
  containers: [{name: main, image: churn-labs/churn-api:0.1.0, ports: [{name: http, containerPort: 8000}]}]
`,
    });
    for (const name of ['api-a', 'api-b']) {
      const port = await podServer(name);
      runtime.addresses.set(`default/${name}:8000`, { host: '127.0.0.1', port });
    }
  });
  afterAll(async () => {
    await cluster?.stop();
    for (const s of servers) s.close();
  });

  it('the service proxy answers 503 while no endpoint is ready, then round-robins over ready pods', async () => {
    const none = await k('get', '--raw', '/api/v1/namespaces/default/services/api:8000/proxy/health');
    expect(none.stderr.trim()).toBe(
      'Error from server (ServiceUnavailable): no endpoints available for service "api"',
    );
    setPodRunning(cluster.store, 'default', 'api-a', true, '10.244.0.10');
    setPodRunning(cluster.store, 'default', 'api-b', true, '10.244.0.11');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const out = await k('get', '--raw', '/api/v1/namespaces/default/services/api:http/proxy/health?full=1');
      expect(out.exitCode).toBe(0);
      const body = JSON.parse(out.stdout);
      expect(body).toMatchObject({ method: 'GET', path: '/health?full=1' });
      seen.add(body.pod);
    }
    expect([...seen].sort()).toEqual(['api-a', 'api-b']);
    setPodRunning(cluster.store, 'default', 'api-b', false, '10.244.0.11');
    for (let i = 0; i < 3; i++)
      expect(
        JSON.parse((await k('get', '--raw', '/api/v1/namespaces/default/services/api/proxy/')).stdout).pod,
      ).toBe('api-a');
  });

  it('POST bodies and error statuses pass through (kubectl create --raw)', async () => {
    const body = join(cluster.home, 'body.json');
    await writeFile(body, '{"user_id":"u1","features":{"logins_7d":15,"sessions_7d":20}}');
    const out = await k(
      'create',
      '--raw',
      '/api/v1/namespaces/default/services/api:8000/proxy/predict',
      '-f',
      body,
    );
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      method: 'POST',
      path: '/predict',
      body: '{"user_id":"u1","features":{"logins_7d":15,"sessions_7d":20}}',
    });
    const failed = await cluster.fetch(`/api/v1/namespaces/default/services/api:8000/proxy/fail`, {
      method: 'POST',
      body: '{}',
    });
    expect(failed.status).toBe(422);
    expect(await failed.json()).toEqual({ detail: 'features.logins_7d must not be negative' });
    const pod = await k('get', '--raw', '/api/v1/namespaces/default/pods/api-b:8000/proxy/ping');
    expect(JSON.parse(pod.stdout)).toMatchObject({ pod: 'api-b', path: '/ping' });
  });

  it('kubectl logs: the whole log, --tail, --timestamps, --previous, and -f until the container ends', async () => {
    const current = join(cluster.home, 'api-a.log');
    const previous = join(cluster.home, 'api-a.previous.log');
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace('Z', '000000Z');
    await writeFile(
      current,
      [
        formatLogRecord(t(1), 'stdout', 'starting'),
        formatLogRecord(t(2), 'stderr', 'warming up'),
        formatLogRecord(t(3), 'stdout', 'ready'),
      ].join(''),
    );
    await writeFile(previous, formatLogRecord(t(0), 'stdout', 'crashed: out of memory'));
    runtime.logs.set('default/api-a/main', current);
    runtime.logs.set('default/api-a/main/previous', previous);

    expect((await k('logs', 'api-a')).stdout).toBe('starting\nwarming up\nready\n');
    expect((await k('logs', 'api-a', '--tail=1')).stdout).toBe('ready\n');
    expect((await k('logs', 'api-a', '--timestamps', '--tail=1')).stdout).toBe(`${t(3)} ready\n`);
    expect((await k('logs', 'api-a', '--previous')).stdout).toBe('crashed: out of memory\n');
    const nothing = await k('logs', 'api-b', '--previous');
    expect(nothing.stderr.trim()).toBe(
      'Error from server (BadRequest): previous terminated container "main" in pod "api-b" not found',
    );

    const follow = cluster.kubectl(['logs', '-f', 'api-a'], { timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await appendFile(current, formatLogRecord(t(4), 'stdout', 'served /predict'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The container ends: the follow ends after the last lines.
    const pod = cluster.store.require('Pod', 'default', 'api-a');
    pod.status.containerStatuses[0].state = { terminated: { exitCode: 0, reason: 'Completed' } };
    cluster.store.update('Pod', pod, { status: true });
    const followed = await follow;
    expect(followed.stdout).toBe('starting\nwarming up\nready\nserved /predict\n');
  });

  it('kubectl logs for a container that has not started says so', async () => {
    await k('run', 'later', '--image=busybox:1.36', '--', 'sleep', '1');
    const out = await k('logs', 'later');
    expect(out.stderr.trim()).toBe(
      'Error from server (BadRequest): container "later" in pod "later" is waiting to start: ContainerCreating',
    );
  });

  it('kubectl exec runs through the runtime over the WebSocket protocol, with the exit code', async () => {
    const ok = await k('exec', 'api-b', '--', 'echo', 'hello', 'pod');
    expect(ok.stdout).toBe('hello pod\n');
    expect(ok.exitCode).toBe(0);
    expect(runtime.execs.at(-1)).toEqual({
      namespace: 'default',
      pod: 'api-b',
      container: 'main',
      command: ['echo', 'hello', 'pod'],
    });
    const failed = await k('exec', 'api-b', '--', 'fail');
    expect(failed.exitCode).toBe(3);
    expect(failed.stderr).toContain('it failed');
    expect(failed.stderr).toContain('command terminated with exit code 3');
    const unsupported = await k('exec', 'api-b', '--', 'vim');
    expect(unsupported.exitCode).toBe(1);
    expect(unsupported.stderr).toContain(
      'the simulated cluster cannot run commands in container "main" of pod "api-b"',
    );
  });

  it('attach answers what to use instead', async () => {
    const attach = await cluster.kubectl(['attach', 'api-b'], { timeout: 20_000 });
    expect(attach.stderr).toContain(
      'the simulated cluster cannot attach to a running container; read its output with: kubectl logs -f -n default api-b',
    );
  });

  it('kubectl top reads the metrics API from the runtime', async () => {
    runtime.usages.set('default/api-a', [
      { container: 'main', cpuMillicores: 120, memoryBytes: 64 * 1024 * 1024 },
    ]);
    runtime.usages.set('default/api-b', [
      { container: 'main', cpuMillicores: 7, memoryBytes: 50 * 1024 * 1024 },
    ]);
    const pods = await waitFor(async () => {
      const out = await k('top', 'pod', '-l', 'app=api');
      return out.exitCode === 0 ? out.stdout : undefined;
    }, 'kubectl top pod');
    expect(pods).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    expect(pods).toMatch(/^api-a\s+120m\s+64Mi/m);
    expect(pods).toMatch(/^api-b\s+7m\s+50Mi/m);
    const nodes = await k('top', 'node');
    expect(nodes.stdout).toMatch(/^churn-labs-control-plane\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/m);
  });
});
