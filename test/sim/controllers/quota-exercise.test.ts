import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/main.js';
import { simKubectl } from './helpers.js';

/**
 * Exercise 1's manifests, as a classroom learner applies them, in a namespace that holds a
 * ResourceQuota and a LimitRange: the workload runs under them, and the quota counts it. Needs the
 * workload bundle `npm run build` makes (the API and the seed Job run for real).
 */
const WORKLOAD = join(process.cwd(), 'dist', 'churn-mlops.js');
const MANIFESTS = join(process.cwd(), 'manifests');
const NS = 'churn-mlops';

const QUOTA = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: churn-labs-quota
spec:
  hard:
    pods: "20"
    requests.cpu: "4"
    requests.memory: 6Gi
    limits.cpu: "8"
    limits.memory: 12Gi
    persistentvolumeclaims: "2"
    requests.storage: 20Gi
    services: "5"
    configmaps: "10"
    secrets: "10"
    count/deployments.apps: "5"
    count/jobs.batch: "10"
    count/cronjobs.batch: "5"
---
apiVersion: v1
kind: LimitRange
metadata:
  name: churn-labs-limits
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 512Mi}
      defaultRequest: {cpu: 100m, memory: 128Mi}
      max: {cpu: "2", memory: 4Gi}
`;

let home: string;
let sim: Simulator;

const run = simKubectl(() => ({ kubeconfig: sim.kubeconfig, context: sim.context, home }), 180_000);
const kubectl = (args: string[], input?: string) => run(args, input ?? '');

describe.skipIf(!existsSync(WORKLOAD))('Exercise 1 under a learner quota and limit range', () => {
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'churn-labs-quota-exercise-'));
    sim = await startSimulator({ home });
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('deploys, settles and is counted', async () => {
    expect((await kubectl(['apply', '-f', join(MANIFESTS, 'namespace.yaml')])).code).toBe(0);
    const limits = await kubectl(['apply', '-n', NS, '-f', '-'], QUOTA);
    expect(limits.out).toBe('resourcequota/churn-labs-quota created\nlimitrange/churn-labs-limits created');
    // Admission counts against status.hard, which the quota controller fills in.
    expect(
      (await kubectl(['wait', '--for=jsonpath={.status.hard.pods}=20', 'quota/churn-labs-quota', '-n', NS]))
        .code,
    ).toBe(0);

    const files = readdirSync(MANIFESTS)
      .filter((f) => f.endsWith('.yaml') && f !== 'namespace.yaml')
      .flatMap((f) => ['-f', join(MANIFESTS, f)]);
    const applied = await kubectl(['apply', '-n', NS, ...files]);
    expect(applied.err).toBe('');
    expect(
      (
        await kubectl([
          'wait',
          '--for=condition=complete',
          'job/churn-seed-model',
          '-n',
          NS,
          '--timeout=120s',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await kubectl(['rollout', 'status', 'deployment/churn-api', '-n', NS, '--timeout=120s'])).code,
    ).toBe(0);

    // Three API pods charged (the seed Job's pod finished and was released), the claim and its storage.
    let used = '';
    for (let i = 0; i < 100; i++) {
      used = (await kubectl(['get', 'quota', 'churn-labs-quota', '-n', NS, '-o', 'jsonpath={.status.used}']))
        .out;
      const u = JSON.parse(used || '{}');
      if (u.pods === '3' && u['requests.cpu'] === '1500m') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(JSON.parse(used)).toMatchObject({
      pods: '3',
      'requests.cpu': '1500m',
      'requests.memory': '1536Mi',
      'limits.cpu': '3',
      'limits.memory': '3Gi',
      persistentvolumeclaims: '1',
      'requests.storage': '10Gi',
      services: '1',
      'count/deployments.apps': '1',
      'count/cronjobs.batch': '3',
      'count/jobs.batch': '1',
    });
    const events = await kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      'reason=FailedCreate',
      '-o',
      'name',
    ]);
    expect(events.out).toBe('');
  }, 300_000);
});
