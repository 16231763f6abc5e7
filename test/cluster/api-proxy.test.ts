import { existsSync, statSync, utimesSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApiProxies, sharedApiProxy, startApiProxy } from '../../src/cluster/api-proxy.js';
import { type ClusterTarget, kubectl } from '../../src/cluster/kubectl.js';
import { observe } from '../../src/cluster/observe.js';
import { checkSchema } from '../../src/course/schema.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';

/**
 * The kubectl proxy the checks' HTTP probes share: the real kubectl, on a Unix socket, in front of
 * the simulated cluster's real API server.
 */
let home: string;
let sim: Simulator;
let target: ClusterTarget;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'churn-labs-proxy-test-'));
  sim = await startSimulator({ home });
  target = { context: sim.context, kubeconfig: sim.kubeconfig };
}, 60_000);

afterAll(async () => {
  await closeApiProxies();
  await sim?.stop();
  if (home) await rm(home, { recursive: true, force: true });
}, 60_000);

describe('the API proxy', () => {
  it('answers as the API server does: its body on 2xx, the Status message otherwise', async () => {
    const proxy = await startApiProxy(target);
    expect(proxy).toBeDefined();
    const version = await proxy!.request('GET', '/version');
    expect(version.status).toBe(200);
    expect(JSON.parse(version.body)).toHaveProperty('gitVersion');
    const missing = await proxy!.request(
      'GET',
      '/api/v1/namespaces/default/services/nowhere:80/proxy/health',
    );
    expect(missing).toEqual({
      status: 404,
      body: 'services "nowhere" not found',
      error: 'services "nowhere" not found',
    });
    // The socket sits in a folder only this user can enter, and goes with the proxy.
    const socket = proxy!.socket;
    expect(statSync(dirname(socket)).mode & 0o077).toBe(0);
    await proxy!.close();
    expect(existsSync(dirname(socket))).toBe(false);
    const after = await proxy!.request('GET', '/version');
    expect(after.status).toBeUndefined();
    expect(after.error).toBe('the kubectl proxy the checks use has stopped; the next check starts it again');
  });

  it('is not there for a context kubectl cannot use, so the probes fall back to kubectl --raw', async () => {
    expect(await startApiProxy({ context: 'no-such-context', kubeconfig: sim.kubeconfig })).toBeUndefined();
  });

  it('is shared while the kubeconfig stays the same, and started again when it changes', async () => {
    const first = await sharedApiProxy(target);
    expect(first).toBeDefined();
    expect(await sharedApiProxy(target)).toBe(first);
    // `down` then `up` writes the kubeconfig again (a new port, new certificates).
    const later = new Date(Date.now() + 5_000);
    utimesSync(sim.kubeconfig, later, later);
    const second = await sharedApiProxy(target);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    await first!.ended;
    expect((await second!.request('GET', '/version')).status).toBe(200);
    await closeApiProxies();
    await second!.ended;
  });

  it("reads a dozen pods' metrics at once without Node's listener-leak warning over the screen", async () => {
    await kubectl(target, ['create', 'namespace', 'wide']);
    await kubectl(target, [
      'create',
      'deployment',
      'idle',
      '--image=nginx:1.27',
      '--replicas=12',
      '-n',
      'wide',
    ]);
    const ready = async () => {
      const pods = JSON.parse(
        (await kubectl(target, ['get', 'pods', '-n', 'wide', '-l', 'app=idle', '-o', 'json'])).stdout,
      ) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
      return pods.items.filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
    };
    for (const deadline = Date.now() + 30_000; (await ready()) < 12; ) {
      if (Date.now() > deadline) throw new Error('the 12 pods did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const check = checkSchema.parse({
        id: 'm',
        title: 'm',
        type: 'metric',
        selector: 'app=idle',
        port: 8000,
        metric: 'api_requests_total',
        expect: { atLeast: 1 },
      });
      const seen = await observe(target, 'wide', [check]);
      expect(seen.reachable).toBe(true);
      if (seen.reachable)
        expect(seen.probes.get(check)).toMatchObject({ type: 'metric', pods: expect.any(Array) });
      if (seen.reachable) expect((seen.probes.get(check) as { pods: unknown[] }).pods).toHaveLength(12);
      // Node emits its warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  }, 60_000);
});
