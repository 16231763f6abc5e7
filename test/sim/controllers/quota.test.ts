import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/main.js';
import { simKubectl } from './helpers.js';

/**
 * ResourceQuota and LimitRange on the simulated cluster, through the real kubectl: LimitRanger's
 * defaults and refusals, quota admission's refusals with the API server's words, the quota
 * controller's status.used, and a ReplicaSet or a Job whose pods the quota refuses.
 */
let home: string;
let sim: Simulator;

const run = simKubectl(() => ({ kubeconfig: sim.kubeconfig, context: sim.context, home }), 60_000);
const kubectl = (args: string[], input?: string) => run(args, input ?? '');

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const jsonpath = async (args: string[], path: string) =>
  (await kubectl([...args, '-o', `jsonpath=${path}`])).out;

async function namespace(name: string) {
  expect((await kubectl(['create', 'namespace', name])).code).toBe(0);
  return name;
}

/** A quota whose status the controller has filled in (admission counts against status.hard). */
async function applyQuota(ns: string, hard: Record<string, string>, name = 'churn-labs-quota') {
  const lines = Object.entries(hard).map(([k, v]) => `    ${k}: "${v}"`);
  const manifest = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: ${name}
spec:
  hard:
${lines.join('\n')}
`;
  const applied = await kubectl(['apply', '-n', ns, '-f', '-'], manifest);
  expect(applied.err).toBe('');
  await until('the quota status', async () => {
    const status = await jsonpath(['get', 'quota', name, '-n', ns], '{.status.hard}');
    const wanted = Object.keys(hard).every((k) => status.includes(`"${k}"`));
    return wanted && Object.entries(hard).every(([k, v]) => JSON.parse(status || '{}')[k] === v);
  });
}

const pod = (name: string, resources: string, image = 'nginx:1.27') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
    - name: churn-api
      image: ${image}
${resources}`;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'churn-labs-quota-'));
  sim = await startSimulator({ home });
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('ResourceQuota', () => {
  it('is served with its short name, printed with REQUEST and LIMIT columns, and counts what is used', async () => {
    const ns = await namespace('quota-columns');
    await applyQuota(ns, { 'requests.cpu': '2', 'requests.memory': '1Gi', 'limits.cpu': '4', pods: '10' });
    const created = await kubectl(
      ['apply', '-n', ns, '-f', '-'],
      pod(
        'a',
        '      resources:\n        requests: {cpu: 500m, memory: 256Mi}\n        limits: {cpu: "1", memory: 256Mi}\n',
      ),
    );
    expect(created.out).toBe('pod/a created');
    await until(
      'used to count the pod',
      async () =>
        (await jsonpath(['get', 'quota', 'churn-labs-quota', '-n', ns], '{.status.used.requests\\.cpu}')) ===
        '500m',
    );
    const table = await kubectl(['get', 'quota', '-n', ns]);
    const [header, row] = table.out.split('\n');
    expect(header).toMatch(/^NAME\s+AGE\s+REQUEST\s+LIMIT$/);
    expect(row).toMatch(
      /^churn-labs-quota\s+\d+s\s+pods: 1\/10, requests\.cpu: 500m\/2, requests\.memory: 256Mi\/1Gi\s+limits\.cpu: 1\/4$/,
    );
    const described = await kubectl(['describe', 'quota', 'churn-labs-quota', '-n', ns]);
    expect(described.out).toMatch(/requests\.cpu\s+500m\s+2/);
    expect(described.out).toMatch(/requests\.memory\s+256Mi\s+1Gi/);

    expect((await kubectl(['delete', 'pod', 'a', '-n', ns, '--wait=true'])).code).toBe(0);
    await until(
      'used to drop after the delete',
      async () =>
        (await jsonpath(['get', 'quota', 'churn-labs-quota', '-n', ns], '{.status.used.requests\\.cpu}')) ===
        '0',
    );
    expect(await jsonpath(['get', 'quota', 'churn-labs-quota', '-n', ns], '{.status.used.pods}')).toBe('0');
  }, 90_000);

  it('refuses a pod that would exceed the quota, with the API server message', async () => {
    const ns = await namespace('quota-exceeded');
    await applyQuota(ns, {
      'requests.cpu': '2',
      'requests.memory': '2Gi',
      'limits.cpu': '4',
      'limits.memory': '4Gi',
    });
    const res = (cpu: string) =>
      `      resources:\n        requests: {cpu: ${cpu}, memory: 128Mi}\n        limits: {cpu: ${cpu}, memory: 128Mi}\n`;
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], pod('small', res('500m')))).code).toBe(0);
    const refused = await kubectl(['apply', '-n', ns, '-f', '-'], pod('big', res('2')));
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: exceeded quota: churn-labs-quota, requested: requests.cpu=2, used: requests.cpu=500m, limited: requests.cpu=2',
    );
  }, 60_000);

  it('refuses a pod that does not state the requests and limits the quota counts', async () => {
    const ns = await namespace('quota-must-specify');
    await applyQuota(ns, { 'requests.cpu': '2', 'limits.cpu': '2', 'limits.memory': '1Gi' });
    const refused = await kubectl(['apply', '-n', ns, '-f', '-'], pod('bare', ''));
    expect(refused.err).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "bare" is forbidden: failed quota: churn-labs-quota: must specify limits.cpu for: churn-api; limits.memory for: churn-api; requests.cpu for: churn-api',
    );
  }, 60_000);

  it('counts services, configmaps and object counts of other kinds', async () => {
    const ns = await namespace('quota-counts');
    await applyQuota(ns, { configmaps: '1', services: '1', 'count/deployments.apps': '0' });
    expect((await kubectl(['create', 'configmap', 'one', '-n', ns])).code).toBe(0);
    await until(
      'the configmap counted',
      async () =>
        (await jsonpath(['get', 'quota', 'churn-labs-quota', '-n', ns], '{.status.used.configmaps}')) === '1',
    );
    const second = await kubectl(['create', 'configmap', 'two', '-n', ns]);
    expect(second.err).toBe(
      'error: failed to create configmap: configmaps "two" is forbidden: exceeded quota: churn-labs-quota, requested: configmaps=1, used: configmaps=1, limited: configmaps=1',
    );
    expect((await kubectl(['create', 'service', 'clusterip', 'a', '--tcp=80:80', '-n', ns])).code).toBe(0);
    const deployment = await kubectl(['create', 'deployment', 'web', '--image=nginx', '-n', ns]);
    expect(deployment.err).toBe(
      'error: failed to create deployment: deployments.apps "web" is forbidden: exceeded quota: churn-labs-quota, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0',
    );
  }, 60_000);

  it('makes FailedCreate events of a ReplicaSet whose pods exceed the quota, and recovers when it is raised', async () => {
    const ns = await namespace('quota-replicaset');
    await applyQuota(ns, { pods: '2' });
    const created = await kubectl([
      'create',
      'deployment',
      'web',
      '--image=nginx:1.27',
      '--replicas=3',
      '-n',
      ns,
    ]);
    expect(created.code).toBe(0);
    const event = await until('a FailedCreate event', async () => {
      const out = await jsonpath(
        ['get', 'events', '-n', ns, '--field-selector', 'reason=FailedCreate'],
        '{range .items[*]}{.involvedObject.kind} {.type} {.message}{"\\n"}{end}',
      );
      return out.split('\n').find((line) => line.startsWith('ReplicaSet'));
    });
    expect(event).toMatch(
      /^ReplicaSet Warning Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: churn-labs-quota, requested: pods=1, used: pods=2, limited: pods=2$/,
    );
    const condition = await until('the Deployment to show ReplicaFailure', async () =>
      jsonpath(
        ['get', 'deployment', 'web', '-n', ns],
        '{.status.conditions[?(@.type=="ReplicaFailure")].reason}',
      ),
    );
    expect(condition).toBe('FailedCreate');
    expect(await jsonpath(['get', 'deployment', 'web', '-n', ns], '{.status.replicas}')).toBe('2');

    await applyQuota(ns, { pods: '3' });
    await until(
      'the third pod',
      async () => (await jsonpath(['get', 'deployment', 'web', '-n', ns], '{.status.replicas}')) === '3',
    );
    await until(
      'ReplicaFailure to clear',
      async () => (await jsonpath(['get', 'replicaset', '-n', ns], '{.items[0].status.conditions}')) === '',
    );
  }, 90_000);

  it('counts only the pods its scopes select (BestEffort)', async () => {
    const ns = await namespace('quota-scopes');
    const manifest = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: best-effort
spec:
  hard: {pods: "1"}
  scopes: [BestEffort]
`;
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], manifest)).code).toBe(0);
    await until(
      'the quota status',
      async () => (await jsonpath(['get', 'quota', 'best-effort', '-n', ns], '{.status.used.pods}')) === '0',
    );
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], pod('first', ''))).code).toBe(0);
    const second = await kubectl(['apply', '-n', ns, '-f', '-'], pod('second', ''));
    expect(second.err).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "second" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, limited: pods=1',
    );
    const burstable = pod('burstable', '      resources:\n        requests: {cpu: 100m}\n');
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], burstable)).code).toBe(0);
    expect(await jsonpath(['get', 'quota', 'best-effort', '-n', ns], '{.status.used.pods}')).toBe('1');

    const invalid = manifest
      .replace('name: best-effort', 'name: bad')
      .replace('{pods: "1"}', '{requests.cpu: "1"}');
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], invalid)).err).toContain(
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
    );
  }, 60_000);

  it('counts claims and their storage', async () => {
    const ns = await namespace('quota-storage');
    await applyQuota(ns, { 'requests.storage': '5Gi', persistentvolumeclaims: '2' });
    const claim = (name: string, size: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: ${size}}
`;
    const refused = await kubectl(['apply', '-n', ns, '-f', '-'], claim('big', '10Gi'));
    expect(refused.err).toBe(
      'Error from server (Forbidden): error when creating "STDIN": persistentvolumeclaims "big" is forbidden: exceeded quota: churn-labs-quota, requested: requests.storage=10Gi, used: requests.storage=0, limited: requests.storage=5Gi',
    );
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], claim('small', '1Gi'))).code).toBe(0);
    await until(
      'the claim counted',
      async () =>
        (await jsonpath(
          ['get', 'quota', 'churn-labs-quota', '-n', ns],
          '{.status.used.requests\\.storage}',
        )) === '1Gi',
    );
  }, 60_000);

  it('releases the pods of a finished Job', async () => {
    const ns = await namespace('quota-job');
    await applyQuota(ns, { pods: '1', 'count/jobs.batch': '2' });
    const job = await kubectl(['create', 'job', 'once', '--image=busybox', '-n', ns, '--', 'echo', 'done']);
    expect(job.code).toBe(0);
    expect(
      (await kubectl(['wait', '--for=condition=complete', 'job/once', '-n', ns, '--timeout=30s'])).code,
    ).toBe(0);
    await until(
      'the finished pod released',
      async () =>
        (await jsonpath(['get', 'quota', 'churn-labs-quota', '-n', ns], '{.status.used.pods}')) === '0',
    );
    expect(
      await jsonpath(['get', 'quota', 'churn-labs-quota', '-n', ns], '{.status.used.count/jobs\\.batch}'),
    ).toBe('1');
    const second = await kubectl([
      'create',
      'job',
      'twice',
      '--image=busybox',
      '-n',
      ns,
      '--',
      'echo',
      'done',
    ]);
    expect(second.code).toBe(0);
    expect(
      (await kubectl(['wait', '--for=condition=complete', 'job/twice', '-n', ns, '--timeout=30s'])).code,
    ).toBe(0);
  }, 90_000);
});

const limitRange = `apiVersion: v1
kind: LimitRange
metadata:
  name: churn-labs-limits
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 256Mi}
      defaultRequest: {cpu: 100m, memory: 128Mi}
      max: {cpu: "1", memory: 1Gi}
`;

describe('LimitRange', () => {
  it('fills in the default requests and limits of containers that lack them, and says so', async () => {
    const ns = await namespace('limits-defaults');
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], limitRange)).out).toBe(
      'limitrange/churn-labs-limits created',
    );
    const partial = '      resources:\n        requests: {cpu: 200m}\n';
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], pod('filled', partial))).code).toBe(0);
    const resources = JSON.parse(
      await jsonpath(['get', 'pod', 'filled', '-n', ns], '{.spec.containers[0].resources}'),
    );
    expect(resources).toEqual({
      requests: { cpu: '200m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    expect(
      await jsonpath(
        ['get', 'pod', 'filled', '-n', ns],
        "{.metadata.annotations['kubernetes\\.io/limit-ranger']}",
      ),
    ).toBe(
      'LimitRanger plugin set: memory request for container churn-api; cpu, memory limit for container churn-api',
    );
    expect(await jsonpath(['get', 'pod', 'filled', '-n', ns], '{.status.qosClass}')).toBe('Burstable');

    const table = await kubectl(['get', 'limits', '-n', ns]);
    expect(table.out).toMatch(/^NAME\s+CREATED AT\nchurn-labs-limits\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const described = await kubectl(['describe', 'limits', 'churn-labs-limits', '-n', ns]);
    expect(described.out).toMatch(/Container\s+cpu\s+-\s+1\s+100m\s+500m\s+-/);
    expect(described.out).toMatch(/Container\s+memory\s+-\s+1Gi\s+128Mi\s+256Mi\s+-/);
  }, 60_000);

  it('refuses a container above the maximum, with the limit ranger message', async () => {
    const ns = await namespace('limits-max');
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], limitRange)).code).toBe(0);
    const refused = await kubectl(
      ['apply', '-n', ns, '-f', '-'],
      pod('greedy', '      resources:\n        limits: {cpu: "2"}\n'),
    );
    expect(refused.err).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "greedy" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );
  }, 60_000);

  it('limits a whole pod too (type Pod), summing its containers', async () => {
    const ns = await namespace('limits-pod');
    const perPod = `apiVersion: v1
kind: LimitRange
metadata:
  name: per-pod
spec:
  limits:
    - type: Pod
      max: {memory: 1Gi}
`;
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], perPod)).code).toBe(0);
    const two = `apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
    - {name: a, image: nginx, resources: {limits: {memory: 768Mi}}}
    - {name: b, image: nginx, resources: {limits: {memory: 768Mi}}}
`;
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], two)).err).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "two" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1536Mi',
    );
  }, 60_000);

  it('makes FailedCreate events of a Job whose pods the limit range refuses', async () => {
    const ns = await namespace('limits-job');
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], limitRange)).code).toBe(0);
    const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: greedy
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: work
          image: busybox
          command: [echo, hi]
          resources:
            limits: {memory: 2Gi}
`;
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], job)).code).toBe(0);
    const event = await until('a FailedCreate event on the Job', async () =>
      jsonpath(
        ['get', 'events', '-n', ns, '--field-selector', 'reason=FailedCreate,involvedObject.kind=Job'],
        '{.items[0].message}',
      ),
    );
    expect(event).toMatch(
      /^Error creating: pods "greedy-[a-z0-9]{5}" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi$/,
    );
  }, 60_000);

  it('makes FailedCreate events of a StatefulSet and a DaemonSet whose pods it refuses', async () => {
    const ns = await namespace('limits-sets');
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], limitRange)).code).toBe(0);
    const template = `  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            limits: {cpu: "3"}
`;
    const sets = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
${template}---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: web
spec:
${template}`;
    expect((await kubectl(['apply', '-n', ns, '-f', '-'], sets)).code).toBe(0);
    const messages = await until('FailedCreate events on both', async () => {
      const out = await jsonpath(
        ['get', 'events', '-n', ns, '--field-selector', 'reason=FailedCreate'],
        '{range .items[*]}{.involvedObject.kind}: {.message}{"\\n"}{end}',
      );
      const lines = out.split('\n');
      const daemon = lines.find((line) => line.startsWith('DaemonSet: '));
      const stateful = lines.find((line) => line.startsWith('StatefulSet: '));
      return daemon && stateful && [daemon, stateful];
    });
    expect(messages[0]).toMatch(
      /^DaemonSet: Error creating: pods "web-[a-z0-9]{5}" is forbidden: maximum cpu usage per Container is 1, but limit is 3$/,
    );
    expect(messages[1]).toBe(
      'StatefulSet: create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: maximum cpu usage per Container is 1, but limit is 3',
    );
  }, 60_000);

  it('validates a LimitRange and a ResourceQuota as the API server does', async () => {
    const ns = await namespace('limits-invalid');
    const bad = `apiVersion: v1
kind: LimitRange
metadata:
  name: bad
spec:
  limits:
    - type: Container
      min: {cpu: "2"}
      max: {cpu: "1"}
`;
    const refused = await kubectl(['apply', '-n', ns, '-f', '-'], bad);
    expect(refused.err).toContain(
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
    );
    const quota = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: bad
spec:
  hard: {pods: "-1", widgets: "1"}
`;
    const invalid = await kubectl(['apply', '-n', ns, '-f', '-'], quota);
    expect(invalid.err).toContain('spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0');
    expect(invalid.err).toContain(
      'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota',
    );
  }, 60_000);
});
