import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/main.js';
import {
  KUBECTL,
  setPodRunning,
  startCluster,
  type TestCluster,
  type TestRuntime,
  testRuntime,
  waitFor,
} from './helpers.js';

/**
 * `kubectl port-forward` (kubectl 1.32: SPDY/3.1 in a WebSocket, or a plain SPDY upgrade) against
 * the simulated cluster: the course's `kubectl port-forward svc/churn-api 8000:8000` then
 * `curl localhost:8000/health`, with the real workload on the simulated node; the kubelet's error
 * for a port nothing listens on; half-closes and the end of every tunnel when kubectl exits.
 */
interface Forward {
  port: number;
  process: ResultPromise;
  output: () => string;
}

async function portForward(kubeconfig: string, context: string, args: string[], env = {}): Promise<Forward> {
  const child = execa(KUBECTL, ['--kubeconfig', kubeconfig, '--context', context, 'port-forward', ...args], {
    reject: false,
    all: true,
    env,
    timeout: 120_000,
  });
  let text = '';
  child.all?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const port = await waitFor(
    () => {
      const found = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(text);
      if (!found && child.exitCode !== null) throw new Error(`kubectl port-forward exited: ${text}`);
      return found ? Number(found[1]) : undefined;
    },
    'kubectl port-forward to listen',
    30_000,
  );
  return { port, process: child, output: () => text };
}

/** One HTTP request to localhost:port, on a fresh connection. */
function http(
  port: number,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', agent: false },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (init.body) req.setHeader('content-type', 'application/json');
    req.end(init.body);
  });
}

const refusedError = (port: number) =>
  new RegExp(
    `an error occurred forwarding \\d+ -> ${port}: error forwarding port ${port} to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\\\"/var/run/netns/cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\\\": failed to connect to localhost:${port} inside namespace \\\\"[0-9a-f]{64}\\\\", IPv4: dial tcp4 127\\.0\\.0\\.1:${port}: connect: connection refused IPv6 dial tcp6 \\[::1\\]:${port}: connect: connection refused `,
  );

const WORKLOAD = join(process.cwd(), 'dist', 'churn-mlops.js');

describe.skipIf(!existsSync(WORKLOAD))('kubectl port-forward to the workload on the simulated node', () => {
  let home: string;
  let sim: Simulator;
  const k = (...args: string[]) =>
    execa(KUBECTL, ['--kubeconfig', sim.kubeconfig, '--context', sim.context, ...args], {
      reject: false,
      timeout: 60_000,
    });
  const forward = (...args: string[]) => portForward(sim.kubeconfig, sim.context, args);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'churn-labs-port-forward-'));
    sim = await startSimulator({ home });
    const applied = await execa(
      KUBECTL,
      ['--kubeconfig', sim.kubeconfig, '--context', sim.context, 'apply', '-f', '-'],
      {
        reject: false,
        input: `apiVersion: v1
kind: Namespace
metadata: {name: churn-mlops}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: churn-api, namespace: churn-mlops}
spec:
  replicas: 1
  selector: {matchLabels: {app: churn-api}}
  template:
    metadata: {labels: {app: churn-api}}
    spec:
      containers:
        - name: churn-api
          image: churn-labs/churn-api:0.1.0
          ports: [{name: http, containerPort: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: churn-api, namespace: churn-mlops}
spec:
  selector: {app: churn-api}
  ports: [{name: http, port: 8000, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: churn-mlops}
spec:
  containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 80}]}]
`,
      },
    );
    expect(applied.stderr).toBe('');
    const waited = await k(
      'wait',
      '-n',
      'churn-mlops',
      '--for=condition=Ready',
      'pod',
      '--all',
      '--timeout=60s',
    );
    expect(waited.stderr).toBe('');
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('svc/churn-api: GET /health and POST /predict reach the API through localhost', async () => {
    const pf = await forward('-n', 'churn-mlops', 'svc/churn-api', ':8000');
    try {
      const health = await http(pf.port, '/health');
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ version: '0.1.0' });
      const invalid = await http(pf.port, '/predict', {
        method: 'POST',
        body: '{"user_id":"u1","features":{"logins_7d":-1}}',
      });
      expect(invalid.status).toBe(422);
      expect(JSON.parse(invalid.body).error).toContain('logins_7d');
      expect(pf.output()).toContain('Handling connection for');
    } finally {
      pf.process.kill();
      await pf.process;
    }
  }, 60_000);

  it('deploy/churn-api carries many concurrent connections', async () => {
    const pf = await forward('-n', 'churn-mlops', 'deploy/churn-api', ':8000');
    try {
      const answers = await Promise.all(Array.from({ length: 24 }, () => http(pf.port, '/health')));
      expect(answers.map((a) => a.status)).toEqual(Array(24).fill(200));
    } finally {
      pf.process.kill();
      await pf.process;
    }
  }, 60_000);

  it('a port nothing listens on fails with the kubelet error, and kubectl ends', async () => {
    const pod = (
      await k('get', 'pods', '-n', 'churn-mlops', '-l', 'app=churn-api', '-o', 'name')
    ).stdout.trim();
    const pf = await forward('-n', 'churn-mlops', pod, ':9999');
    await expect(http(pf.port, '/health')).rejects.toThrow();
    const result = await pf.process;
    expect(result.exitCode).toBe(1);
    expect(pf.output()).toMatch(refusedError(9999));
    expect(pf.output()).toContain('error: lost connection to pod');
  }, 60_000);

  it('an idle container (nginx) has nothing listening on its port', async () => {
    const pf = await forward('-n', 'churn-mlops', 'pod/web', ':80');
    await expect(http(pf.port, '/')).rejects.toThrow();
    expect((await pf.process).exitCode).toBe(1);
    expect(pf.output()).toMatch(refusedError(80));
  }, 60_000);
});

/** A TCP server standing for a pod's port, counting the connections it holds open. */
function podServer(): Promise<{ server: Server; port: number; open: Set<Socket> }> {
  const open = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
      socket.write(chunk);
    });
    // On the client's FIN: answer with what it sent in all, then close (a half-close is honoured).
    socket.on('end', () => socket.end(`\nreceived ${received.length} bytes`));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0, open });
    }),
  );
}

describe('kubectl port-forward through the API server (WebSocket tunnel and SPDY)', () => {
  let cluster: TestCluster;
  let runtime: TestRuntime;
  let pod: Awaited<ReturnType<typeof podServer>>;
  const forward = (args: string[], env = {}) =>
    portForward(cluster.sim.kubeconfig, cluster.sim.context, args, env);

  beforeAll(async () => {
    runtime = testRuntime();
    cluster = await startCluster({ runtime });
    pod = await podServer();
    runtime.addresses.set(`default/echo:7000`, { host: '127.0.0.1', port: pod.port });
    await cluster.kubectl(['run', 'echo', '--image=busybox:1.36', '--port=7000']);
    setPodRunning(cluster.store, 'default', 'echo');
  });
  afterAll(async () => {
    await cluster?.stop();
    pod?.server.close();
  });

  /** Sends `text`, half-closes, and reads until the other end closes. */
  const exchange = (port: number, text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      let got = '';
      socket.on('data', (c) => {
        got += c;
      });
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
      socket.end(text);
    });

  for (const [mode, env] of [
    ['WebSocket tunnel', {}],
    ['SPDY upgrade', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ] as const) {
    it(`${mode}: bytes both ways, a half-close passes through, many at once`, async () => {
      const pf = await forward(['pod/echo', ':7000'], env);
      try {
        expect(await exchange(pf.port, 'ping')).toBe('ping\nreceived 4 bytes');
        const big = 'x'.repeat(300_000);
        const answers = await Promise.all(Array.from({ length: 12 }, () => exchange(pf.port, big)));
        for (const answer of answers) expect(answer).toBe(`${big}\nreceived 300000 bytes`);
      } finally {
        pf.process.kill();
        await pf.process;
      }
    }, 60_000);
  }

  it('kubectl exiting ends the connections to the pod', async () => {
    const pf = await forward(['pod/echo', ':7000']);
    const sockets = Array.from({ length: 3 }, () => connect({ host: '127.0.0.1', port: pf.port }));
    for (const s of sockets) {
      s.on('error', () => {});
      s.write('hello');
    }
    await waitFor(() => pod.open.size === 3, 'three connections at the pod');
    pf.process.kill();
    await pf.process;
    await waitFor(() => pod.open.size === 0, 'the pod connections to close');
  }, 60_000);

  it('a pod not yet scheduled has no host to forward to', async () => {
    await cluster.kubectl(['run', 'pending', '--image=busybox:1.36']);
    const pod = cluster.store.require('Pod', 'default', 'pending');
    pod.status = { ...pod.status, phase: 'Running' };
    cluster.store.update('Pod', pod, { status: true });
    const out = await cluster.kubectl(['port-forward', 'pod/pending', ':80']);
    expect(out.exitCode).toBe(1);
    expect(out.stderr.trim()).toBe(
      'error: error upgrading connection: pod pending does not have a host assigned',
    );
  });
});
