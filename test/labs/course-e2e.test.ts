import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '../../src/cluster/observe.js';
import type { ExerciseResult } from '../../src/course/judge.js';
import { recordPassedSteps } from '../../src/course/progress.js';
import type { Check } from '../../src/course/schema.js';
import { updateProgress } from '../../src/files/progress-store.js';
import { closeLab, type Lab, openLab } from '../../src/lab.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';
import {
  attempt,
  checkUntil,
  exercise,
  forget,
  makeWorkspace,
  outputUntil,
  passing,
  shell,
  solve,
  stepPassed,
  summary,
  typeCommands,
  verdict,
} from './helpers.js';

/**
 * The whole course, in course order, on one simulated cluster driven by the real kubectl: each
 * exercise starts red, the wrong moves of issue 3 stay red, and the learner's commands (for the
 * seed's exercises) or the reference solution turn it green. The simulator's CronJob clock runs
 * 10,000 times slower than real time, so no schedule ("0 2 * * *", ...) can fire during the test.
 */
let home: string;
let sim: Simulator;
let lab: Lab;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'churn-labs-course-'));
  sim = await startSimulator({ home, timeScale: 1 / 10_000 });
  lab = await openLab({ context: sim.context, kubeconfig: sim.kubeconfig, home, warn: () => {} });
  await makeWorkspace(lab.paths.workspace);
}, 60_000);

afterAll(async () => {
  await closeLab();
  await sim?.stop();
  if (home) await rm(home, { recursive: true, force: true });
}, 60_000);

const check = (id: string) => checkUntil(lab, id, () => true, 0);

/**
 * A learner waits the 5 minutes of the HPA's scale-down window (the last step of scale-api); the
 * test shortens that wait with the HPA's own scale-down setting instead of sleeping, as soon as
 * the HPA exists.
 */
async function shortenScaleDown(): Promise<void> {
  const name = `kubectl get hpa churn-api-hpa -n churn-mlops -o name`;
  expect(await outputUntil(lab, name, (out) => out.includes('churn-api-hpa'), 200)).toMatch(/churn-api-hpa/);
  await shell(
    lab,
    `kubectl patch hpa churn-api-hpa -n churn-mlops --type merge -p '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":0}}}}'`,
  );
}

/**
 * No step passes on the state the exercise starts from, and only the listed checks (`step/check`)
 * do: those that state what must also hold once the step is done (every replica available after a
 * heal, say), or that the earlier exercises already made true (the Killing events of a rollout).
 */
function redBefore(result: ExerciseResult, green: string[]): void {
  expect(passing(result), summary(result)).toEqual([]);
  const greenNow = result.steps.flatMap((s) =>
    s.checks.filter((c) => c.passed).map((c) => `${s.id}/${c.id}`),
  );
  expect(greenNow, summary(result)).toEqual(green);
}

describe('the course on the simulated cluster', () => {
  it("deploy-system: red on an empty cluster; the seed's commands as typed make it green", async () => {
    redBefore(await check('deploy-system'), []);

    await typeCommands(lab, 'deploy-system', 'namespace');
    expect(passing(await check('deploy-system'))).toEqual(['namespace']);
    await typeCommands(lab, 'deploy-system', 'apply');
    await typeCommands(lab, 'deploy-system', 'healthy');
    const after = await checkUntil(lab, 'deploy-system', (r) => r.passed, 120);
    expect(after.passed, summary(after)).toBe(true);
  }, 150_000);

  it("test-api: /health alone is not a prediction; the learner's POST /predict is", async () => {
    redBefore(await check('test-api'), []);

    await typeCommands(lab, 'test-api', 'health');
    const healthOnly = await checkUntil(lab, 'test-api', stepPassed('health'), 20);
    expect(passing(healthOnly), summary(healthOnly)).toEqual(['health']);
    // A prediction the API refuses (400: no features) is not the step either.
    const refused = await attempt(
      lab,
      `echo '{"user_id": "user123"}' | kubectl create --raw /api/v1/namespaces/churn-mlops/services/churn-api:8000/proxy/predict -f -`,
    );
    expect(refused.ok).toBe(false);
    const stillRed = await check('test-api');
    expect(verdict(stillRed, 'predict', 'predict-counted').passed, summary(stillRed)).toBe(false);

    await typeCommands(lab, 'test-api', 'predict');
    const after = await checkUntil(lab, 'test-api', (r) => r.passed, 20);
    expect(after.passed, summary(after)).toBe(true);
  }, 60_000);

  it("batch-job: a Job made without --from does not count; the seed's commands do", async () => {
    redBefore(await check('batch-job'), []);

    await shell(
      lab,
      'kubectl create job manual-batch --image=churn-labs/churn-ml:0.1.0 -n churn-mlops -- churn-mlops batch-score',
    );
    const wrong = await check('batch-job');
    expect(passing(wrong), summary(wrong)).toEqual([]);
    expect(verdict(wrong, 'trigger', 'from-cronjob').message).toMatch(/owner CronJob/);
    await shell(lab, 'kubectl delete job manual-batch -n churn-mlops --wait=true');

    await typeCommands(lab, 'batch-job', 'trigger');
    // The learner watches (`kubectl get jobs -w`) until it shows 1/1, then reads the logs.
    const ran = await checkUntil(lab, 'batch-job', stepPassed('run'), 90);
    expect(passing(ran), summary(ran)).toContain('run');
    await typeCommands(lab, 'batch-job', 'run');
    await typeCommands(lab, 'batch-job', 'predictions');
    const after = await checkUntil(lab, 'batch-job', (r) => r.passed, 90);
    expect(after.passed, summary(after)).toBe(true);
  }, 180_000);

  it('the probes read the same through the shared kubectl proxy as with kubectl --raw; the proxy ends with the lab', async () => {
    const probeChecks: Check[] = [
      ...exercise(lab, 'test-api').steps.flatMap((s) => s.checks),
      ...exercise(lab, 'persistent-storage').steps.flatMap((s) => s.checks),
      ...exercise(lab, 'batch-job').steps.flatMap((s) => s.checks),
      ...['deployment/churn-api', 'job/no-such-job', 'no-such-pod'].map(
        (target): Check => ({ id: `logs ${target}`, title: target, type: 'logs', target, pattern: '.' }),
      ),
      {
        id: 'no-such-service',
        title: 'a Service that is not there',
        type: 'http',
        service: 'no-such-service',
        port: 8000,
        path: '/health',
        method: 'GET',
        expect: { status: 200 },
      },
      {
        id: 'predict',
        title: 'POST with a JSON body',
        type: 'http',
        service: 'churn-api',
        port: 8000,
        path: '/predict',
        method: 'POST',
        body: { user_id: 'probe', features: { logins_7d: 1, sessions_7d: 1 } },
        expect: { status: 200, contains: 'churn_probability' },
      },
    ];
    const read = async (proxy: boolean) => {
      const observation = await observe(lab.target, 'churn-mlops', probeChecks, { proxy });
      if (!observation.reachable) throw new Error(observation.reason);
      return probeChecks.flatMap((check): unknown[][] => {
        const probe = observation.probes.get(check);
        if (!probe) return [];
        // Counters move between the two reads; what is compared is what each answer is.
        if (probe.type === 'metric')
          return [[check.id, probe.pods.map((p) => [p.name, p.text?.includes('api_requests_total')])]];
        if (probe.type === 'http') return [[check.id, probe.status, probe.status === 200 || probe.body]];
        if (probe.type === 'logs')
          return [
            [
              check.id,
              probe.text === undefined
                ? probe.error
                : // The finished Job's logs are the same in both reads; the API's grow with each request.
                  check.id === 'logs'
                  ? probe.text
                  : 'read',
            ],
          ];
        return [[check.id, probe]];
      });
    };
    // The two reads come one after the other on a live cluster (a container restarting under a
    // loaded machine, say): read both again when something moved between them.
    let proxied = await read(true);
    let direct = await read(false);
    for (let again = 0; again < 3 && !isDeepStrictEqual(proxied, direct); again++) {
      proxied = await read(true);
      direct = await read(false);
    }
    expect(proxied).toEqual(direct);
    expect(proxied).toContainEqual(['no-such-service', 404, 'services "no-such-service" not found']);
    expect(proxied).toContainEqual(['predict', 200, true]);
    expect(proxied).toContainEqual([
      'logs job/no-such-job',
      'error from server (NotFound): jobs.batch "no-such-job" not found in namespace "churn-mlops"',
    ]);
    expect(proxied).toContainEqual(['logs deployment/churn-api', 'read']);
    expect(proxied.find(([id]) => id === 'logs')?.[1]).toMatch(/Scored \d+ users/);

    const proxies = async () =>
      (await execa('ps', ['-e', '-o', 'ppid=,args='])).stdout
        .split('\n')
        .filter(
          (line) =>
            Number(line.trim().split(/\s+/)[0]) === process.pid && line.includes(' proxy --unix-socket '),
        );
    expect(await proxies()).toHaveLength(1);
    await closeLab();
    expect(await proxies()).toEqual([]);
  }, 60_000);

  it("scale-api: 4 is not 5; the seed's scale and HPA heredoc are", async () => {
    // No second HPA on churn-api: true from the start, and checked at each step.
    redBefore(await check('scale-api'), ['scale/only-hpa', 'hpa/only-hpa', 'scale-down/only-hpa']);

    await shell(lab, 'kubectl scale deployment churn-api --replicas=4 -n churn-mlops');
    await shell(lab, 'kubectl rollout status deployment/churn-api -n churn-mlops --timeout=100s');
    const four = await check('scale-api');
    expect(passing(four), summary(four)).toEqual([]);
    expect(verdict(four, 'scale', 'five-asked').message).toMatch(/4 replicas asked for; expected 5/);

    await typeCommands(lab, 'scale-api', 'scale');
    const five = await checkUntil(lab, 'scale-api', stepPassed('scale'), 100);
    expect(passing(five), summary(five)).toEqual(['scale']);
    await typeCommands(lab, 'scale-api', 'hpa');
    const hpa = await checkUntil(lab, 'scale-api', stepPassed('hpa'), 20);
    expect(passing(hpa), summary(hpa)).toEqual(['scale', 'hpa']);
    // The HPA holds the 5 replicas it found for its 5-minute scale-down window: the last step is
    // red until it has brought churn-api down to 2.
    expect(verdict(hpa, 'scale-down', 'at-minimum').message).toMatch(/5/);
    await shortenScaleDown();
    await typeCommands(lab, 'scale-api', 'scale-down');
    const after = await checkUntil(lab, 'scale-api', (r) => r.passed, 90);
    expect(after.passed, summary(after)).toBe(true);
  }, 180_000);

  it("rolling-update: an undo without an update is not a rollback; the seed's four commands are", async () => {
    redBefore(await check('rolling-update'), ['watch/rolled-out', 'undo/rolled-back']);

    await attempt(lab, 'kubectl rollout undo deployment/churn-api -n churn-mlops');
    const undoOnly = await check('rolling-update');
    expect(passing(undoOnly), summary(undoOnly)).toEqual([]);
    expect(verdict(undoOnly, 'undo', 'back-on-0-1-0').message).toMatch(/ran churn-labs\/churn-api:0\.2\.0/);

    // Typed all at once, checked only at the end: each step's check still holds after the undo.
    await typeCommands(lab, 'rolling-update', 'update');
    await typeCommands(lab, 'rolling-update', 'watch', 200_000);
    await typeCommands(lab, 'rolling-update', 'undo', 200_000);
    const after = await checkUntil(lab, 'rolling-update', (r) => r.passed, 60);
    expect(after.passed, summary(after)).toBe(true);

    // A typo rolled out on the way: the plain undo lands on it. The check names the revision that
    // runs 0.1.0, and the solution goes straight back to it.
    // On the last step, as the learner who met it was.
    await forget(lab, 'rolling-update');
    await updateProgress(lab.paths.progress, (p) =>
      recordPassedSteps(p, exercise(lab, 'rolling-update'), ['update', 'watch']),
    );
    await shell(
      lab,
      'kubectl set image deployment/churn-api churn-api=churn-labs/churn-api:0.2.O -n churn-mlops',
    );
    await shell(
      lab,
      'kubectl set image deployment/churn-api churn-api=churn-labs/churn-api:0.2.0 -n churn-mlops',
    );
    await shell(lab, 'kubectl rollout status deployment/churn-api -n churn-mlops --timeout=110s', 200_000);
    await shell(lab, 'kubectl rollout undo deployment/churn-api -n churn-mlops');
    const detour = await check('rolling-update');
    expect(verdict(detour, 'undo', 'back-on-0-1-0').message).toMatch(
      /runs churn-labs\/churn-api:0\.2\.O at revision \d+;.* Revision \d+ runs it: `kubectl rollout undo deployment\/churn-api -n churn-mlops --to-revision=\d+`/,
    );
    const solved = await solve(lab, 'rolling-update', 200);
    expect(solved.passed, summary(solved)).toBe(true);
  }, 600_000);

  it('cronjob-admin: red until suspended; solve suspends, runs by hand, resumes', async () => {
    redBefore(await check('cronjob-admin'), ['resume/resumed']);
    const after = await solve(lab, 'cronjob-admin');
    expect(after.passed, summary(after)).toBe(true);
  }, 300_000);

  it('health-probes: red while every pod is ready; solve drains one (alive, not ready) and heals it', async () => {
    redBefore(await check('health-probes'), ['heal/all-ready', 'heal/all-available']);
    const after = await solve(lab, 'health-probes');
    expect(after.passed, summary(after)).toBe(true);
    const restarts = await shell(
      lab,
      `kubectl get pods -n churn-mlops -l app=churn-api -o jsonpath='{.items[*].status.containerStatuses[*].restartCount}'`,
    );
    expect(restarts.trim().split(/\s+/).map(Number)).not.toContain(1);
  }, 300_000);

  it('resources-qos: red before; solve shows the classes, an OOMKilled pod and one that fits', async () => {
    redBefore(await check('resources-qos'), ['classes/api-burstable']);
    const after = await solve(lab, 'resources-qos');
    expect(after.passed, summary(after)).toBe(true);
  }, 300_000);

  it('persistent-storage: red before, though the model is there; solve deletes a pod and the model survives', async () => {
    // The rollouts of the exercises before left Killing and SuccessfulCreate events of churn-api
    // pods: those count only since step 1 passed.
    redBefore(await check('persistent-storage'), [
      'mark/model-on-volume',
      'delete/gone',
      'survived/all-available',
      'survived/ready-endpoints',
      'survived/model-still-there',
      'survived/ready-answers',
    ]);
    const after = await solve(lab, 'persistent-storage');
    expect(after.passed, summary(after)).toBe(true);

    // Once more as typed: mark a pod, check (the lab asks for it: once the pod is gone nothing
    // shows which one was marked), delete it, see the replacement.
    await forget(lab, 'persistent-storage');
    await typeCommands(lab, 'persistent-storage', 'mark');
    const marked = await check('persistent-storage');
    expect(passing(marked), summary(marked)).toEqual(['mark']);
    expect(verdict(marked, 'delete', 'gone').message).toMatch(/^1 churn-api pods labelled lab=delete-me/);
    // Taking the label off is not deleting the pod.
    await shell(lab, 'kubectl label pod -n churn-mlops -l lab=delete-me lab-');
    const unlabelled = await check('persistent-storage');
    expect(passing(unlabelled), summary(unlabelled)).toEqual(['mark']);
    expect(verdict(unlabelled, 'delete', 'killing').message).toMatch(/^0 Killing events/);
    await typeCommands(lab, 'persistent-storage', 'mark');
    await typeCommands(lab, 'persistent-storage', ['delete', 'survived']);
    const typed = await checkUntil(lab, 'persistent-storage', (r) => r.passed, 60);
    expect(typed.passed, summary(typed)).toBe(true);
  }, 300_000);

  it('autoscale-load: red before; the load generator makes the HPA scale up', async () => {
    // The HPA is at rest at 2 replicas, as the lab asks (see scale-api above), and reads their CPU.
    // Like the real controller, it ignores a pod's CPU for one metric window (15 s) after the pod
    // turns ready, so right after the pods of the exercises above start, ScalingActive is False.
    const rest = `kubectl get hpa churn-api-hpa -n churn-mlops -o jsonpath='{.status.desiredReplicas} {.status.conditions[?(@.type=="ScalingActive")].status}'`;
    expect(await outputUntil(lab, rest, (out) => out.trim() === '2 True', 90)).toBe('2 True');
    redBefore(await check('autoscale-load'), [
      'start-load/hpa-reads-cpu',
      'start-load/only-hpa',
      'scale-up/only-hpa',
      'stop-load/load-gone',
      'stop-load/back-at-70',
    ]);
    // This machine has 2 cores, shared by the load generator, the API pods and the other tests:
    // the API cannot reach 70% of 500m. The reference solution finds that out after 90 s and takes
    // the lab's small-machine path (a 10% target); the test takes it at once.
    await shell(
      lab,
      `kubectl patch hpa churn-api-hpa -n churn-mlops --type json -p '[{"op": "replace", "path": "/spec/metrics/0/resource/target/averageUtilization", "value": 10}]'`,
    );
    const after = await solve(lab, 'autoscale-load', 60);
    expect(after.passed, summary(after)).toBe(true);
    const target = `kubectl get hpa churn-api-hpa -n churn-mlops -o jsonpath='{.spec.metrics[0].resource.target.averageUtilization}'`;
    expect((await shell(lab, target)).trim()).toBe('70');
  }, 420_000);

  it('a deleted and re-created namespace resets what the exercises made; solve makes it again', async () => {
    await shell(lab, 'kubectl delete namespace churn-mlops --wait=true --timeout=100s');
    await shell(lab, 'kubectl create namespace churn-mlops');
    const again = ['deploy-system', 'test-api', 'batch-job', 'scale-api'];
    for (const id of again) await forget(lab, id);
    const deploy = await check('deploy-system');
    expect(passing(deploy), summary(deploy)).toEqual(['namespace']);
    for (const id of again.slice(1)) {
      const result = await check(id);
      expect(passing(result), `${id}\n${summary(result)}`).toEqual([]);
    }
    // The reference solutions of the exercises done above by typing, from this fresh state.
    for (const id of again) {
      const shortened = id === 'scale-api' ? shortenScaleDown() : undefined;
      const result = await solve(lab, id);
      await shortened;
      expect(result.passed, `${id}\n${summary(result)}`).toBe(true);
    }
  }, 300_000);
});
