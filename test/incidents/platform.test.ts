import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnLabs } from '../cli/helpers.js';
import { attempt, outputUntil, shell, solve, summary } from '../labs/helpers.js';
import { breakIt, checkRedUntil, healthyCluster, namesNoCause, type OnCall, resetIt } from './helpers.js';

/**
 * The incidents of the autoscaler, the batch CronJob and the volumes, on one simulated cluster
 * with the real kubectl (see api.test.ts for the API's).
 */
let onCall: OnCall;
beforeAll(async () => {
  onCall = await healthyCluster();
}, 200_000);
afterAll(async () => onCall?.stop(), 60_000);

const ns = '-n churn-mlops';
const messageOf = (result: Awaited<ReturnType<typeof checkRedUntil>>, id: string) =>
  result.steps[0]!.checks.find((c) => c.id === id)!.message;

describe('incidents of the platform', () => {
  it('incident-hpa-blind: the HPA cannot compute CPU utilization; deleting the HPA stays red', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-hpa-blind');
    const hpa = await outputUntil(lab, `kubectl get hpa ${ns}`, (o) => /cpu: <unknown>\/70%/.test(o), 60);
    expect(hpa).toMatch(/cpu: <unknown>\/70%/);
    const described = await outputUntil(
      lab,
      `kubectl describe hpa churn-api-hpa ${ns}`,
      (o) => /missing request for cpu in container churn-api/.test(o),
      60,
    );
    expect(described).toMatch(/FailedGetResourceMetric/);
    expect(described).toMatch(/ScalingActive\s+False/);
    const red = await checkRedUntil(lab, 'incident-hpa-blind', ['active', 'reads-cpu', 'cause-fixed'], 30);
    namesNoCause(red, /request|cpu: <unknown>|resources/i);

    // The workaround: no autoscaler, nothing to be blind.
    await shell(lab, `kubectl delete hpa churn-api-hpa ${ns}`);
    const deleted = await checkRedUntil(
      lab,
      'incident-hpa-blind',
      ['hpa-there', 'active', 'reads-cpu', 'cause-fixed'],
      30,
    );
    expect(messageOf(deleted, 'hpa-there')).toMatch(/Deleting the autoscaler does not fix it/);
    await shell(lab, `kubectl apply -f k8s/hpa/hpa.yaml ${ns}`);

    const solved = await solve(lab, 'incident-hpa-blind', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-hpa-blind');
    expect((await attempt(lab, `kubectl get hpa churn-api-hpa ${ns}`)).ok).toBe(false);
  }, 400_000);

  it("incident-batch-oom: last night's Job failed, its pods OOMKilled; a hand-made Job with more memory stays red", async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-batch-oom');
    const jobs = await outputUntil(
      lab,
      `kubectl get jobs ${ns} -l app=churn-batch-score`,
      (o) => /Failed/.test(o),
      150,
    );
    const podsNow = await attempt(
      lab,
      `kubectl get pods ${ns} -l app=churn-batch-score -o jsonpath='{range .items[*]}{.metadata.name} {.spec.containers[0].resources} {.status.containerStatuses[0].state}{"\\n"}{end}'`,
    );
    expect(jobs, podsNow.stdout).toMatch(/churn-batch-score-\d+\s+Failed/);
    const pods = await shell(lab, `kubectl get pods ${ns} -l app=churn-batch-score`);
    expect(pods).toMatch(/OOMKilled/);
    const described = await shell(lab, `kubectl describe jobs ${ns} -l app=churn-batch-score`);
    expect(described).toMatch(/BackoffLimitExceeded/);
    // Last night's Job looks as the CronJob controller makes one: stamped and listed for the 2 AM
    // run, not made by hand (no "instantiate: manual", no UnexpectedJob on the CronJob).
    const job = await shell(lab, `kubectl get jobs ${ns} -l app=churn-batch-score -o yaml`);
    expect(job).toMatch(/batch\.kubernetes\.io\/cronjob-scheduled-timestamp: "\d{4}-\d\d-\d\dT02:00:00Z"/);
    expect(job).not.toMatch(/instantiate/);
    expect(job).toMatch(/blockOwnerDeletion: true/);
    const cron = await shell(lab, `kubectl describe cronjob churn-batch-score ${ns}`);
    expect(cron).toMatch(/Last Schedule Time:\s+\w{3}, \d\d \w{3} \d{4} 02:00:00 \+0000/);
    expect(cron).toMatch(/SawCompletedJob .*status: Failed/);
    expect(cron).not.toMatch(/UnexpectedJob/);
    const red = await checkRedUntil(lab, 'incident-batch-oom', ['cause-fixed', 'rerun'], 30);
    namesNoCause(red, /memory|OOM|24Mi/i);

    // The workaround: one Job by hand with enough memory scores once; tonight's run still fails.
    await shell(
      lab,
      `kubectl create job by-hand --from=cronjob/churn-batch-score ${ns} --dry-run=client -o json | sed 's/"24Mi"/"2Gi"/g' | kubectl apply -f -`,
    );
    await shell(lab, `kubectl wait --for=condition=complete job/by-hand ${ns} --timeout=120s`);
    const byHand = await checkRedUntil(lab, 'incident-batch-oom', ['cause-fixed'], 30);
    expect(messageOf(byHand, 'cause-fixed')).toMatch(/a Job made by hand/);

    const solved = await solve(lab, 'incident-batch-oom', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-batch-oom');
  }, 400_000);

  it('incident-cron-silent: the CronJob is suspended; a hand-made Job stays red', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-cron-silent');
    const cronjobs = await shell(lab, `kubectl get cronjob churn-batch-score ${ns}`);
    expect(cronjobs).toMatch(/churn-batch-score\s+0 2 \* \* \*\s+\S+\s+True/);
    const red = await checkRedUntil(lab, 'incident-cron-silent', ['cause-fixed', 'caught-up'], 30);
    namesNoCause(red, /suspend/i);

    await shell(lab, `kubectl create job by-hand --from=cronjob/churn-batch-score ${ns}`);
    await shell(lab, `kubectl wait --for=condition=complete job/by-hand ${ns} --timeout=120s`);
    const byHand = await checkRedUntil(lab, 'incident-cron-silent', ['cause-fixed'], 30);
    expect(messageOf(byHand, 'cause-fixed')).toMatch(/A Job made by hand scores once/);

    const solved = await solve(lab, 'incident-cron-silent', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-cron-silent');
  }, 400_000);

  it('incident-volume-pending: the claim has no StorageClass, the new pod is never scheduled; a rollback stays red', async () => {
    const { lab } = onCall;
    await breakIt(lab, 'incident-volume-pending');
    const pending = await outputUntil(
      lab,
      `kubectl get pods ${ns} -l app=churn-api`,
      (o) => /Pending/.test(o),
      30,
    );
    expect(pending).toMatch(/Pending/);
    const pvc = await shell(lab, `kubectl get pvc churn-mlops-cache ${ns}`);
    expect(pvc).toMatch(/Pending\s+fast-ssd/);
    // The pod's event points at its claim, as the real scheduler's does; the claim names the class.
    const scheduling = await outputUntil(
      lab,
      `kubectl get events ${ns} --field-selector reason=FailedScheduling`,
      (o) => /unbound immediate/.test(o),
      30,
    );
    expect(scheduling).toMatch(
      /0\/1 nodes are available: pod has unbound immediate PersistentVolumeClaims\./,
    );
    expect(scheduling).not.toMatch(/fast-ssd/);
    const events = await outputUntil(
      lab,
      `kubectl describe pvc churn-mlops-cache ${ns}`,
      (o) => /ProvisioningFailed/.test(o),
      30,
    );
    expect(events).toMatch(/storageclass\.storage\.k8s\.io "fast-ssd" not found/);
    const red = await checkRedUntil(lab, 'incident-volume-pending', ['rolled-out', 'cause-fixed'], 30);
    namesNoCause(red, /storage ?class|fast-ssd|claim|pvc/i);

    // The workaround: a rollback takes the volume away.
    await shell(lab, `kubectl rollout undo deployment/churn-api ${ns}`);
    const undone = await checkRedUntil(lab, 'incident-volume-pending', ['keeps-cache', 'cause-fixed'], 90);
    expect(messageOf(undone, 'keeps-cache')).toMatch(/is not the fix here/);
    await shell(lab, `kubectl rollout undo deployment/churn-api ${ns}`);

    const solved = await solve(lab, 'incident-volume-pending', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    await resetIt(lab, 'incident-volume-pending');
    expect((await attempt(lab, `kubectl get pvc churn-mlops-cache ${ns}`)).ok).toBe(false);
  }, 400_000);
});

describe('the built CLI on call', () => {
  const cli = (args: string[]) =>
    churnLabs(
      [...args, '--context', onCall.lab.target.context, '--kubeconfig', onCall.lab.target.kubeconfig!],
      {
        home: onCall.lab.paths.home,
      },
    );

  it('incident prints the page only; check is red; hint and solve are counted; progress shows the time', async () => {
    const started = await cli(['incident', 'incident-cron-silent', '--yes']);
    expect(started.exitCode, String(started.stderr)).toBe(0);
    const page = String(started.stdout);
    expect(page).toMatch(/incident-cron-silent: No new predictions for days/);
    expect(page).toMatch(/Since: several days ago/);
    expect(page).not.toMatch(/suspend|patch/i);
    expect(page).not.toContain('**');

    const red = await cli(['check', 'incident-cron-silent']);
    expect(red.exitCode).toBe(1);
    expect(String(red.stdout)).not.toMatch(/suspend/i);
    expect(String((await cli(['hint', 'incident-cron-silent'])).stdout)).toMatch(/Hint 1 of 3/);

    // A second incident while the system is healthy is allowed; one on a broken system is not.
    const pending = await cli(['incident', 'incident-pending', '--yes']);
    expect(pending.exitCode, String(pending.stderr)).toBe(0);
    await outputUntil(onCall.lab, `kubectl get pods ${ns} -l app=churn-api`, (o) => /Pending/.test(o), 30);
    const refused = await cli(['incident', 'incident-crashloop', '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(String(refused.stdout)).toMatch(/The system is not healthy now/);
    expect(String(refused.stdout)).toMatch(/Incident incident-pending is still open/);
    expect(String(refused.stdout)).toMatch(/churn-labs reset incident-crashloop --yes/);
    const reset = await cli(['reset', 'incident-pending', '--yes']);
    expect(reset.exitCode, String(reset.stderr)).toBe(0);
    expect(String(reset.stdout)).not.toMatch(/memory|64Gi/);

    const solved = await cli(['solve', 'incident-cron-silent', '--yes']);
    expect(solved.exitCode, String(solved.stdout) + String(solved.stderr)).toBe(0);
    expect(String(solved.stdout)).toMatch(/\$ kubectl get cronjobs -n churn-mlops/);
    expect(String(solved.stdout)).toMatch(/Incident solved in .*, with 1 hint\./);
    const report = JSON.parse(String((await cli(['progress', '--json'])).stdout));
    const item = report.incidents.items.find((i: { id: string }) => i.id === 'incident-cron-silent');
    expect(item).toMatchObject({ status: 'solved', hints: 1 });
    expect(item.seconds).toBeGreaterThanOrEqual(0);
    expect(report.incidents.solved).toBe(1);
    const listed = JSON.parse(String((await cli(['list', '--json'])).stdout));
    expect(listed.exercises.find((e: { id: string }) => e.id === 'incident-cron-silent').status).toBe('done');
    expect((await cli(['reset', 'incident-cron-silent', '--yes'])).exitCode).toBe(0);
  }, 400_000);
});
