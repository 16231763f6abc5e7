import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  condition,
  containerStatus,
  createPod,
  eventsOf,
  getPod,
  logsOf,
  startNode,
  type TestNode,
  waitFor,
} from './helpers.js';

/**
 * The real churn-mlops workload on the simulated node: needs the bundle `npm run build` makes.
 * CHURN_KUBELET_TEST_WORKLOAD may name another bundle of src/workload/main.ts.
 */
const WORKLOAD = process.env.CHURN_KUBELET_TEST_WORKLOAD ?? join(process.cwd(), 'dist', 'churn-mlops.js');
const built =
  existsSync(WORKLOAD) &&
  (await execa(process.execPath, [WORKLOAD, '--help'], { reject: false })).exitCode === 0;

const CONFIG = `app:\n  log_level: info\npaths:\n  data: /app/data\n  artifacts: /app/artifacts\napi:\n  model_poll_seconds: 0.5\ndata:\n  users: 500\n`;

describe.skipIf(!built)('the churn-labs images, run for real (needs npm run build)', () => {
  let node: TestNode;
  const mounts = [
    { name: 'config', mountPath: '/app/config/config.yaml', subPath: 'config.yaml' },
    { name: 'mlops-storage', mountPath: '/app/data', subPath: 'data' },
    { name: 'mlops-storage', mountPath: '/app/artifacts', subPath: 'artifacts' },
  ];
  const volumes = [
    { name: 'config', configMap: { name: 'churn-mlops-config' } },
    { name: 'mlops-storage', persistentVolumeClaim: { claimName: 'churn-mlops-pvc' } },
  ];
  const env = [{ name: 'CHURN_MLOPS_CONFIG', value: '/app/config/config.yaml' }];
  const job = (name: string, script: string) =>
    createPod(node.store, name, {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'job',
          image: 'churn-labs/churn-ml:0.1.0',
          command: ['/bin/sh', '-c', script],
          env,
          volumeMounts: mounts,
        },
      ],
      volumes,
    });
  const api = async (path: string, init?: RequestInit) => {
    const address = node.kubelet.address('default', 'churn-api', 8000)!;
    return fetch(`http://${address.host}:${address.port}${path}`, init);
  };

  beforeAll(async () => {
    node = await startNode({ workloadScript: WORKLOAD });
    const { store } = node;
    store.create('ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'churn-mlops-config', namespace: 'default' },
      data: { 'config.yaml': CONFIG },
    });
    const claim = store.create('PersistentVolumeClaim', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'churn-mlops-pvc', namespace: 'default' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '10Gi' } },
        volumeName: 'pvc-1',
      },
    });
    store.update('PersistentVolumeClaim', { ...claim, status: { phase: 'Bound' } }, { status: true });
    store.create('PersistentVolume', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pvc-1' },
      spec: { hostPath: { path: '/var/local-path-provisioner/pvc-1_default_churn-mlops-pvc' } },
    });
  });
  afterAll(async () => {
    await node?.cleanup();
  });

  it('serves predictions once a seed job has trained the model, and the batch job writes predictions on the volume', async () => {
    createPod(node.store, 'churn-api', {
      containers: [
        {
          name: 'churn-api',
          image: 'churn-labs/churn-api:0.1.0',
          ports: [{ containerPort: 8000 }],
          env,
          readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 },
          livenessProbe: { httpGet: { path: '/live', port: 8000 }, initialDelaySeconds: 3, periodSeconds: 2 },
          volumeMounts: mounts,
        },
      ],
      volumes,
    });
    // No model yet: the API runs but answers /ready with 503, so the pod is not Ready.
    await waitFor(
      () =>
        eventsOf(node.store, 'churn-api').some(
          (e) => e.message === 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        ),
      15_000,
      'a 503 from /ready',
    );
    expect(condition(getPod(node.store, 'churn-api'), 'Ready')).toBe('False');

    job('seed', 'set -e\necho "Seeding the model..."\nchurn-mlops seed-model\necho "Seed complete!"');
    await waitFor(() => getPod(node.store, 'seed')?.status?.phase === 'Succeeded', 30_000, 'the seed job');
    expect(await logsOf(node, 'seed', 'job')).toMatch(/Seeding the model\.\.\.\n[\s\S]*Seed complete!\n$/);

    await waitFor(
      () => condition(getPod(node.store, 'churn-api'), 'Ready') === 'True',
      15_000,
      'the API Ready',
    );
    const health = await (await api('/health')).json();
    expect(health).toMatchObject({ version: '0.1.0' });
    const prediction = await api('/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'user123', features: { logins_7d: 15, sessions_7d: 20 } }),
    });
    expect(prediction.status).toBe(200);
    expect(await prediction.json()).toMatchObject({
      user_id: 'user123',
      churn_probability: expect.any(Number),
    });
    expect(containerStatus(getPod(node.store, 'churn-api'))?.restartCount).toBe(0);

    job(
      'batch',
      'set -e\necho "Starting batch scoring..."\nchurn-mlops batch-score\necho "Batch scoring complete!"',
    );
    await waitFor(() => getPod(node.store, 'batch')?.status?.phase === 'Succeeded', 30_000, 'the batch job');
    // Exercise 3: kubectl exec -n churn-mlops deployment/churn-api -- ls /app/data/predictions
    const listing = await node.kubelet.exec!('default', 'churn-api', 'churn-api', [
      'ls',
      '/app/data/predictions',
    ]);
    expect(listing).toMatchObject({ exitCode: 0, stderr: '' });
    expect(listing?.stdout).toMatch(/^predictions_\d{8}-\d{6}\.csv\n$/);
    const version = await node.kubelet.exec!('default', 'churn-api', 'churn-api', [
      'churn-mlops',
      '--version',
    ]);
    expect(version).toMatchObject({ exitCode: 0, stdout: 'churn-mlops 0.1.0\n' });
    const usage = await waitFor(
      () => node.kubelet.usage('default', 'churn-api')?.[0]?.memoryBytes,
      5_000,
      'API memory',
    );
    expect(usage).toBeGreaterThan(10 * 1024 * 1024);
  });
});
