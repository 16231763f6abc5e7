import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UpEvent, type UpResult, up } from '../../src/cluster/environment.js';
import { closeLab, type Lab, openLab, rememberLab } from '../../src/lab.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';
import { churnLabs } from '../cli/helpers.js';
import { breakIt, check, checkRedUntil } from '../incidents/helpers.js';
import { solve, summary } from './helpers.js';

/**
 * A classroom learner's lab on the simulated cluster, with the real kubectl: their kubeconfig's
 * context carries the churn-labs extension (namespace churn-mlops-ada). The admin's client
 * certificate stands in for the learner's token here; RBAC is tested on its own.
 */
const NS = 'churn-mlops-ada';

/** The simulator's kubeconfig, its one context renamed churn-labs-ada with the learner's extension. */
function learnerKubeconfig(simKubeconfig: string): string {
  const context = [
    '- context:',
    '    cluster: churn-labs-sim',
    '    user: churn-labs-sim',
    `    namespace: ${NS}`,
    '    extensions:',
    '    - name: churn-labs',
    '      extension:',
    '        learner: ada',
    `        namespace: ${NS}`,
    '  name: churn-labs-ada',
  ].join('\n');
  const out = simKubeconfig
    .replace(
      '- context:\n    cluster: churn-labs-sim\n    user: churn-labs-sim\n  name: churn-labs-sim',
      context,
    )
    .replace('current-context: churn-labs-sim', 'current-context: churn-labs-ada');
  if (!out.includes('learner: ada')) throw new Error('the simulator kubeconfig changed shape');
  return out;
}

describe('a classroom learner in their own namespace, on the simulated cluster', () => {
  let home: string;
  let sim: Simulator;
  let lab: Lab;
  let kubeconfig: string;
  let upSteps: NonNullable<UpResult['steps']>;
  const admin = (args: string[]) =>
    execa('kubectl', ['--kubeconfig', sim.kubeconfig, '--context', sim.context, ...args], { reject: false });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'churn-labs-classroom-'));
    // The CronJob clock runs 10,000 times slower than real time: no schedule fires during a test.
    sim = await startSimulator({ home, timeScale: 1 / 10_000 });
    kubeconfig = join(home, 'ada.kubeconfig');
    await writeFile(kubeconfig, learnerKubeconfig(await readFile(sim.kubeconfig, 'utf8')), { mode: 0o600 });
    // What `classroom create` does as the instructor: the learner's namespace.
    expect((await admin(['create', 'namespace', NS])).exitCode).toBe(0);
    // What `start --kubeconfig ada.kubeconfig` does: the learner's lab, the workspace rendered for it, remembered.
    lab = await openLab({ home, kubeconfig, warn: () => {} });
    const events: UpEvent[] = [];
    const result = await up(lab, { onEvent: (e) => events.push(e) });
    expect(result.ok, JSON.stringify(result.steps)).toBe(true);
    upSteps = result.steps ?? [];
    await rememberLab(lab);
  }, 60_000);

  afterAll(async () => {
    await closeLab();
    await sim?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('is a classroom lab in churn-mlops-ada, and list and check default to the learner context', async () => {
    expect(lab).toMatchObject({
      namespace: NS,
      classroom: { learner: 'ada' },
      target: { context: 'churn-labs-ada' },
    });
    const list = await churnLabs(['list', '--json'], { home });
    expect(list.exitCode, String(list.stderr)).toBe(0);
    const checked = await churnLabs(['check', 'deploy-system'], { home });
    expect(checked.exitCode).toBe(1);
    expect(String(checked.stdout)).toContain(`context churn-labs-ada of ${kubeconfig}, namespace ${NS}`);
    // The namespace the instructor made passes at once; nothing is applied yet.
    expect(String(checked.stdout)).toMatch(/The namespace churn-mlops-ada exists/);
  }, 60_000);

  it('brings the lab up without kind or Docker: kubectl, the namespace the instructor made, the workspace rendered for it', async () => {
    expect(upSteps.map((s) => [s.id, s.outcome])).toEqual([
      ['preflight', 'ok'],
      ['classroom', 'ok'],
      ['workspace', 'ok'],
    ]);
    const k8s = join(lab.paths.workspace, 'k8s');
    expect(existsSync(join(k8s, 'namespace.yaml'))).toBe(false);
    expect(await readFile(join(k8s, 'api-deployment.yaml'), 'utf8')).toContain(`namespace: ${NS}\n`);
    // A learner whose namespace is not there is told so, and who makes it.
    const nobody = {
      ...lab,
      namespace: 'churn-mlops-nobody',
      paths: { ...lab.paths, workspace: join(home, 'w2') },
    };
    const events: UpEvent[] = [];
    const failed = await up(nobody, { onEvent: (e) => events.push(e) });
    expect(failed).toMatchObject({ ok: false, failedStep: 'classroom' });
    const end = events.find((e) => e.type === 'step-end' && e.id === 'classroom');
    expect(end).toMatchObject({
      outcome: 'failed',
      detail: expect.stringContaining(
        'The namespace churn-mlops-nobody does not exist on the cluster of context churn-labs-ada',
      ),
      fix: expect.stringContaining('classroom create'),
    });
  }, 60_000);

  it('solve deploy-system then check deploy-system pass in churn-mlops-ada, with nothing in churn-mlops', async () => {
    const solved = await churnLabs(['solve', 'deploy-system', '--yes'], { home });
    expect(solved.exitCode, `${solved.stdout}\n${solved.stderr}`).toBe(0);
    expect(String(solved.stdout)).toContain(`kubectl apply -f k8s/ -n ${NS}`);
    expect(String(solved.stdout)).not.toContain('create namespace');
    const checked = await churnLabs(['check', 'deploy-system', '--json'], { home });
    expect(checked.exitCode, String(checked.stdout)).toBe(0);
    expect(JSON.parse(String(checked.stdout))).toMatchObject({ exercise: 'deploy-system', passed: true });
    const pods = await admin(['get', 'pods', '-n', NS, '-l', 'app=churn-api', '-o', 'name']);
    expect(pods.stdout.trim().split('\n')).toHaveLength(3);
    const elsewhere = await admin(['get', 'all', '-n', 'churn-mlops', '-o', 'name']);
    expect(elsewhere.stdout.trim()).toBe('');
    expect((await admin(['get', 'namespace', 'churn-mlops'])).exitCode).toBe(1);
  }, 400_000);

  it('incident-bad-image breaks churn-mlops-ada, is red, and its solution turns it green there', async () => {
    await breakIt(lab, 'incident-bad-image');
    const image = await admin([
      'get',
      'deployment',
      'churn-api',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    expect(image.stdout).toBe('churn-labs/churn-api:0.2.1');
    await checkRedUntil(lab, 'incident-bad-image', ['rolled-out', 'none-waiting', 'cause-fixed'], 60);
    const solved = await solve(lab, 'incident-bad-image', 150);
    expect(solved.passed, summary(solved)).toBe(true);
    expect((await check(lab, 'incident-bad-image')).passed).toBe(true);
  }, 400_000);
});
