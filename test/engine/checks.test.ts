import { describe, expect, it } from 'vitest';
import {
  evaluateObjectCheck,
  evaluateProbeCheck,
  type ObjectCheck,
  type Probe,
  type ProbeCheck,
  rolloutStatus,
} from '../../src/course/checks.js';
import { checkSchema } from '../../src/course/schema.js';
import { type KubeObject, Snapshot } from '../../src/kube/objects.js';
import {
  CRONJOB_UID,
  cronJob,
  deployment,
  endpointSlice,
  hpa,
  job,
  namespace,
  pod,
  replicaSet,
} from './fixtures.js';

const check = (spec: Record<string, unknown>) => checkSchema.parse({ id: 'c', title: 'a check', ...spec });
const objectCheck = (spec: Record<string, unknown>) => check(spec) as ObjectCheck;
const run = (spec: Record<string, unknown>, ...objects: KubeObject[]) =>
  evaluateObjectCheck(objectCheck(spec), new Snapshot('churn-mlops', objects));

describe('exists / absent', () => {
  it('finds an object by kind and name in the namespace, and only there', () => {
    expect(run({ type: 'exists', kind: 'Deployment', name: 'churn-api' }, deployment())).toEqual({
      passed: true,
      message: 'Deployment churn-api exists.',
    });
    const red = run(
      { type: 'exists', kind: 'Deployment', name: 'churn-api' },
      { ...deployment(), metadata: { ...deployment().metadata, namespace: 'default' } },
    );
    expect(red).toEqual({ passed: false, message: 'No Deployment churn-api in namespace churn-mlops.' });
  });

  it('treats cluster-scoped kinds without a namespace', () => {
    expect(run({ type: 'exists', kind: 'Namespace', name: 'churn-mlops' }, namespace()).passed).toBe(true);
    const red = run({ type: 'exists', kind: 'Namespace', name: 'churn-mlops' });
    expect(red).toEqual({ passed: false, message: 'No Namespace churn-mlops.' });
    expect(
      run({ type: 'exists', kind: 'Namespace', name: 'churn-mlops' }, namespace('churn-mlops', true)),
    ).toEqual({
      passed: false,
      message: 'Namespace churn-mlops is being deleted.',
    });
  });

  it('absent passes when gone or being deleted', () => {
    expect(run({ type: 'absent', kind: 'Job', name: 'manual-batch' }).passed).toBe(true);
    expect(run({ type: 'absent', kind: 'Job', name: 'manual-batch' }, job('manual-batch'))).toEqual({
      passed: false,
      message: 'Job manual-batch still exists; expected it gone.',
    });
  });
});

describe('fields', () => {
  const ready = (equals: number) => ({
    type: 'fields',
    kind: 'Deployment',
    name: 'churn-api',
    fields: [{ path: '.status.readyReplicas', as: 'ready replicas', equals, default: 0 }],
  });

  it('says what was expected and what was found', () => {
    expect(run(ready(5), deployment({ replicas: 5, ready: 5 }))).toEqual({
      passed: true,
      message: 'churn-api has 5 ready replicas.',
    });
    expect(run(ready(5), deployment({ replicas: 5, ready: 4 }))).toEqual({
      passed: false,
      message: 'churn-api has 4 ready replicas; expected 5.',
    });
  });

  it('says a value that is not a count, or no value at all, in a sentence', () => {
    const d = deployment({ image: 'churn-labs/churn-api:0.2.0' });
    const field = (as: string, path: string, equals: string) => ({
      type: 'fields',
      kind: 'Deployment',
      name: 'churn-api',
      fields: [{ path, as, equals }],
    });
    expect(
      run(field('image', '.spec.template.spec.containers[0].image', 'churn-labs/churn-api:0.1.0'), d),
    ).toEqual({
      passed: false,
      message: "churn-api's image is churn-labs/churn-api:0.2.0; expected churn-labs/churn-api:0.1.0.",
    });
    expect(run(field('owner CronJob', '.metadata.ownerReferences[0].name', 'churn-batch-score'), d)).toEqual({
      passed: false,
      message: 'churn-api has no owner CronJob; expected churn-batch-score.',
    });
  });

  it('reads a count the API left out as 0', () => {
    const noneReady = deployment({ replicas: 3, ready: 0, available: 0 });
    expect(noneReady.status.readyReplicas).toBeUndefined();
    expect(run(ready(3), noneReady).message).toBe('churn-api has 0 ready replicas; expected 3.');
  });

  it('supports filters, annotations with dots and slashes, regexes, ranges and presence', () => {
    const d = deployment({ image: 'churn-labs/churn-api:0.2.0' });
    const image = (matches: string) => ({
      type: 'fields',
      kind: 'Deployment',
      name: 'churn-api',
      fields: [{ path: '.spec.template.spec.containers[?(@.name=="churn-api")].image', matches }],
    });
    expect(run(image(':0\\.2\\.0$'), d).passed).toBe(true);
    expect(run(image(':0\\.1\\.0$'), d).message).toBe(
      'churn-api: .spec.template.spec.containers[?(@.name=="churn-api")].image is churn-labs/churn-api:0.2.0; expected matching /:0\\.1\\.0$/.',
    );
    const revision = {
      type: 'fields',
      kind: 'Deployment',
      name: 'churn-api',
      fields: [{ path: ".metadata.annotations['deployment.kubernetes.io/revision']", equals: 1 }],
    };
    expect(run(revision, d).passed).toBe(true);
    const range = {
      type: 'fields',
      kind: 'HorizontalPodAutoscaler',
      name: 'churn-api-hpa',
      fields: [{ path: '.status.desiredReplicas', atLeast: 3, atMost: 10 }],
    };
    expect(run(range, hpa(4)).passed).toBe(true);
    expect(run(range, hpa(2)).message).toBe(
      'churn-api-hpa: .status.desiredReplicas is 2; expected between 3 and 10.',
    );
    const absentField = {
      type: 'fields',
      kind: 'CronJob',
      name: 'churn-batch-score',
      fields: [{ path: '.spec.suspend', equals: true }],
    };
    expect(run(absentField, cronJob({ suspend: true })).passed).toBe(true);
    expect(run(absentField, cronJob({ suspend: false })).passed).toBe(false);
    const present = {
      type: 'fields',
      kind: 'Job',
      name: 'j',
      fields: [{ path: '.status.completionTime', present: true }],
    };
    expect(run(present, job('j')).passed).toBe(true);
    expect(run(present, job('j', { state: 'running' })).message).toBe(
      'j: .status.completionTime is none; expected a value.',
    );
  });

  it('matches any of several values a path finds (recursive descent over container states)', () => {
    const oom = {
      type: 'fields',
      kind: 'Pod',
      name: 'memory-hog',
      fields: [{ path: '.status.containerStatuses[*]..terminated.reason', equals: 'OOMKilled' }],
    };
    expect(run(oom, pod('memory-hog', { terminatedReason: 'OOMKilled' })).passed).toBe(true);
    expect(run(oom, pod('memory-hog', { terminatedReason: 'Error' })).passed).toBe(false);
    expect(run(oom, pod('memory-hog')).message).toBe(
      'memory-hog: .status.containerStatuses[*]..terminated.reason is none; expected OOMKilled.',
    );
  });

  it('reports a missing object rather than a missing field', () => {
    expect(run(ready(3))).toEqual({
      passed: false,
      message: 'No Deployment churn-api in namespace churn-mlops.',
    });
  });
});

describe('count since an earlier step passed', () => {
  const event = (name: string, reason: string, at: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'churn-mlops', creationTimestamp: at },
    reason,
    lastTimestamp: at,
    involvedObject: { kind: 'Pod', name: 'churn-api-x' },
  });
  const killing = {
    type: 'count',
    kind: 'Event',
    since: 'mark',
    where: [{ path: '.reason', equals: 'Killing' }],
    as: 'Killing events since step 1 passed',
    expect: { atLeast: 1 },
  };
  const rollout = event('old', 'Killing', '2026-11-24T10:00:00Z');
  const deleted = event('new', 'Killing', '2026-11-24T10:05:03Z');
  const evaluate = (passedAt: Record<string, string>, ...objects: KubeObject[]) =>
    evaluateObjectCheck(objectCheck(killing), new Snapshot('churn-mlops', objects), passedAt);

  it('does not count what happened before the step passed, such as an earlier rollout', () => {
    expect(evaluate({ mark: '2026-11-24T10:05:00.000Z' }, rollout)).toEqual({
      passed: false,
      message: '0 Killing events since step 1 passed; expected at least 1.',
    });
    expect(evaluate({ mark: '2026-11-24T10:05:00.000Z' }, rollout, deleted)).toEqual({
      passed: true,
      message: '1 Killing events since step 1 passed (new).',
    });
  });

  it('counts the second in which the step passed (the API keeps whole seconds)', () => {
    expect(evaluate({ mark: '2026-11-24T10:05:03.900Z' }, deleted).passed).toBe(true);
    expect(evaluate({ mark: '2026-11-24T10:05:04.000Z' }, deleted).passed).toBe(false);
  });

  it('says so while that step has not passed, naming the step by its title', async () => {
    const { exerciseSchema } = await import('../../src/course/schema.js');
    const { judgeExercise } = await import('../../src/course/judge.js');
    const exercise = exerciseSchema.parse({
      id: 'e',
      title: 'e',
      seed: 's',
      intro: 'i',
      steps: [
        {
          id: 'mark',
          title: 'Mark one API pod',
          instructions: 'i',
          checks: [{ ...killing, id: 'a', title: 'a', since: undefined }],
          hints: ['h'],
          solution: ['s'],
        },
        {
          id: 'delete',
          title: 'Delete it',
          instructions: 'i',
          checks: [{ ...killing, id: 'b', title: 'b' }],
          hints: ['h'],
          solution: ['s'],
        },
      ],
    });
    const reading = {
      reachable: true as const,
      snapshot: new Snapshot('churn-mlops', []),
      probes: new Map(),
    };
    expect(judgeExercise(exercise, reading, new Set()).steps[1]!.checks[0]!.message).toBe(
      'This counts only what happens after the step "Mark one API pod" has passed; check that step first.',
    );
  });

  it('must name a step before its own', async () => {
    const { exerciseSchema } = await import('../../src/course/schema.js');
    const step = (stepId: string, since: string) => ({
      id: stepId,
      title: stepId,
      instructions: 'x',
      checks: [{ ...killing, id: 'c', title: 'c', since }],
      hints: ['h'],
      solution: ['true'],
    });
    const parsed = exerciseSchema.safeParse({
      id: 'e',
      title: 'e',
      seed: 'x',
      intro: 'x',
      steps: [step('one', 'two'), step('two', 'two')],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      'since "two" must name a step before "one"',
      'since "two" must name a step before "two"',
    ]);
  });
});

describe('count', () => {
  const pods = [
    pod('churn-api-a'),
    pod('churn-api-b'),
    pod('churn-api-c', { ready: false }),
    pod('churn-api-d', { deleting: true }),
  ];
  const counting = (expect: Record<string, number>, extra: Record<string, unknown> = {}) => ({
    type: 'count',
    kind: 'Pod',
    selector: 'app=churn-api',
    ready: true,
    as: 'ready churn-api pods',
    expect,
    ...extra,
  });

  it('counts ready pods matching a selector, leaving out pods being deleted', () => {
    expect(run(counting({ equals: 2 }), ...pods)).toEqual({
      passed: true,
      message: '2 ready churn-api pods (churn-api-a, churn-api-b).',
    });
    expect(run(counting({ equals: 3 }), ...pods)).toEqual({
      passed: false,
      message: '2 ready churn-api pods (churn-api-a, churn-api-b); expected 3.',
    });
  });

  it('applies set-based selectors and field conditions', () => {
    const batch = pod('batch-1', { labels: { app: 'churn-batch' }, phase: 'Succeeded', ready: false });
    expect(
      run(
        { type: 'count', kind: 'Pod', selector: 'app in (churn-api, churn-batch)', expect: { equals: 5 } },
        ...pods,
        batch,
      ).passed,
    ).toBe(false);
    expect(
      run(
        { type: 'count', kind: 'Pod', selector: 'app in (churn-api, churn-batch)', expect: { equals: 4 } },
        ...pods,
        batch,
      ).passed,
    ).toBe(true);
    expect(
      run({ type: 'count', kind: 'Pod', selector: 'app!=churn-api', expect: { equals: 1 } }, ...pods, batch)
        .passed,
    ).toBe(true);
    const running = counting(
      { atLeast: 3 },
      { ready: false, where: [{ path: '.status.phase', equals: 'Running' }] },
    );
    expect(run(running, ...pods, batch).passed).toBe(true);
    const guaranteed = {
      type: 'count',
      kind: 'Pod',
      where: [{ path: '.status.qosClass', equals: 'Guaranteed' }],
      expect: { atLeast: 1 },
    };
    expect(run(guaranteed, ...pods).passed).toBe(false);
    expect(run(guaranteed, ...pods, pod('g', { qos: 'Guaranteed' })).passed).toBe(true);
  });
});

describe('rolledOut: the kubectl rollout status rule', () => {
  const rolled = (d: KubeObject) => rolloutStatus(d);

  it('passes only when observed, updated, no old replicas and all available', () => {
    expect(rolled(deployment())).toEqual({
      passed: true,
      message: 'deployment "churn-api" successfully rolled out (3 available replicas).',
    });
    expect(rolled(deployment({ generation: 2, observedGeneration: 1 })).message).toBe(
      'Waiting for deployment "churn-api" spec update to be observed.',
    );
    expect(rolled(deployment({ updated: 1 })).message).toBe(
      'Waiting for deployment "churn-api" rollout to finish: 1 out of 3 new replicas have been updated.',
    );
    expect(rolled(deployment({ total: 4 })).message).toBe(
      'Waiting for deployment "churn-api" rollout to finish: 1 old replicas are pending termination.',
    );
    expect(rolled(deployment({ available: 2 })).message).toBe(
      'Waiting for deployment "churn-api" rollout to finish: 2 of 3 updated replicas are available.',
    );
    expect(rolled(deployment({ progressDeadlineExceeded: true })).message).toBe(
      'deployment "churn-api" exceeded its progress deadline.',
    );
  });

  it('counts a missing updatedReplicas as 0', () => {
    const d = deployment({ updated: 0 });
    expect(d.status.updatedReplicas).toBeUndefined();
    expect(run({ type: 'rolledOut', deployment: 'churn-api' }, d).passed).toBe(false);
  });
});

describe('jobComplete', () => {
  const fromCron = {
    type: 'jobComplete',
    name: 'manual-batch',
    fromCronJob: 'churn-batch-score',
    manual: true,
  };

  it('passes for a completed Job created by hand from the CronJob', () => {
    expect(run(fromCron, cronJob(), job('manual-batch'))).toEqual({
      passed: true,
      message: 'Job manual-batch completed (1 succeeded pod).',
    });
  });

  it('finds conditions by type, not by position', () => {
    const reordered = job('manual-batch');
    reordered.status.conditions.reverse();
    expect(run(fromCron, cronJob(), reordered).passed).toBe(true);
  });

  it('does not count a Job that was not created from the CronJob', () => {
    expect(run(fromCron, cronJob(), job('manual-batch', { from: 'none' })).message).toBe(
      'Job manual-batch was not created from CronJob churn-batch-score (it has no owner reference to it); create it with kubectl create job --from=cronjob/churn-batch-score.',
    );
    // An owner reference to a CronJob of the same name that was since recreated (another uid) does not count either.
    expect(run(fromCron, cronJob(), job('manual-batch', { ownerUid: 'an-older-cronjob' })).passed).toBe(
      false,
    );
    expect(CRONJOB_UID).not.toBe('an-older-cronjob');
  });

  it('does not count a run of the schedule when a manual run is asked for', () => {
    expect(run(fromCron, cronJob(), job('manual-batch', { from: 'schedule' })).message).toMatch(
      /started by the CronJob's schedule/,
    );
    expect(
      run(
        { type: 'jobComplete', fromCronJob: 'churn-batch-score' },
        cronJob(),
        job('churn-batch-score-29345678', { from: 'schedule' }),
      ).passed,
    ).toBe(true);
  });

  it('says running and failed apart', () => {
    expect(run(fromCron, cronJob(), job('manual-batch', { state: 'running' })).message).toBe(
      'Job manual-batch is still running: 0 of 1 completions, 1 active.',
    );
    expect(run(fromCron, cronJob(), job('manual-batch', { state: 'failed' })).message).toBe(
      'Job manual-batch failed (BackoffLimitExceeded: Job has reached the specified backoff limit).',
    );
    expect(run(fromCron, cronJob())).toEqual({
      passed: false,
      message: 'No Job manual-batch in namespace churn-mlops.',
    });
  });
});

describe('rolloutHistory', () => {
  const rollback = {
    type: 'rolloutHistory',
    deployment: 'churn-api',
    container: 'churn-api',
    current: 'churn-labs/churn-api:0.1.0',
    earlier: ['churn-labs/churn-api:0.2.0'],
  };

  it('passes after update then undo: 0.1.0 re-adopted at a newer revision than 0.2.0', () => {
    expect(
      run(
        rollback,
        deployment(),
        replicaSet(3, 'churn-labs/churn-api:0.1.0', { replicas: 3 }),
        replicaSet(2, 'churn-labs/churn-api:0.2.0'),
      ),
    ).toEqual({
      passed: true,
      message: 'Rollout history of churn-api: 2: churn-labs/churn-api:0.2.0, 3: churn-labs/churn-api:0.1.0.',
    });
  });

  it('an image never updated is not a rollback', () => {
    expect(
      run(rollback, deployment(), replicaSet(1, 'churn-labs/churn-api:0.1.0', { replicas: 3 })).message,
    ).toBe(
      'No revision of churn-api before revision 1 ran churn-labs/churn-api:0.2.0 (history: 1: churn-labs/churn-api:0.1.0).',
    );
  });

  it('an update without the undo is not a rollback', () => {
    expect(
      run(
        rollback,
        deployment(),
        replicaSet(1, 'churn-labs/churn-api:0.1.0'),
        replicaSet(2, 'churn-labs/churn-api:0.2.0', { replicas: 3 }),
      ).message,
    ).toBe(
      'Deployment churn-api runs churn-labs/churn-api:0.2.0 at revision 2; expected churn-labs/churn-api:0.1.0 (history: 1: churn-labs/churn-api:0.1.0, 2: churn-labs/churn-api:0.2.0).',
    );
  });

  it('after a typo rolled out on the way, names the revision to go back to, which a plain undo misses', () => {
    expect(
      run(
        rollback,
        deployment(),
        replicaSet(1, 'churn-labs/churn-api:0.1.0'),
        replicaSet(3, 'churn-labs/churn-api:0.2.0'),
        replicaSet(4, 'churn-labs/churn-api:0.2.O', { replicas: 3 }),
      ).message,
    ).toBe(
      'Deployment churn-api runs churn-labs/churn-api:0.2.O at revision 4; expected churn-labs/churn-api:0.1.0 (history: 1: churn-labs/churn-api:0.1.0, 3: churn-labs/churn-api:0.2.0, 4: churn-labs/churn-api:0.2.O). Revision 1 runs it: `kubectl rollout undo deployment/churn-api -n churn-mlops --to-revision=1` goes back to it (a plain undo goes back one revision only, to churn-labs/churn-api:0.2.0).',
    );
  });

  it('ignores ReplicaSets of other owners and counts revisions', () => {
    const foreign = {
      ...replicaSet(7, 'churn-labs/churn-api:0.2.0'),
      metadata: {
        ...replicaSet(7, 'x').metadata,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other', uid: 'other' }],
      },
    };
    expect(run(rollback, deployment(), replicaSet(1, 'churn-labs/churn-api:0.1.0'), foreign).passed).toBe(
      false,
    );
    expect(
      run(
        { type: 'rolloutHistory', deployment: 'churn-api', minRevisions: 2 },
        deployment(),
        replicaSet(1, 'a'),
      ).message,
    ).toBe('Deployment churn-api has 1 revision (1: a); expected at least 2.');
  });
});

describe('endpoints', () => {
  it('counts ready and not-ready endpoints (an unset ready condition counts as ready)', () => {
    const slice = endpointSlice([
      { ip: '10.244.0.5', ready: true },
      { ip: '10.244.0.6', ready: false },
      { ip: '10.244.0.7' },
    ]);
    expect(
      run({ type: 'endpoints', service: 'churn-api', ready: { equals: 2 }, notReady: { equals: 1 } }, slice),
    ).toEqual({
      passed: true,
      message: 'Service churn-api has 2 ready endpoints, 1 not ready.',
    });
    expect(
      run({ type: 'endpoints', service: 'churn-api', ready: { equals: 2 }, notReady: { equals: 0 } }, slice)
        .message,
    ).toBe('Service churn-api has 2 ready endpoints, 1 endpoint not ready; expected 0.');
    expect(run({ type: 'endpoints', service: 'churn-api', ready: { equals: 3 } }, slice)).toEqual({
      passed: false,
      message: 'Service churn-api has 2 ready endpoints; expected 3.',
    });
  });

  it('says when there is no EndpointSlice at all', () => {
    expect(
      run(
        { type: 'endpoints', service: 'churn-api', ready: { atLeast: 1 } },
        endpointSlice([{ ip: '1.1.1.1' }], 'other'),
      ).message,
    ).toBe('Service churn-api has no endpoints (no EndpointSlice); expected at least 1 ready.');
  });
});

describe('probe checks', () => {
  const probeCheck = (spec: Record<string, unknown>) => check(spec) as ProbeCheck;
  const judge = (spec: Record<string, unknown>, probe: Probe) => evaluateProbeCheck(probeCheck(spec), probe);

  it('http: status, body and JSON fields, with what came back', () => {
    const health = {
      type: 'http',
      service: 'churn-api',
      port: 8000,
      path: '/health',
      expect: { status: 200, json: [{ path: '.version', equals: '0.1.0' }] },
    };
    expect(
      judge(health, {
        type: 'http',
        status: 200,
        body: '{"status":"ok","version":"0.1.0","model_version":"baseline_20261124"}',
      }).passed,
    ).toBe(true);
    expect(
      judge(health, { type: 'http', status: 200, body: '{"status":"ok","version":"0.2.0"}' }).message,
    ).toBe('GET /health on Service churn-api answered .version = 0.2.0; expected 0.1.0.');
    expect(
      judge(health, {
        type: 'http',
        status: 503,
        body: 'no endpoints available for service "churn-api"',
        error: 'x',
      }).message,
    ).toBe(
      'GET /health on Service churn-api answered 503 (no endpoints available for service "churn-api"); expected 200.',
    );
    expect(judge(health, { type: 'http', body: '', error: 'The cluster is not reachable' }).message).toBe(
      'GET /health on Service churn-api got no answer: The cluster is not reachable.',
    );
    expect(
      judge(
        { ...health, expect: { json: [{ path: '.version', equals: '0.1.0' }] } },
        { type: 'http', status: 200, body: 'not json' },
      ).message,
    ).toMatch(/not JSON/);
  });

  it('metric: sums a counter across pods, so the learner’s own request is the proof', () => {
    const predict = {
      type: 'metric',
      selector: 'app=churn-api',
      port: 8000,
      metric: 'api_requests_total',
      labels: { endpoint: '/predict', method: 'POST', status: '200' },
      as: 'successful POST /predict requests',
      expect: { atLeast: 1 },
    };
    const page = (n: number) =>
      `# HELP api_requests_total Total API requests\n# TYPE api_requests_total counter\napi_requests_total{method="GET",endpoint="/ready",status="200"} 40\n${n ? `api_requests_total{method="POST",endpoint="/predict",status="200"} ${n}\n` : ''}api_requests_total{method="POST",endpoint="/predict",status="422"} 2\n`;
    expect(
      judge(predict, {
        type: 'metric',
        pods: [
          { name: 'a', text: page(0) },
          { name: 'b', text: page(0) },
        ],
      }),
    ).toEqual({
      passed: false,
      message: 'successful POST /predict requests: 0 across 2 pods; expected at least 1.',
    });
    expect(
      judge(predict, {
        type: 'metric',
        pods: [
          { name: 'a', text: page(0) },
          { name: 'b', text: page(1) },
        ],
      }).passed,
    ).toBe(true);
    expect(judge(predict, { type: 'metric', pods: [] }).message).toBe(
      'No running pod with app=churn-api to read /metrics from.',
    );
  });

  it('logs: a pattern in the logs, or the last line when it is not there', () => {
    const logs = { type: 'logs', target: 'job/manual-batch', pattern: 'Batch scoring complete' };
    expect(
      judge(logs, {
        type: 'logs',
        text: 'Starting batch scoring...\nWrote 5000 predictions\nBatch scoring complete!\n',
      }).passed,
    ).toBe(true);
    expect(
      judge(logs, {
        type: 'logs',
        text: 'Starting batch scoring...\nno production model: run seed-model first\n',
      }).message,
    ).toBe(
      'The logs of job/manual-batch do not contain /Batch scoring complete/ (last line: no production model: run seed-model first).',
    );
    expect(judge(logs, { type: 'logs', error: 'pods "x" not found' }).message).toBe(
      'Could not read the logs of job/manual-batch: pods "x" not found.',
    );
  });

  it('file: a file name in a directory of the pod', () => {
    const file = {
      type: 'file',
      target: 'deployment/churn-api',
      directory: '/app/data/predictions',
      pattern: '^predictions_.*\\.csv$',
    };
    expect(judge(file, { type: 'file', names: ['predictions_20261124-100200.csv'] }).passed).toBe(true);
    expect(judge(file, { type: 'file', names: [] }).message).toBe(
      'No file matching /^predictions_.*\\.csv$/ in /app/data/predictions of deployment/churn-api (it is empty).',
    );
    expect(judge(file, { type: 'file', names: ['notes.txt'] }).passed).toBe(false);
  });

  it('a probe that was not run is a failure, not a pass', () => {
    expect(
      evaluateProbeCheck(probeCheck({ type: 'logs', target: 'x', pattern: 'y' }), undefined).passed,
    ).toBe(false);
  });
});

describe('judging an exercise', () => {
  it('counts steps in order: a later step whose checks pass waits for the earlier ones', async () => {
    const { judgeExercise } = await import('../../src/course/judge.js');
    const { exerciseSchema } = await import('../../src/course/schema.js');
    const step = (id: string, replicas: number) => ({
      id,
      title: id,
      instructions: 'x',
      checks: [
        {
          id: 'c',
          title: 'c',
          type: 'fields',
          kind: 'Deployment',
          name: 'churn-api',
          fields: [{ path: '.status.readyReplicas', equals: replicas }],
        },
      ],
      hints: ['h'],
      solution: ['true'],
    });
    const exercise = exerciseSchema.parse({
      id: 'e',
      title: 'e',
      seed: 's',
      intro: 'i',
      steps: [step('down', 2), step('up', 3)],
    });
    const reading = (d: KubeObject) => ({
      reachable: true as const,
      snapshot: new Snapshot('churn-mlops', [d]),
      probes: new Map(),
    });
    const atStart = judgeExercise(exercise, reading(deployment({ ready: 3 })), new Set());
    expect(atStart.steps.map((s) => [s.passed, s.waiting ?? false])).toEqual([
      [false, false],
      [false, true],
    ]);
    expect(atStart.passed).toBe(false);
    const afterFirst = judgeExercise(exercise, reading(deployment({ ready: 3 })), new Set(['down']));
    expect(afterFirst.passed).toBe(true);
    expect(afterFirst.steps[0]!.recorded).toBe(true);
    const unreachable = judgeExercise(
      exercise,
      { reachable: false, reason: 'The cluster is not reachable.' },
      new Set(),
    );
    expect(unreachable).toEqual({
      exercise: 'e',
      passed: false,
      steps: [],
      error: 'The cluster is not reachable.',
    });
  });
});
