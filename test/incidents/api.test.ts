import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempt, checkUntil, outputUntil, shell, solve, summary } from '../labs/helpers.js';
import { breakIt, checkRedUntil, healthyCluster, namesNoCause, type OnCall, resetIt } from './helpers.js';

/**
 * The incidents of the API's Deployment and Service on one simulated cluster, with the real
 * kubectl: each breaks Exercise 1's healthy system, shows its symptom through kubectl, stays red
 * through its workarounds, turns green with its solution, and resets to health.
 */
let onCall: OnCall;
beforeAll(async () => {
  onCall = await healthyCluster();
}, 200_000);
afterAll(async () => onCall?.stop(), 60_000);

const ns = '-n churn-mlops';

describe('incidents of the API', () => {
  it('incident-crashloop: a restarting pod, a hung rollout; scaling to 0 and back stays red', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-crashloop');
    const pods = await outputUntil(
      lab,
      `kubectl get pods ${ns} -l app=churn-api`,
      (out) => /CrashLoopBackOff|Error/.test(out),
      90,
    );
    expect(pods).toMatch(/CrashLoopBackOff|Error/);
    const status = await attempt(lab, `kubectl rollout status deployment/churn-api ${ns} --timeout=2s`);
    expect(status.ok).toBe(false);
    expect(status.stdout + status.stderr).toMatch(/Waiting for deployment "churn-api" rollout to finish/);
    const newest = (
      await shell(
        lab,
        `kubectl get pods ${ns} -l app=churn-api --sort-by=.metadata.creationTimestamp -o name | tail -n 1`,
      )
    ).trim();
    const logs = await outputUntil(
      lab,
      `kubectl logs ${newest} ${ns} --previous || kubectl logs ${newest} ${ns}`,
      (o) => /log_level/.test(o),
      60,
    );
    expect(logs).toMatch(/log_level/);
    const red = await checkRedUntil(
      lab,
      'incident-crashloop',
      ['rolled-out', 'none-restarting', 'cause-fixed'],
      30,
    );
    namesNoCause(red, /log_level|verbose|ConfigMap|churn-mlops-config/i);

    // The workaround: scaling to 0 and back starts pods that crash the same way.
    await shell(
      lab,
      `kubectl scale deployment/churn-api --replicas=0 ${ns} && kubectl scale deployment/churn-api --replicas=3 ${ns}`,
    );
    const after = await checkRedUntil(
      lab,
      'incident-crashloop',
      ['rolled-out', 'three-ready', 'none-restarting', 'serves', 'cause-fixed'],
      90,
    );
    expect(after.steps[0]!.checks.find((c) => c.id === 'cause-fixed')!.message).toMatch(
      /scaling to 0 and back/,
    );

    const solved = await solve(lab, 'incident-crashloop', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-crashloop');
  }, 420_000);
});

describe('incidents of the API, go on', () => {
  it('incident-bad-image: the new pod cannot pull its image; the rollout hangs', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-bad-image');
    const pods = await outputUntil(
      lab,
      `kubectl get pods ${ns} -l app=churn-api`,
      (out) => /ErrImagePull|ImagePullBackOff/.test(out),
      60,
    );
    expect(pods).toMatch(/ErrImagePull|ImagePullBackOff/);
    const status = await attempt(lab, `kubectl rollout status deployment/churn-api ${ns} --timeout=2s`);
    expect(status.stdout + status.stderr).toMatch(/1 out of 3 new replicas have been updated/);
    const events = await shell(lab, `kubectl get events ${ns} --field-selector reason=Failed`);
    expect(events).toMatch(/churn-labs\/churn-api:0\.2\.1/);
    const red = await checkRedUntil(
      lab,
      'incident-bad-image',
      ['rolled-out', 'none-waiting', 'cause-fixed'],
      30,
    );
    namesNoCause(red, /0\.2\.1|image|pull|tag/i);

    const solved = await solve(lab, 'incident-bad-image', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-bad-image');
  }, 400_000);

  it('incident-not-ready: every pod Running, none Ready, 503 through the Service; removing the probe stays red', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-not-ready');
    const pods = await outputUntil(
      lab,
      `kubectl get pods ${ns} -l app=churn-api --no-headers`,
      (out) =>
        out.trim().split('\n').length === 3 && out.split('\n').every((l) => !l || /0\/1\s+Running/.test(l)),
      90,
    );
    expect(pods.trim().split('\n')).toHaveLength(3);
    for (const line of pods.trim().split('\n')) expect(line).toMatch(/0\/1\s+Running/);
    const proxied = await attempt(
      lab,
      `kubectl get --raw /api/v1/namespaces/churn-mlops/services/churn-api:8000/proxy/health`,
    );
    expect(proxied.ok).toBe(false);
    expect(proxied.stderr).toMatch(/503|ServiceUnavailable|no endpoints available/i);
    const described = await outputUntil(
      lab,
      `kubectl describe pods ${ns} -l app=churn-api`,
      (o) => /Readiness probe failed: HTTP probe failed with statuscode: 404/.test(o),
      60,
    );
    expect(described).toMatch(/Readiness probe failed: HTTP probe failed with statuscode: 404/);
    // The change is a rollout like any other: the old ReplicaSet stays as history, scaled to 0.
    const deployment = await shell(lab, `kubectl describe deployment churn-api ${ns}`);
    expect(deployment).toMatch(/Scaled down replica set churn-api-\w+ to 0 from 3/);
    expect(deployment).toMatch(/RollingUpdateStrategy:\s+0 max unavailable, 1 max surge/);
    const history = await shell(lab, `kubectl rollout history deployment/churn-api ${ns}`);
    expect(history.split('\n').filter((l) => /^\d+\s/.test(l)).length, history).toBeGreaterThanOrEqual(2);
    const red = await checkRedUntil(
      lab,
      'incident-not-ready',
      ['serves', 'endpoints', 'rolled-out', 'cause-fixed'],
      30,
    );
    namesNoCause(red, /readyz|readiness|probe|path/i);

    // The workaround: without a readiness probe the pods turn Ready, but the check says why not.
    await shell(
      lab,
      `kubectl patch deployment churn-api ${ns} --type=json -p='[{"op":"remove","path":"/spec/template/spec/containers/0/readinessProbe"}]'`,
    );
    const without = await checkRedUntil(lab, 'incident-not-ready', ['kept-gate', 'cause-fixed'], 120);
    expect(without.steps[0]!.checks.find((c) => c.id === 'kept-gate')!.message).toMatch(/not a fix/);
    await shell(lab, `kubectl rollout undo deployment/churn-api ${ns}`);

    const solved = await solve(lab, 'incident-not-ready', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-not-ready');

    // Undoing the change (what a learner told "a change to the Deployment" tries first) fixes it too.
    await breakIt(lab, 'incident-not-ready');
    await checkRedUntil(lab, 'incident-not-ready', ['serves', 'endpoints', 'rolled-out', 'cause-fixed'], 60);
    await shell(lab, `kubectl rollout undo deployment/churn-api ${ns}`);
    const undone = await checkUntil(lab, 'incident-not-ready', (r) => r.passed, 150);
    expect(undone.passed, summary(undone)).toBe(true);
    await resetIt(lab, 'incident-not-ready');
  }, 400_000);

  it('incident-no-endpoints: every pod Ready, the Service has no endpoint; relabelling pods stays red', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-no-endpoints');
    const described = await outputUntil(
      lab,
      `kubectl describe service churn-api ${ns}`,
      (o) => /Endpoints:\s*\n/.test(o) || /Endpoints:\s+<none>/.test(o),
      30,
    );
    expect(described).toMatch(/Selector:\s+app=churn-api-v2/);
    expect(described).toMatch(/Endpoints:\s*(<none>)?\s*\n/);
    const ready = await shell(lab, `kubectl get pods ${ns} -l app=churn-api --no-headers`);
    for (const line of ready.trim().split('\n')) expect(line).toMatch(/1\/1\s+Running/);
    const proxied = await attempt(
      lab,
      `kubectl get --raw /api/v1/namespaces/churn-mlops/services/churn-api:8000/proxy/health`,
    );
    expect(proxied.ok).toBe(false);
    expect(proxied.stderr).toMatch(/503|ServiceUnavailable|no endpoints available/i);
    const red = await checkRedUntil(lab, 'incident-no-endpoints', ['serves', 'endpoints', 'cause-fixed'], 30);
    namesNoCause(red, /selector|label|v2/i);
    expect(red.steps[0]!.checks.find((c) => c.id === 'cause-fixed')!.passed).toBe(false);

    // The workaround: label the pods for the Service; they would not outlive a rollout.
    await shell(lab, `kubectl label pods ${ns} -l app=churn-api app=churn-api-v2 --overwrite`);
    const relabelled = await checkRedUntil(lab, 'incident-no-endpoints', ['cause-fixed', 'three-ready'], 60);
    expect(relabelled.steps[0]!.checks.find((c) => c.id === 'cause-fixed')!.message).toMatch(
      /pods changed by hand are replaced/,
    );

    const solved = await solve(lab, 'incident-no-endpoints', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await shell(lab, `kubectl delete pods ${ns} -l app=churn-api-v2 --wait=false`);
    await resetIt(lab, 'incident-no-endpoints');
  }, 400_000);

  it('incident-pending: the new pod stays Pending, FailedScheduling says Insufficient memory', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-pending');
    const pending = await outputUntil(
      lab,
      `kubectl get pods ${ns} -l app=churn-api`,
      (o) => /Pending/.test(o),
      30,
    );
    expect(pending).toMatch(/Pending/);
    const events = await outputUntil(
      lab,
      `kubectl get events ${ns} --field-selector reason=FailedScheduling`,
      (o) => /Insufficient memory/.test(o),
      30,
    );
    expect(events).toMatch(/0\/1 nodes are available: 1 Insufficient memory/);
    const red = await checkRedUntil(
      lab,
      'incident-pending',
      ['rolled-out', 'none-pending', 'cause-fixed'],
      30,
    );
    namesNoCause(red, /memory|64Gi|request|resources/i);

    const solved = await solve(lab, 'incident-pending', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-pending');
  }, 400_000);
});
