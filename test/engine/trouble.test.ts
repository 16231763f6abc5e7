import { describe, expect, it } from 'vitest';
import { judgeCheck } from '../../src/course/judge.js';
import { checkSchema } from '../../src/course/schema.js';
import { type KubeObject, Snapshot } from '../../src/kube/objects.js';
import { deployment, job, pod, replicaSet } from './fixtures.js';

/**
 * A failing check says what the pods of its workload show (the container statuses and the
 * scheduler's condition, as the API writes them), not only what it missed.
 */
const check = (spec: Record<string, unknown>) => checkSchema.parse({ id: 'c', title: 'a check', ...spec });
const judge = (spec: Record<string, unknown>, ...objects: KubeObject[]) =>
  judgeCheck(check(spec), {
    reachable: true,
    snapshot: new Snapshot('churn-mlops', objects),
    probes: new Map(),
  });

/** A pod whose one container waits with this reason, or that the scheduler could not place. */
function stuck(
  name: string,
  waiting: { reason: string; message?: string } | 'unschedulable' | 'oom',
  image = 'churn-labs/churn-api:0.2',
  labels: Record<string, string> = { app: 'churn-api', 'pod-template-hash': '5c8d7f9b4' },
): KubeObject {
  const base = pod(name, { ready: false, labels });
  const [status] = base.status.containerStatuses;
  base.spec.containers[0].image = image;
  if (waiting === 'unschedulable') {
    base.status = {
      phase: 'Pending',
      qosClass: 'Burstable',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message:
            '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
        },
      ],
    };
  } else if (waiting === 'oom') {
    status.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off 20s restarting failed container=churn-api pod=${name}_churn-mlops(uid-${name})`,
      },
    };
    status.lastState = { terminated: { reason: 'OOMKilled', exitCode: 137 } };
    status.restartCount = 2;
  } else {
    status.state = { waiting };
    base.status.phase = 'Pending';
  }
  return base;
}

const newReplicaSet = {
  type: 'count',
  kind: 'ReplicaSet',
  selector: 'app=churn-api',
  where: [
    {
      path: '.spec.template.spec.containers[?(@.name=="churn-api")].image',
      equals: 'churn-labs/churn-api:0.2.0',
    },
  ],
  as: 'ReplicaSets of churn-api running churn-labs/churn-api:0.2.0',
  expect: { atLeast: 1 },
};

describe('a failing check says what the pods show', () => {
  it('an image tag that does not exist: names the pod, the image and the kubelet message', () => {
    const pulling = stuck('churn-api-5c8d7f9b4-x2x9q', {
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "churn-labs/churn-api:0.2"',
    });
    const verdict = judge(
      newReplicaSet,
      replicaSet(1, 'churn-labs/churn-api:0.1.0', { replicas: 3 }),
      replicaSet(2, 'churn-labs/churn-api:0.2', { replicas: 1 }),
      pod('churn-api-7d9c8b6f5d-a1b2c'),
      pulling,
    );
    expect(verdict).toEqual({
      passed: false,
      message:
        '0 ReplicaSets of churn-api running churn-labs/churn-api:0.2.0; expected at least 1. Found: pod churn-api-5c8d7f9b4-x2x9q cannot pull image churn-labs/churn-api:0.2 for container churn-api (ImagePullBackOff: Back-off pulling image "churn-labs/churn-api:0.2").',
    });
    // The rollout check of the same Deployment says it too.
    const rollout = judge(
      { type: 'rolledOut', deployment: 'churn-api' },
      deployment({ updated: 1, total: 4, image: 'churn-labs/churn-api:0.2' }),
      stuck('churn-api-5c8d7f9b4-x2x9q', { reason: 'ErrImagePull', message: 'rpc error: not found' }),
    );
    expect(rollout.message).toMatch(
      /1 out of 3 new replicas have been updated\. Found: pod churn-api-5c8d7f9b4-x2x9q cannot pull image churn-labs\/churn-api:0\.2 for container churn-api \(ErrImagePull: rpc error: not found\)\.$/,
    );
  });

  it('a crash loop after an OOM kill, a missing ConfigMap, no room on the node', () => {
    const ready = {
      type: 'fields',
      kind: 'Deployment',
      name: 'churn-api',
      fields: [{ path: '.status.readyReplicas', as: 'ready replicas', equals: 3, default: 0 }],
    };
    expect(judge(ready, deployment({ ready: 2 }), stuck('churn-api-a', 'oom')).message).toBe(
      'churn-api has 2 ready replicas; expected 3. Found: pod churn-api-a keeps crashing: container churn-api is in CrashLoopBackOff: back-off 20s restarting failed container=churn-api pod=churn-api-a_churn-mlops(uid-churn-api-a); it last ended OOMKilled, exit code 137, over its memory limit.',
    );
    expect(
      judge(
        ready,
        deployment({ ready: 2 }),
        stuck('churn-api-b', {
          reason: 'CreateContainerConfigError',
          message: 'configmap "churn-mlops-config" not found',
        }),
      ).message,
    ).toBe(
      'churn-api has 2 ready replicas; expected 3. Found: pod churn-api-b cannot start container churn-api (CreateContainerConfigError: configmap "churn-mlops-config" not found).',
    );
    expect(judge(ready, deployment({ ready: 2 }), stuck('churn-api-c', 'unschedulable')).message).toBe(
      'churn-api has 2 ready replicas; expected 3. Found: pod churn-api-c cannot be scheduled: Unschedulable (0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.).',
    );
  });

  it("a Job's pods, found by their owner", () => {
    const running = job('manual-batch', { state: 'running' });
    const jobPod = stuck(
      'manual-batch-k8x2p',
      { reason: 'ImagePullBackOff', message: 'Back-off pulling image "churn-labs/churn-ml:0.9"' },
      'churn-labs/churn-ml:0.9',
      { 'job-name': 'manual-batch' },
    );
    jobPod.metadata.ownerReferences = [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: 'manual-batch',
        uid: 'uid-manual-batch',
        controller: true,
      },
    ];
    expect(judge({ type: 'jobComplete', name: 'manual-batch' }, running, jobPod).message).toBe(
      'Job manual-batch is still running: 0 of 1 completions, 1 active. Found: pod manual-batch-k8x2p cannot pull image churn-labs/churn-ml:0.9 for container churn-api (ImagePullBackOff: Back-off pulling image "churn-labs/churn-ml:0.9").',
    );
  });

  it('says nothing more when the pods are fine, when the check passes, or about other workloads', () => {
    const ready = {
      type: 'fields',
      kind: 'Deployment',
      name: 'churn-api',
      fields: [{ path: '.status.readyReplicas', as: 'ready replicas', equals: 3, default: 0 }],
    };
    expect(judge(ready, deployment({ ready: 2 }), pod('churn-api-a', { ready: false })).message).toBe(
      'churn-api has 2 ready replicas; expected 3.',
    );
    const other = stuck('qos-besteffort', { reason: 'ImagePullBackOff' }, 'busybox:nope', {
      app: 'qos-demo',
    });
    expect(judge(ready, deployment({ ready: 2 }), other).message).toBe(
      'churn-api has 2 ready replicas; expected 3.',
    );
    // An OOMKilled pod is what the resources-qos check wants: a pass stays a pass, unannotated.
    const oom = {
      type: 'fields',
      kind: 'Pod',
      name: 'churn-api-a',
      fields: [{ path: '.status.containerStatuses[*].lastState.terminated.reason', equals: 'OOMKilled' }],
    };
    expect(judge(oom, stuck('churn-api-a', 'oom')).message).not.toMatch(/Found/);
  });
});
