import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/objects.js';
import { podStatus, podTone, summariseNamespace } from '../../src/tui/live/namespace.js';

const pod = (status: object, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  kind: 'Pod',
  metadata: { name: 'churn-api-1', ...extra },
  spec: { containers: [{ name: 'api' }] },
  status,
});
const container = (state: object, ready = false, restartCount = 0) => ({
  containerStatuses: [{ name: 'api', ready, restartCount, state }],
});

describe('pod status, as kubectl get pods prints it', () => {
  it.each([
    [{ phase: 'Running', ...container({ running: {} }, true) }, 'Running', '1/1', 'good'],
    [{ phase: 'Pending' }, 'Pending', '0/1', 'busy'],
    [
      { phase: 'Pending', ...container({ waiting: { reason: 'ContainerCreating' } }) },
      'ContainerCreating',
      '0/1',
      'busy',
    ],
    [
      { phase: 'Running', ...container({ waiting: { reason: 'CrashLoopBackOff' } }, false, 5) },
      'CrashLoopBackOff',
      '0/1',
      'bad',
    ],
    [
      { phase: 'Running', ...container({ terminated: { reason: 'OOMKilled', exitCode: 137 } }) },
      'OOMKilled',
      '0/1',
      'bad',
    ],
    [
      { phase: 'Failed', ...container({ terminated: { reason: 'Error', exitCode: 1 } }) },
      'Error',
      '0/1',
      'bad',
    ],
    [
      { phase: 'Succeeded', ...container({ terminated: { reason: 'Completed', exitCode: 0 } }) },
      'Completed',
      '0/1',
      'done',
    ],
    [{ phase: 'Running', ...container({ terminated: { exitCode: 2 } }) }, 'ExitCode:2', '0/1', 'bad'],
    [
      { phase: 'Running', ...container({ waiting: { reason: 'ImagePullBackOff' } }) },
      'ImagePullBackOff',
      '0/1',
      'bad',
    ],
  ])('%j is %s', (status, shown, ready, tone) => {
    const result = podStatus(pod(status));
    expect(result.status).toBe(shown);
    expect(result.ready).toBe(ready);
    expect(podTone(result.status)).toBe(tone);
  });

  it('counts restarts and says Terminating for a pod being deleted', () => {
    const deleting = pod(container({ running: {} }, true, 3), { deletionTimestamp: '2026-01-01T00:00:00Z' });
    expect(podStatus(deleting)).toEqual({ status: 'Terminating', ready: '1/1', restarts: 3 });
  });

  it('shows init containers that have not finished', () => {
    const initializing = pod({
      phase: 'Pending',
      initContainerStatuses: [{ name: 'seed', restartCount: 0, state: { running: {} } }],
    });
    initializing.spec.initContainers = [{ name: 'seed' }];
    expect(podStatus(initializing).status).toBe('Init:0/1');
    expect(podTone('Init:0/1')).toBe('busy');
    expect(podTone('Init:CrashLoopBackOff')).toBe('bad');
  });
});

describe('the namespace summary', () => {
  it('reads autoscaling/v2 and autoscaling/v1 targets like the TARGETS column', () => {
    const v2: KubeObject = {
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'churn-api' },
      spec: {
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 70 } } }],
      },
      status: { currentReplicas: 2 },
    };
    const v1: KubeObject = {
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'old' },
      spec: { maxReplicas: 4, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 1, currentCPUUtilizationPercentage: 12 },
    };
    const view = summariseNamespace('churn-mlops', [v2, v1]);
    expect(view.autoscalers).toEqual([
      { name: 'churn-api', targets: 'cpu: <unknown>/70%', replicas: 2, min: 2, max: 10 },
      { name: 'old', targets: 'cpu: 12%/50%', replicas: 1, min: 1, max: 4 },
    ]);
  });

  it('reads deployments and jobs, leaving out zero counts the API omits', () => {
    const view = summariseNamespace('churn-mlops', [
      { kind: 'Deployment', metadata: { name: 'churn-api' }, spec: { replicas: 3 }, status: {} },
      { kind: 'Job', metadata: { name: 'manual-batch' }, spec: { completions: 1 }, status: { active: 1 } },
    ]);
    expect(view.deployments).toEqual([{ name: 'churn-api', ready: 0, desired: 3, image: undefined }]);
    expect(view.jobs).toEqual([{ name: 'manual-batch', succeeded: 0, completions: 1, failed: 0, active: 1 }]);
  });
});
