import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  condition,
  containerStatus,
  createPod,
  eventsOf,
  getPod,
  httpGet,
  startNode,
  type TestNode,
  waitFor,
} from './helpers.js';

let node: TestNode;
beforeEach(async () => {
  node = await startNode();
});
afterEach(async () => {
  await node.cleanup();
});

const probe = (path: string, extra: Record<string, unknown> = {}) => ({
  httpGet: { path, port: 'http' },
  periodSeconds: 1,
  failureThreshold: 1,
  ...extra,
});

describe('probes', () => {
  it('is Ready only once the readiness probe answers 200, and leaves Ready on a 503 without a restart', async () => {
    createPod(node.store, 'web', {
      containers: [
        {
          name: 'web',
          image: 'test/server:1',
          env: [{ name: 'START_READY', value: '0' }],
          ports: [{ name: 'http', containerPort: 8000 }],
          readinessProbe: probe('/ready'),
        },
      ],
    });
    await waitFor(() => containerStatus(getPod(node.store, 'web'))?.state.running, 10_000, 'running');
    // The probe answers 503: running but not ready, for several periods.
    await waitFor(
      () =>
        eventsOf(node.store, 'web').some(
          (e) => e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        ),
      5_000,
      'a failed readiness probe',
    );
    expect(condition(getPod(node.store, 'web'), 'Ready')).toBe('False');
    expect(containerStatus(getPod(node.store, 'web'))?.ready).toBe(false);

    await httpGet(node, 'web', 8000, '/switch?ready=1');
    await waitFor(() => condition(getPod(node.store, 'web'), 'Ready') === 'True', 5_000, 'Ready=True');
    expect(condition(getPod(node.store, 'web'), 'ContainersReady')).toBe('True');

    await httpGet(node, 'web', 'http', '/switch?ready=0');
    await waitFor(() => condition(getPod(node.store, 'web'), 'Ready') === 'False', 5_000, 'Ready=False');
    const pod = getPod(node.store, 'web');
    expect(containerStatus(pod)?.restartCount).toBe(0);
    expect(containerStatus(pod)?.state.running).toBeDefined();
    expect(pod?.status?.phase).toBe('Running');
  });

  it('restarts a container whose liveness probe fails, keeping the ended instance as lastState', async () => {
    createPod(node.store, 'sick', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          ports: [{ name: 'http', containerPort: 8000 }],
          readinessProbe: probe('/ready'),
          // Like a real kubelet, a liveness probe before the server listens would kill it: give it a moment.
          livenessProbe: probe('/live', {
            initialDelaySeconds: 1,
            failureThreshold: 2,
            terminationGracePeriodSeconds: 2,
          }),
        },
      ],
    });
    await waitFor(() => condition(getPod(node.store, 'sick'), 'Ready') === 'True', 10_000, 'Ready');
    await httpGet(node, 'sick', 8000, '/switch?live=0');
    const pod = await waitFor(
      () => {
        const p = getPod(node.store, 'sick');
        const status = containerStatus(p);
        return status?.restartCount === 1 && status.state.running ? p : undefined;
      },
      15_000,
      'restartCount 1',
    );
    const status = containerStatus(pod)!;
    expect(status.lastState.terminated).toMatchObject({ finishedAt: expect.any(String) });
    // The server exits 0 on SIGTERM: the runtime reports the process's own exit code.
    expect(status.lastState.terminated?.exitCode).toBe(0);
    const events = eventsOf(node.store, 'sick');
    expect(events).toContainEqual(
      expect.objectContaining({
        reason: 'Killing',
        message: 'Container app failed liveness probe, will be restarted',
      }),
    );
    expect(
      events.some(
        (e) =>
          e.reason === 'Unhealthy' &&
          e.message.startsWith('Liveness probe failed: HTTP probe failed with statuscode: 500'),
      ),
    ).toBe(true);
  });

  it('holds liveness and readiness until the startup probe passes', async () => {
    createPod(node.store, 'slow', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          ports: [{ name: 'http', containerPort: 8000 }],
          startupProbe: { tcpSocket: { port: 8000 }, periodSeconds: 1, failureThreshold: 10 },
          readinessProbe: probe('/ready'),
        },
      ],
    });
    const pod = await waitFor(
      () => {
        const p = getPod(node.store, 'slow');
        return condition(p, 'Ready') === 'True' ? p : undefined;
      },
      10_000,
      'Ready',
    );
    expect(containerStatus(pod)?.started).toBe(true);
  });

  it('runs exec probes through the node exec support, on the pod files', async () => {
    createPod(node.store, 'touchy', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          readinessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1 },
        },
      ],
    });
    const event = await waitFor(
      () => eventsOf(node.store, 'touchy').find((e) => e.reason === 'Unhealthy'),
      10_000,
      'a failed exec probe',
    );
    expect(event.message).toBe(
      "Readiness probe failed: cat: can't open '/tmp/healthy': No such file or directory",
    );
    expect(condition(getPod(node.store, 'touchy'), 'Ready')).toBe('False');
    const uid = getPod(node.store, 'touchy')!.metadata.uid!;
    writeFileSync(join(node.stateDir, 'pods', uid, 'root', 'tmp', 'healthy'), 'ok\n');
    await waitFor(() => condition(getPod(node.store, 'touchy'), 'Ready') === 'True', 5_000, 'Ready');
  });

  it('reports a refused connection in the words of the real kubelet', async () => {
    createPod(node.store, 'deaf', {
      containers: [
        {
          name: 'app',
          image: 'test/node:1',
          args: ['-e', 'setInterval(() => {}, 1000)'],
          ports: [{ containerPort: 8000 }],
          readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 },
        },
      ],
    });
    const event = await waitFor(
      () => eventsOf(node.store, 'deaf').find((e) => e.reason === 'Unhealthy'),
      10_000,
      'an Unhealthy event',
    );
    const ip = getPod(node.store, 'deaf')?.status?.podIP;
    expect(event.message).toBe(
      `Readiness probe failed: Get "http://${ip}:8000/ready": dial tcp ${ip}:8000: connect: connection refused`,
    );
  });
});
