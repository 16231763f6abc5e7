import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExerciseResult } from '../../src/course/judge.js';
import { attempt, checkUntil, forget, shell, summary, verdict } from '../labs/helpers.js';
import { type CourseSim, runLogged, startCourseSim } from './course-sim.js';

/**
 * On the simulated cluster with the real kubectl: what the checks say after a learner's typical
 * wrong moves (an image tag that does not exist, a second HPA on churn-api), and the solutions
 * that must work from the state a later exercise leaves.
 */
let course: CourseSim;
const lab = () => course.lab;

beforeAll(async () => {
  course = await startCourseSim('churn-labs-solutions-');
}, 60_000);

afterAll(async () => {
  await course?.stop();
}, 60_000);

async function solved(id: string, seconds = 150): Promise<ExerciseResult> {
  const run = await runLogged(lab(), id);
  expect(run.ok, run.log).toBe(true);
  return checkUntil(lab(), id, (r) => r.passed, seconds);
}

describe('solutions and messages on the simulated cluster', () => {
  it('deploy-system: the reference solution brings the system up', async () => {
    const result = await solved('deploy-system');
    expect(result.passed, summary(result)).toBe(true);
  }, 240_000);

  it('rolling-update: a tag that does not exist is named, with the pod and ImagePullBackOff; the solution still rolls out and back', async () => {
    await shell(
      lab(),
      'kubectl set image deployment/churn-api churn-api=churn-labs/churn-api:0.2 -n churn-mlops',
    );
    const said = (r: ExerciseResult) =>
      /cannot pull image churn-labs\/churn-api:0\.2 for container churn-api \((ErrImagePull|ImagePullBackOff)/.test(
        verdict(r, 'update', 'new-replicaset').message,
      );
    const stuck = await checkUntil(lab(), 'rolling-update', said, 60);
    expect(verdict(stuck, 'update', 'new-replicaset').message).toMatch(
      /^0 ReplicaSets of churn-api running churn-labs\/churn-api:0\.2\.0; expected at least 1\. Found: pod churn-api-[a-z0-9]+-[a-z0-9]+ cannot pull image churn-labs\/churn-api:0\.2 for container churn-api \((ErrImagePull|ImagePullBackOff)/,
    );
    expect(verdict(stuck, 'watch', 'rolled-out').message).toMatch(
      /cannot pull image churn-labs\/churn-api:0\.2/,
    );
    // The solution converges from there: 0.2.0 rolls out, and the undo goes back to 0.1.0, not to 0.2.
    const result = await solved('rolling-update');
    expect(result.passed, summary(result)).toBe(true);
  }, 300_000);

  it('scale-api then deploy-system: the HPA owns the count, and deploy-system accepts it', async () => {
    const scaled = await solved('scale-api', 60);
    expect(scaled.passed, summary(scaled)).toBe(true);
    expect(
      await shell(lab(), "kubectl get deployment churn-api -n churn-mlops -o jsonpath='{.spec.replicas}'"),
    ).toBe('2');
    await forget(lab(), 'deploy-system');
    const started = Date.now();
    const result = await solved('deploy-system', 60);
    expect(result.passed, summary(result)).toBe(true);
    expect(Date.now() - started).toBeLessThan(120_000);
    // The solution's waits recorded the steps; evaluated afresh, the check says why it holds.
    await forget(lab(), 'deploy-system');
    const fresh = await checkUntil(lab(), 'deploy-system', () => true, 0);
    // (As many as the HPA set: 2 when idle, more while the new pods' start-up CPU counts.)
    expect(verdict(fresh, 'healthy', 'three-ready').message).toMatch(
      /^churn-api has (\d+) of \1 replicas ready; HPA churn-api-hpa owns the replica count \(2 to 10\)\.$/,
    );
  }, 400_000);

  it('a second HPA on churn-api is caught, naming the HPA to delete; the solutions delete it', async () => {
    const made = await attempt(
      lab(),
      'kubectl autoscale deployment churn-api --min=2 --max=10 --cpu-percent=70 -n churn-mlops',
    );
    expect(made.ok, made.stderr).toBe(true);
    const deleteIt = 'kubectl delete hpa churn-api -n churn-mlops';
    await forget(lab(), 'deploy-system');
    const deploy = await checkUntil(lab(), 'deploy-system', () => true, 0);
    expect(verdict(deploy, 'healthy', 'three-ready').message).toContain(deleteIt);
    expect(deploy.passed).toBe(false);
    await forget(lab(), 'scale-api');
    const scale = await checkUntil(lab(), 'scale-api', () => true, 0);
    for (const step of ['scale', 'hpa', 'scale-down'])
      expect(verdict(scale, step, 'only-hpa').message, step).toBe(
        `HPA churn-api also scales Deployment churn-api, beside churn-api-hpa: with more than one HPA on a Deployment none acts (AmbiguousSelector). Delete the extra one: ${deleteIt}`,
      );
    const autoscale = await checkUntil(lab(), 'autoscale-load', () => true, 0);
    expect(verdict(autoscale, 'start-load', 'only-hpa').message).toContain(deleteIt);
    const result = await solved('scale-api', 60);
    expect(result.passed, summary(result)).toBe(true);
    expect(await shell(lab(), 'kubectl get hpa -n churn-mlops -o name')).toBe(
      'horizontalpodautoscaler.autoscaling/churn-api-hpa\n',
    );
  }, 400_000);
});
