import type { KubeObject } from '../../src/kube/objects.js';

/**
 * Objects in the shape `kubectl get -o json` returns them (field names and nesting from the
 * Kubernetes API reference, v1.32), trimmed to what matters and parameterised so a test can make
 * the state it needs.
 */
const NS = 'churn-mlops';
const DEPLOYMENT_UID = '5b0f3c39-6d0e-4a3b-9c55-0c8e0b0d7a11';

export function deployment(
  options: {
    replicas?: number;
    ready?: number;
    updated?: number;
    available?: number;
    total?: number;
    generation?: number;
    observedGeneration?: number;
    image?: string;
    progressDeadlineExceeded?: boolean;
  } = {},
): KubeObject {
  const replicas = options.replicas ?? 3;
  const status: Record<string, unknown> = {
    observedGeneration: options.observedGeneration ?? options.generation ?? 1,
    replicas: options.total ?? replicas,
    updatedReplicas: options.updated ?? replicas,
    readyReplicas: options.ready ?? replicas,
    availableReplicas: options.available ?? options.ready ?? replicas,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        lastUpdateTime: '2026-11-24T10:00:00Z',
        lastTransitionTime: '2026-11-24T10:00:00Z',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      },
      {
        type: 'Progressing',
        status: options.progressDeadlineExceeded ? 'False' : 'True',
        lastUpdateTime: '2026-11-24T10:00:05Z',
        lastTransitionTime: '2026-11-24T09:59:00Z',
        reason: options.progressDeadlineExceeded ? 'ProgressDeadlineExceeded' : 'NewReplicaSetAvailable',
        message: 'ReplicaSet "churn-api-7d9c8b6f5d" has successfully progressed.',
      },
    ],
  };
  // The API leaves zero counts out of the status.
  for (const key of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'])
    if (status[key] === 0) delete status[key];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'churn-api',
      namespace: NS,
      uid: DEPLOYMENT_UID,
      generation: options.generation ?? 1,
      labels: { app: 'churn-api' },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      creationTimestamp: '2026-11-24T09:58:00Z',
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'churn-api' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'churn-api' } },
        spec: {
          containers: [
            {
              name: 'churn-api',
              image: options.image ?? 'churn-labs/churn-api:0.1.0',
              ports: [{ containerPort: 8000, name: 'http', protocol: 'TCP' }],
            },
          ],
        },
      },
    },
    status,
  };
}

export function replicaSet(
  revision: number,
  image: string,
  options: { hash?: string; replicas?: number; owned?: boolean } = {},
): KubeObject {
  const hash = options.hash ?? `h${revision}x${image.length}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `churn-api-${hash}`,
      namespace: NS,
      uid: `rs-${hash}`,
      labels: { app: 'churn-api', 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': '3',
        'deployment.kubernetes.io/max-replicas': '4',
        'deployment.kubernetes.io/revision': String(revision),
      },
      ownerReferences:
        options.owned === false
          ? undefined
          : [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: 'churn-api',
                uid: DEPLOYMENT_UID,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
    },
    spec: {
      replicas: options.replicas ?? 0,
      selector: { matchLabels: { app: 'churn-api', 'pod-template-hash': hash } },
      template: {
        metadata: { labels: { app: 'churn-api', 'pod-template-hash': hash } },
        spec: { containers: [{ name: 'churn-api', image }] },
      },
    },
    status: { replicas: options.replicas ?? 0, observedGeneration: 1 },
  };
}

export function pod(
  name: string,
  options: {
    ready?: boolean;
    phase?: string;
    labels?: Record<string, string>;
    qos?: string;
    terminatedReason?: string;
    deleting?: boolean;
  } = {},
): KubeObject {
  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: options.labels ?? { app: 'churn-api', 'pod-template-hash': '7d9c8b6f5d' },
      ...(options.deleting ? { deletionTimestamp: '2026-11-24T10:05:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'churn-api', image: 'churn-labs/churn-api:0.1.0' }],
      nodeName: 'churn-labs-control-plane',
    },
    status: {
      phase: options.phase ?? 'Running',
      qosClass: options.qos ?? 'Burstable',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        {
          name: 'churn-api',
          ready,
          restartCount: options.terminatedReason ? 1 : 0,
          image: 'docker.io/churn-labs/churn-api:0.1.0',
          state: { running: { startedAt: '2026-11-24T10:00:00Z' } },
          ...(options.terminatedReason
            ? {
                lastState: {
                  terminated: {
                    exitCode: 137,
                    reason: options.terminatedReason,
                    startedAt: '2026-11-24T09:59:00Z',
                    finishedAt: '2026-11-24T10:00:00Z',
                  },
                },
              }
            : { lastState: {} }),
        },
      ],
    },
  };
}

export const CRONJOB_UID = '0c7f2b1e-9a4d-4f37-8c1e-3b6a5d2e1f00';

export function cronJob(options: { suspend?: boolean; schedule?: string } = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'churn-batch-score', namespace: NS, uid: CRONJOB_UID },
    spec: {
      schedule: options.schedule ?? '0 2 * * *',
      suspend: options.suspend ?? false,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 2,
      failedJobsHistoryLimit: 2,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'churn-batch', image: 'churn-labs/churn-ml:0.1.0' }],
            },
          },
        },
      },
    },
    status: {},
  };
}

/** A Job as `kubectl create job --from=cronjob/churn-batch-score NAME` makes it (or by hand, or by the schedule). */
export function job(
  name: string,
  options: {
    from?: 'manual' | 'schedule' | 'none';
    state?: 'complete' | 'failed' | 'running';
    ownerUid?: string;
  } = {},
): KubeObject {
  const from = options.from ?? 'manual';
  const state = options.state ?? 'complete';
  const conditions =
    state === 'complete'
      ? [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
          },
        ]
      : state === 'failed'
        ? [
            {
              type: 'FailureTarget',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
          ]
        : undefined;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      annotations:
        from === 'manual'
          ? { 'cronjob.kubernetes.io/instantiate': 'manual' }
          : from === 'schedule'
            ? { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-11-24T02:00:00Z' }
            : {},
      ownerReferences:
        from === 'none'
          ? undefined
          : [
              {
                apiVersion: 'batch/v1',
                kind: 'CronJob',
                name: 'churn-batch-score',
                uid: options.ownerUid ?? CRONJOB_UID,
                controller: true,
              },
            ],
    },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      template: { spec: { restartPolicy: 'Never', containers: [] } },
    },
    status: {
      ...(state === 'running' ? { active: 1, ready: 0 } : {}),
      ...(state === 'complete' ? { succeeded: 1, completionTime: '2026-11-24T10:02:00Z' } : {}),
      ...(state === 'failed' ? { failed: 7 } : {}),
      startTime: '2026-11-24T10:01:00Z',
      ...(conditions ? { conditions } : {}),
      uncountedTerminatedPods: {},
    },
  };
}

export function endpointSlice(
  endpoints: { ip: string; ready?: boolean }[],
  service = 'churn-api',
): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service}-x7k2p`,
      namespace: NS,
      labels: {
        'kubernetes.io/service-name': service,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: e.ready === undefined ? {} : { ready: e.ready, serving: e.ready, terminating: false },
      nodeName: 'churn-labs-control-plane',
    })),
    ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
  };
}

export function hpa(desired: number, current = 2): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'churn-api-hpa', namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'churn-api' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
    status: {
      currentReplicas: current,
      desiredReplicas: desired,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 142, averageValue: '710m' } },
        },
      ],
    },
  };
}

export const namespace = (name = NS, deleting = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-11-24T10:05:00Z' } : {}) },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: deleting ? 'Terminating' : 'Active' },
});
