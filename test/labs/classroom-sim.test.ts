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
 * A classroom learner's lab on the simulated cluster, with the real kubectl and the learner's own
 * credentials: a ServiceAccount token, allowed by RBAC into their namespace only (what
 * `classroom create` sets up, written out here), and a kubeconfig whose context carries the
 * churn-labs extension (namespace churn-mlops-ada).
 */
const NS = 'churn-mlops-ada';

/** The instructor's part: the namespace, the learner's account, its access and its token. */
const INSTRUCTOR = `apiVersion: v1
kind: Namespace
metadata:
  name: ${NS}
  labels: {app.kubernetes.io/managed-by: churn-labs, churn-labs.dev/learner: ada}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: learner, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: churn-labs-learner, namespace: ${NS}}
rules:
- apiGroups: ["", apps, batch, autoscaling, policy, discovery.k8s.io, events.k8s.io, metrics.k8s.io]
  resources: ["*"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: churn-labs-learner, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: churn-labs-learner}
subjects:
- {kind: ServiceAccount, name: learner, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: churn-labs-learner-cluster}
rules:
- apiGroups: [""]
  resources: [nodes, persistentvolumes]
  verbs: [get, list, watch]
- apiGroups: [storage.k8s.io]
  resources: [storageclasses]
  verbs: [get, list, watch]
- apiGroups: [metrics.k8s.io]
  resources: [nodes]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: churn-labs-learner-ada}
rules:
- apiGroups: [""]
  resources: [namespaces]
  resourceNames: [${NS}]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: churn-labs-learner-ada}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: churn-labs-learner-ada}
subjects:
- {kind: ServiceAccount, name: learner, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: churn-labs-learner-cluster-ada}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: churn-labs-learner-cluster}
subjects:
- {kind: ServiceAccount, name: learner, namespace: ${NS}}
---
apiVersion: v1
kind: Secret
metadata:
  name: learner-token
  namespace: ${NS}
  annotations: {kubernetes.io/service-account.name: learner}
type: kubernetes.io/service-account-token
`;

/** The learner's kubeconfig, as `classroom create` writes it: their token, their namespace, the extension. */
function learnerKubeconfig(sim: Simulator, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- cluster: {certificate-authority-data: ${Buffer.from(sim.ca).toString('base64')}, server: "${sim.url}"}`,
    '  name: class',
    'contexts:',
    '- name: churn-labs-ada',
    '  context:',
    '    cluster: class',
    '    user: ada',
    `    namespace: ${NS}`,
    '    extensions:',
    '    - name: churn-labs',
    '      extension:',
    '        learner: ada',
    `        namespace: ${NS}`,
    'current-context: churn-labs-ada',
    'users:',
    '- name: ada',
    `  user: {token: "${token}"}`,
    '',
  ].join('\n');
}

describe('a classroom learner in their own namespace, on the simulated cluster', () => {
  let home: string;
  let sim: Simulator;
  let lab: Lab;
  let kubeconfig: string;
  let upSteps: NonNullable<UpResult['steps']>;
  const admin = (args: string[], input?: string) =>
    execa('kubectl', ['--kubeconfig', sim.kubeconfig, '--context', sim.context, ...args], {
      reject: false,
      ...(input !== undefined ? { input } : {}),
    });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'churn-labs-classroom-'));
    // The CronJob clock runs 10,000 times slower than real time: no schedule fires during a test.
    sim = await startSimulator({ home, timeScale: 1 / 10_000 });
    // What `classroom create` does as the instructor.
    const made = await admin(['apply', '-f', '-'], INSTRUCTOR);
    expect(made.exitCode, String(made.stderr)).toBe(0);
    let token = '';
    for (let i = 0; i < 100 && !token; i++) {
      const got = await admin(['get', 'secret', 'learner-token', '-n', NS, '-o', 'jsonpath={.data.token}']);
      token = Buffer.from(String(got.stdout).trim(), 'base64').toString('utf8');
      if (!token) await new Promise((r) => setTimeout(r, 100));
    }
    expect(token).not.toBe('');
    kubeconfig = join(home, 'ada.kubeconfig');
    await writeFile(kubeconfig, learnerKubeconfig(sim, token), { mode: 0o600 });
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
    // Another namespace than the learner's own: RBAC refuses it, and the learner is told so.
    const other = {
      ...lab,
      namespace: 'churn-mlops-bob',
      paths: { ...lab.paths, workspace: join(home, 'w2') },
    };
    const events: UpEvent[] = [];
    const failed = await up(other, { onEvent: (e) => events.push(e) });
    expect(failed).toMatchObject({ ok: false, failedStep: 'classroom' });
    const end = events.find((e) => e.type === 'step-end' && e.id === 'classroom');
    expect(end).toMatchObject({
      outcome: 'failed',
      detail:
        'Your kubeconfig may not read the namespace churn-mlops-bob on the cluster of context churn-labs-ada.',
      fix: expect.stringContaining('the kubeconfig your instructor gave you'),
      outputTail: expect.stringContaining('forbidden'),
    });
  }, 60_000);

  it('churn-labs up, as the learner: no registry asked for, the namespace checked, the workspace up to date', async () => {
    const result = await churnLabs(['up'], { home });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(String(result.stdout)).toContain(`namespace ${NS} is there`);
    expect(String(result.stdout)).toContain(`namespace ${NS}`);
    const refused = await churnLabs(['up', '--registry', 'r.test'], { home });
    expect(refused.exitCode).toBe(2);
    expect(String(refused.stderr)).toMatch(/--registry is for the instructor/);
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
