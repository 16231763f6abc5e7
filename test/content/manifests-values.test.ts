import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/workload/config.js';
import { find, MANIFESTS, manifestFiles, type PodSpec, podSpec, readDocuments } from './manifest-files.js';

/** The system as Exercise 1 applies it: the top level of manifests/. */
const docs = manifestFiles(MANIFESTS, false).flatMap(readDocuments);

/** The mounts every churn-mlops container has: the config file and the volume's two folders. */
const STANDARD_MOUNTS = [
  { name: 'config', mountPath: '/app/config/config.yaml', subPath: 'config.yaml' },
  { name: 'mlops-storage', mountPath: '/app/data', subPath: 'data' },
  { name: 'mlops-storage', mountPath: '/app/artifacts', subPath: 'artifacts' },
];
const STANDARD_VOLUMES = [
  { name: 'config', configMap: { name: 'churn-mlops-config' } },
  { name: 'mlops-storage', persistentVolumeClaim: { claimName: 'churn-mlops-pvc' } },
];
const shell = (...lines: string[]) => ['/bin/sh', '-c', lines.join('\n')];

describe("the seed's architecture, names and values", () => {
  it('PVC churn-mlops-pvc: ReadWriteOnce, 10Gi, class standard', () => {
    expect(find(docs, 'PersistentVolumeClaim', 'churn-mlops-pvc').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
      storageClassName: 'standard',
    });
  });

  it("ConfigMap churn-mlops-config: config.yaml with exactly the workload's keys, read by the workload without warnings", () => {
    const data = find(docs, 'ConfigMap', 'churn-mlops-config').data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['config.yaml']);
    const config = parse(data['config.yaml']!) as Record<string, Record<string, unknown>>;
    expect(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, Object.keys(v)]))).toEqual({
      app: ['name', 'log_level'],
      paths: ['data', 'artifacts'],
      api: ['max_body_bytes', 'model_poll_seconds'],
      model: ['threshold'],
      data: ['users', 'seed'],
      drift: ['psi_threshold'],
      training: ['min_improvement'],
    });
    expect(config.paths).toEqual({ data: '/app/data', artifacts: '/app/artifacts' });
    const read = parseConfig(data['config.yaml']!, '/app/config/config.yaml');
    expect(read.warnings).toEqual([]);
    expect(read.config.paths).toEqual({ data: '/app/data', artifacts: '/app/artifacts' });
  });

  it('Secret db-credentials: Opaque, lab-only username and password', () => {
    const secret = find(docs, 'Secret', 'db-credentials');
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.stringData as object).sort()).toEqual(['password', 'username']);
    expect(readFileSync(join(MANIFESTS, 'secret.yaml'), 'utf8')).toMatch(/LAB ONLY/);
  });

  it('Deployment churn-api: 3 replicas, zero-downtime rolling update, selector matching its pods', () => {
    const deployment = find(docs, 'Deployment', 'churn-api') as {
      spec: Record<string, unknown> & { template: { metadata: { labels: object }; spec: PodSpec } };
    };
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'churn-api' } });
    expect(deployment.spec.template.metadata.labels).toEqual({ app: 'churn-api' });
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(deployment.spec.template.spec.volumes).toEqual(STANDARD_VOLUMES);
  });

  it('the churn-api container: image, port, config, secret, resources, probes and mounts', () => {
    const spec = podSpec(find(docs, 'Deployment', 'churn-api'));
    expect(spec.containers).toHaveLength(1);
    const api = spec.containers[0]!;
    expect(api.name).toBe('churn-api');
    expect(api.image).toBe('churn-labs/churn-api:0.1.0');
    expect(api.command).toBeUndefined();
    expect(api.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(api.env).toEqual([
      { name: 'CHURN_MLOPS_CONFIG', value: '/app/config/config.yaml' },
      { name: 'DB_USERNAME', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'username' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
    ]);
    expect(api.resources).toEqual({
      requests: { memory: '512Mi', cpu: '500m' },
      limits: { memory: '1Gi', cpu: '1000m' },
    });
    expect(api.livenessProbe).toEqual({
      httpGet: { path: '/live', port: 8000 },
      initialDelaySeconds: 10,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    expect(api.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 8000 },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      failureThreshold: 3,
    });
    expect(api.startupProbe).toEqual({
      httpGet: { path: '/live', port: 8000 },
      initialDelaySeconds: 0,
      periodSeconds: 5,
      failureThreshold: 30,
    });
    expect(api.volumeMounts).toEqual(STANDARD_MOUNTS);
  });

  it('Service churn-api: ClusterIP on 8000 to the named port, selecting the API pods, with the Prometheus annotations', () => {
    const service = find(docs, 'Service', 'churn-api') as {
      metadata: { annotations: object };
      spec: { selector: Record<string, string> };
    };
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: { app: 'churn-api' },
      ports: [{ name: 'http', port: 8000, targetPort: 'http' }],
    });
    expect(service.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': '/metrics',
      'prometheus.io/port': '8000',
    });
    const pods = (
      find(docs, 'Deployment', 'churn-api') as { spec: { template: { metadata: { labels: object } } } }
    ).spec.template.metadata.labels;
    expect(pods).toMatchObject(service.spec.selector);
  });

  it('Job churn-seed-model: backoffLimit 3, runs `churn-mlops seed-model` with the same volumes', () => {
    const job = find(docs, 'Job', 'churn-seed-model');
    expect((job.spec as { backoffLimit: number }).backoffLimit).toBe(3);
    const spec = podSpec(job);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.volumes).toEqual(STANDARD_VOLUMES);
    expect(spec.containers[0]).toMatchObject({
      image: 'churn-labs/churn-ml:0.1.0',
      command: shell(
        'set -e',
        'echo "Seeding the production model..."',
        'churn-mlops seed-model',
        'echo "Seed model complete!"',
      ),
      volumeMounts: STANDARD_MOUNTS,
      env: [{ name: 'CHURN_MLOPS_CONFIG', value: '/app/config/config.yaml' }],
    });
  });

  const cronJobs = [
    {
      name: 'churn-batch-score',
      schedule: '0 2 * * *',
      container: 'churn-batch',
      history: { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 2 },
      resources: { requests: { memory: '1Gi', cpu: '500m' }, limits: { memory: '2Gi', cpu: '1000m' } },
      command: shell(
        'set -e',
        'echo "Starting batch scoring..."',
        'churn-mlops batch-score',
        'echo "Batch scoring complete!"',
      ),
    },
    {
      name: 'churn-drift-check',
      schedule: '0 8 * * 1',
      container: 'drift-check',
      history: {},
      resources: { requests: { memory: '256Mi', cpu: '250m' }, limits: { memory: '512Mi', cpu: '500m' } },
      command: shell(
        'set -e',
        'echo "Checking for data drift..."',
        'churn-mlops check-drift',
        'echo "Drift check complete!"',
      ),
    },
    {
      name: 'churn-retrain',
      schedule: '0 4 * * 0',
      container: 'retrain',
      history: {},
      resources: { requests: { memory: '2Gi', cpu: '1000m' }, limits: { memory: '4Gi', cpu: '2000m' } },
      command: shell(
        'set -e',
        'echo "Starting model retraining..."',
        'churn-mlops train-candidate',
        'churn-mlops promote-model',
        'echo "Retraining complete!"',
      ),
    },
  ];
  for (const expected of cronJobs) {
    it(`CronJob ${expected.name}: "${expected.schedule}", Forbid, Never, its command, resources and volumes`, () => {
      const cronJob = find(docs, 'CronJob', expected.name) as Record<string, unknown> & {
        spec: Record<string, unknown> & { jobTemplate: { spec: { backoffLimit?: number } } };
      };
      expect(cronJob.spec.schedule).toBe(expected.schedule);
      expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
      expect(cronJob.spec.successfulJobsHistoryLimit).toBe(
        (expected.history as { successfulJobsHistoryLimit?: number }).successfulJobsHistoryLimit,
      );
      expect(cronJob.spec.failedJobsHistoryLimit).toBe(
        (expected.history as { failedJobsHistoryLimit?: number }).failedJobsHistoryLimit,
      );
      expect(cronJob.spec.jobTemplate.spec.backoffLimit).toBeGreaterThanOrEqual(1);
      expect(cronJob.spec.jobTemplate.spec.backoffLimit).toBeLessThanOrEqual(3);
      const spec = podSpec(cronJob);
      expect(spec.restartPolicy).toBe('Never');
      expect(spec.volumes).toEqual(STANDARD_VOLUMES);
      expect(spec.containers).toHaveLength(1);
      expect(spec.containers[0]).toMatchObject({
        name: expected.container,
        image: 'churn-labs/churn-ml:0.1.0',
        command: expected.command,
        resources: expected.resources,
        volumeMounts: STANDARD_MOUNTS,
        env: [{ name: 'CHURN_MLOPS_CONFIG', value: '/app/config/config.yaml' }],
      });
    });
  }

  it('the HPA churn-api-hpa (apart, in hpa/): 2 to 10 replicas of the churn-api Deployment on CPU 70% and memory 80%', () => {
    const [hpa, ...rest] = readDocuments(join(MANIFESTS, 'hpa', 'hpa.yaml'));
    expect(rest).toEqual([]);
    expect(hpa).toMatchObject({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      name: 'churn-api-hpa',
    });
    expect(hpa!.body.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'churn-api' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
    });
  });
});
