import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../../src/sim/server/index.js';
import { Store } from '../../../src/sim/store.js';
import { servingCertificates } from '../../../src/sim/tls.js';
import { fetchTrusting, KUBECTL, setPodRunning, startCluster, type TestCluster, waitFor } from './helpers.js';

/** Watches: `kubectl get -w`, `wait`, `delete` waiting, `rollout status`, and the protocol itself. */
describe('watch', () => {
  let cluster: TestCluster;
  const podYaml = (name: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: {app: w}}\nspec:\n  containers: [{name: main, image: nginx:1.27}]\n`;

  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('kubectl get -w prints the list, then each change as it happens', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: podYaml('watched') });
    const { sim, home } = cluster;
    const watcher = execa(
      KUBECTL,
      [
        '--kubeconfig',
        sim.kubeconfig,
        '--context',
        sim.context,
        '--cache-dir',
        `${home}/kube-cache`,
        'get',
        'pods',
        '-w',
      ],
      {
        reject: false,
        buffer: true,
      },
    );
    let seen = '';
    watcher.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
    });
    try {
      await waitFor(() => /watched\s+0\/1\s+Pending/.test(seen), 'the initial list');
      setPodRunning(cluster.store, 'default', 'watched');
      await waitFor(() => /watched\s+1\/1\s+Running/.test(seen), 'the change to Running');
      expect(seen.match(/^NAME\s+READY/gm)).toHaveLength(1);
    } finally {
      watcher.kill();
      await watcher;
    }
  });

  it('kubectl wait --for=condition returns once the condition is true', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: podYaml('waiter') });
    const waiting = cluster.kubectl(['wait', '--for=condition=Ready', 'pod/waiter', '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    setPodRunning(cluster.store, 'default', 'waiter');
    const result = await waiting;
    expect(result.stdout.trim()).toBe('pod/waiter condition met');
    expect(result.exitCode).toBe(0);
  });

  it('kubectl delete waits while a scheduled pod terminates, until the node removes it', async () => {
    const { store } = cluster;
    const before = store.require('Pod', 'default', 'waiter');
    const deleting = cluster.kubectl(['delete', 'pod', 'waiter']);
    const marked = await waitFor(() => {
      const pod = store.get('Pod', 'default', 'waiter');
      return pod?.metadata.deletionTimestamp ? pod : undefined;
    }, 'the deletion mark');
    expect((marked.metadata as { deletionGracePeriodSeconds?: number }).deletionGracePeriodSeconds).toBe(30);
    expect(marked.metadata.uid).toBe(before.metadata.uid);
    // The node's part: the container is gone, so the pod goes.
    store.remove('Pod', 'default', 'waiter');
    const result = await deleting;
    expect(result.stdout.trim()).toBe('pod "waiter" deleted');
    expect(result.exitCode).toBe(0);
  });

  it('kubectl rollout status follows the Deployment status to the end', async () => {
    await cluster.kubectl(['create', 'deployment', 'roll', '--image=nginx:1.27', '--replicas=2']);
    const status = cluster.kubectl(['rollout', 'status', 'deployment/roll', '--timeout=20s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const d = cluster.store.require('Deployment', 'default', 'roll');
    d.status = {
      observedGeneration: d.metadata.generation,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
    };
    cluster.store.update('Deployment', d, { status: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const done = cluster.store.require('Deployment', 'default', 'roll');
    done.status = { ...done.status, readyReplicas: 2, availableReplicas: 2 };
    cluster.store.update('Deployment', done, { status: true });
    const result = await status;
    expect(result.stdout).toMatch(/deployment "roll" successfully rolled out/);
    expect(result.exitCode).toBe(0);
  });

  it('the protocol: resume from a resourceVersion, selectors, ADDED/DELETED as objects enter and leave, timeoutSeconds', async () => {
    const base = `${cluster.sim.url}/api/v1/namespaces/default/configmaps`;
    const list = (await (await cluster.fetch(base)).json()) as { metadata: { resourceVersion: string } };
    const controller = new AbortController();
    const response = await cluster.fetch(
      `${base}?watch=1&labelSelector=team%3Dml&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`,
      {
        signal: controller.signal,
      },
    );
    expect(response.status).toBe(200);
    const events: { type: string; name: string; team?: string }[] = [];
    const reader = response.body!.getReader();
    let buffer = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += Buffer.from(value!).toString();
        let at = buffer.indexOf('\n');
        while (at >= 0) {
          const event = JSON.parse(buffer.slice(0, at));
          events.push({
            type: event.type,
            name: event.object.metadata.name,
            team: event.object.metadata.labels?.team,
          });
          buffer = buffer.slice(at + 1);
          at = buffer.indexOf('\n');
        }
      }
    })();
    const { store } = cluster;
    store.create('ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'other', namespace: 'default' },
    });
    store.create('ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ours', namespace: 'default', labels: { team: 'ml' } },
    });
    const ours = store.require('ConfigMap', 'default', 'ours');
    store.update('ConfigMap', { ...ours, metadata: { ...ours.metadata, labels: { team: 'ops' } } });
    await waitFor(() => events.length >= 2, 'two events');
    controller.abort();
    await pump;
    expect(events).toEqual([
      { type: 'ADDED', name: 'ours', team: 'ml' },
      { type: 'DELETED', name: 'ours', team: 'ops' },
    ]);

    const timed = await cluster.fetch(`${base}?watch=1&timeoutSeconds=1`);
    const text = await timed.text();
    expect(
      text
        .trim()
        .split('\n')
        .every((l) => JSON.parse(l).type === 'ADDED'),
    ).toBe(true);
  });

  it('answers 410 Expired for a resourceVersion older than the history it keeps', async () => {
    const store = new Store({ historySize: 3 });
    const tls = await servingCertificates(join(cluster.home, 'another-server'));
    const server = createApiServer(store, undefined, { tls });
    const url = await server.listen(0);
    const fetch = fetchTrusting(tls.ca);
    try {
      for (let i = 0; i < 6; i++)
        store.create('ConfigMap', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `c${i}`, namespace: 'default' },
        });
      const gone = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2`);
      expect(gone.status).toBe(410);
      expect((await gone.json()) as object).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
      const recent = await fetch(
        `${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=6&timeoutSeconds=1`,
      );
      expect(recent.status).toBe(200);
      const names = (await recent.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).object.metadata.name);
      expect(names).toEqual(['c5']);
    } finally {
      await server.close();
    }
  });
});
