import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NamespaceController } from '../../../src/sim/controllers/namespace.js';
import { KUBECTL, setPodRunning, startCluster, type TestCluster, testRuntime, waitFor } from './helpers.js';

/**
 * Authentication and RBAC as a classroom uses them: a learner is a ServiceAccount with a Role in
 * their own namespace, reaching the cluster with the token of a Secret; the admin kubeconfig
 * (system:masters) keeps doing everything. Every answer is the real kubectl's reading of the
 * simulated API server's, worded as a real API server words it.
 */
let cluster: TestCluster;
let token: string;
let learnerConfig: string;

const A = 'churn-mlops-ada';
const B = 'churn-mlops-bob';
const LEARNER = `system:serviceaccount:${A}:learner`;

const setup = `
apiVersion: v1
kind: Namespace
metadata: {name: ${A}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${B}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: learner, namespace: ${A}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: churn-labs-learner, namespace: ${A}}
rules:
- apiGroups: ["", apps, batch]
  resources: [pods, pods/log, pods/exec, pods/portforward, services, configmaps, deployments, jobs, roles]
  verbs: ["*"]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings]
  verbs: [get, list, create, update, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: churn-labs-learner, namespace: ${A}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: churn-labs-learner}
subjects:
- {kind: ServiceAccount, name: learner, namespace: ${A}}
---
apiVersion: v1
kind: Secret
metadata:
  name: learner-token
  namespace: ${A}
  annotations: {kubernetes.io/service-account.name: learner}
type: kubernetes.io/service-account-token
`;

function kubeconfigWithToken(value: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- cluster: {certificate-authority-data: ${Buffer.from(cluster.sim.ca).toString('base64')}, server: "${cluster.sim.url}"}`,
    '  name: sim',
    'contexts:',
    `- context: {cluster: sim, user: learner, namespace: ${A}}`,
    '  name: learner',
    'current-context: learner',
    'users:',
    `- name: learner`,
    `  user: {token: "${value}"}`,
    '',
  ].join('\n');
}

async function kubectlWith(config: string, args: string[], input = '') {
  const result = await execa(
    KUBECTL,
    [
      '--kubeconfig',
      config,
      '--context',
      'learner',
      '--cache-dir',
      join(cluster.home, 'learner-cache'),
      ...args,
    ],
    {
      reject: false,
      input,
      timeout: 30_000,
      env: { HOME: cluster.home },
      extendEnv: true,
      stripFinalNewline: false,
    },
  );
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}
const learner = (args: string[], input = '') => kubectlWith(learnerConfig, args, input);

beforeAll(async () => {
  const runtime = testRuntime({ exec: true });
  cluster = await startCluster({ runtime });
  const applied = await cluster.kubectl(['apply', '-f', '-'], { input: setup });
  expect(applied.stderr).toBe('');
  const data = await waitFor(async () => {
    const got = await cluster.kubectl([
      'get',
      'secret',
      'learner-token',
      '-n',
      A,
      '-o',
      'jsonpath={.data.token}',
    ]);
    return got.stdout.trim() || undefined;
  }, 'the token controller to fill learner-token');
  token = Buffer.from(data, 'base64').toString('utf8');
  learnerConfig = join(cluster.home, 'learner.kubeconfig');
  await writeFile(learnerConfig, kubeconfigWithToken(token));
  for (const ns of [A, B]) {
    await cluster.kubectl(['run', 'web', '-n', ns, '--image', 'nginx', '--port', '80']);
    setPodRunning(cluster.store, ns, 'web');
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('a ServiceAccount with a Role in its namespace', () => {
  it('does in its namespace what the Role says', async () => {
    expect((await learner(['get', 'pods'])).stdout).toMatch(/^web\s/m);
    const created = await learner(['create', 'configmap', 'notes', '--from-literal=a=b']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('configmap/notes created\n');
    expect((await learner(['exec', 'web', '--', 'echo', 'hi'])).stdout).toBe('hi\n');
  });

  it('is forbidden in another namespace: get, list, create, watch, logs, exec, port-forward', async () => {
    const user = JSON.stringify(LEARNER);
    const list = await learner(['get', 'pods', '-n', B]);
    expect(list.exitCode).toBe(1);
    expect(list.stderr).toBe(
      `Error from server (Forbidden): pods is forbidden: User ${user} cannot list resource "pods" in API group "" in the namespace "${B}"\n`,
    );
    const get = await learner(['get', 'pod', 'web', '-n', B]);
    expect(get.stderr).toBe(
      `Error from server (Forbidden): pods "web" is forbidden: User ${user} cannot get resource "pods" in API group "" in the namespace "${B}"\n`,
    );
    const create = await learner(['create', 'configmap', 'x', '-n', B]);
    expect(create.stderr).toContain(
      `configmaps is forbidden: User ${user} cannot create resource "configmaps" in API group "" in the namespace "${B}"`,
    );
    const watch = await learner(['get', 'pods', '-n', B, '--watch-only', '--request-timeout=5s']);
    expect(watch.stderr).toContain(`cannot list resource "pods" in API group "" in the namespace "${B}"`);
    const logs = await learner(['logs', 'web', '-n', B]);
    expect(logs.stderr).toContain(
      `pods "web" is forbidden: User ${user} cannot get resource "pods" in API group ""`,
    );
    const exec = await learner(['exec', 'web', '-n', B, '--', 'echo', 'hi']);
    expect(exec.exitCode).not.toBe(0);
    expect(exec.stderr).toContain('is forbidden');
    const forward = await learner(['port-forward', 'pod/web', '-n', B, '18080:80']);
    expect(forward.exitCode).not.toBe(0);
    expect(forward.stderr).toContain('is forbidden');
  });

  it('reads its own namespace through a Role that grants namespaces, and no other', async () => {
    await cluster.kubectl([
      'create',
      'role',
      'own-namespace',
      '--verb=get',
      '--resource=namespaces',
      '-n',
      A,
    ]);
    await cluster.kubectl([
      'create',
      'rolebinding',
      'own-namespace',
      '--role=own-namespace',
      `--serviceaccount=${A}:learner`,
      '-n',
      A,
    ]);
    expect((await learner(['get', 'namespace', A, '-o', 'name'])).stdout).toBe(`namespace/${A}\n`);
    expect((await learner(['get', 'namespace', B])).stderr).toBe(
      `Error from server (Forbidden): namespaces "${B}" is forbidden: User "${LEARNER}" cannot get resource "namespaces" in API group "" in the namespace "${B}"\n`,
    );
  });

  it('is forbidden the subresources its Role does not name, with their names', async () => {
    // The Role has pods/log in A: in B, it is the subresource that is refused.
    const result = await cluster.fetch(`/api/v1/namespaces/${B}/pods/web/log`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(result.status).toBe(403);
    expect(((await result.json()) as { message: string }).message).toBe(
      `pods "web" is forbidden: User "${LEARNER}" cannot get resource "pods/log" in API group "" in the namespace "${B}"`,
    );
  });

  it('cannot list secrets elsewhere, pods in every namespace, or create cluster-scoped objects', async () => {
    const secrets = await learner(['get', 'secrets', '-n', 'kube-system']);
    expect(secrets.stderr).toContain(
      `secrets is forbidden: User "${LEARNER}" cannot list resource "secrets" in API group "" in the namespace "kube-system"`,
    );
    const all = await learner(['get', 'pods', '-A']);
    expect(all.stderr).toBe(
      `Error from server (Forbidden): pods is forbidden: User "${LEARNER}" cannot list resource "pods" in API group "" at the cluster scope\n`,
    );
    const ns = await learner(['create', 'namespace', 'mine']);
    expect(ns.stderr).toBe(
      `Error from server (Forbidden): namespaces is forbidden: User "${LEARNER}" cannot create resource "namespaces" in API group "" at the cluster scope\n`,
    );
    const role = await learner(['create', 'clusterrole', 'mine', '--verb=get', '--resource=pods']);
    expect(role.stderr).toContain(
      `clusterroles.rbac.authorization.k8s.io is forbidden: User "${LEARNER}" cannot create resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope`,
    );
  });

  it('cannot grant more than it holds: a Role with more, a binding to cluster-admin', async () => {
    const more = await learner(['create', 'role', 'more', '--verb=get', '--resource=secrets']);
    expect(more.exitCode).toBe(1);
    expect(more.stderr).toBe(
      `Error from server (Forbidden): roles.rbac.authorization.k8s.io "more" is forbidden: user "${LEARNER}" (groups=["system:serviceaccounts" "system:serviceaccounts:${A}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}\n`,
    );
    const bind = await learner([
      'create',
      'rolebinding',
      'admin',
      '--clusterrole=cluster-admin',
      `--serviceaccount=${A}:learner`,
    ]);
    expect(bind.exitCode).toBe(1);
    expect(bind.stderr).toContain(
      `rolebindings.rbac.authorization.k8s.io "admin" is forbidden: user "${LEARNER}" (groups=["system:serviceaccounts" "system:serviceaccounts:${A}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}`,
    );
    // What it holds, it may grant.
    const less = await learner(['create', 'role', 'less', '--verb=get', '--resource=pods']);
    expect(less.stderr).toBe('');
  });

  it('auth can-i says yes and no, for itself and, impersonated, for the admin', async () => {
    expect((await learner(['auth', 'can-i', 'create', 'deployments'])).stdout).toBe('yes\n');
    const no = await learner(['auth', 'can-i', 'list', 'pods', '-n', B]);
    expect(no.stdout).toBe('no\n');
    expect(no.exitCode).toBe(1);
    expect((await learner(['auth', 'can-i', 'create', 'namespaces'])).stdout).toBe('no\n');
    expect((await cluster.kubectl(['auth', 'can-i', 'create', 'namespaces'])).stdout).toBe('yes\n');
    const as = ['--as', LEARNER];
    expect((await cluster.kubectl(['auth', 'can-i', 'get', 'pods', '-n', A, ...as])).stdout).toBe('yes\n');
    expect((await cluster.kubectl(['auth', 'can-i', 'get', 'pods', '-n', B, ...as])).stdout).toBe('no\n');
    const listed = await learner(['auth', 'can-i', '--list']);
    expect(listed.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[\*\]$/m);
    expect(listed.stdout).toMatch(
      /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m,
    );
    const whoami = await learner(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami.stdout).toBe(LEARNER);
  });

  it('may not impersonate anyone without the impersonate verb', async () => {
    const as = await learner(['get', 'pods', '--as=kubernetes-admin']);
    expect(as.stderr).toBe(
      `Error from server (Forbidden): users "kubernetes-admin" is forbidden: User "${LEARNER}" cannot impersonate resource "users" in API group "" at the cluster scope\n`,
    );
    const group = await learner(['get', 'pods', '--as=someone', '--as-group=system:masters']);
    expect(group.stderr).toContain(
      `users "someone" is forbidden: User "${LEARNER}" cannot impersonate resource "users"`,
    );
    // The admin may: as the learner, it gets what the learner gets.
    const admin = await cluster.kubectl(['get', 'pods', '-n', B, `--as=${LEARNER}`]);
    expect(admin.stderr).toContain(
      `User "${LEARNER}" cannot list resource "pods" in API group "" in the namespace "${B}"`,
    );
  });

  it('keeps an impersonated extra named __proto__ as a key, and refuses a bad percent-encoding with 400', async () => {
    const review = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    };
    const asked = await cluster.fetch('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'Impersonate-User': 'someone',
        'Impersonate-Extra-__proto__': 'polluted',
      },
      body: JSON.stringify(review),
    });
    expect(asked.status).toBe(201);
    const extra = ((await asked.json()) as { status: { userInfo: { extra: Record<string, unknown> } } })
      .status.userInfo.extra;
    expect(Object.hasOwn(extra, '__proto__')).toBe(true);
    expect(extra).toEqual(JSON.parse('{"__proto__": ["polluted"]}'));
    const bad = await cluster.fetch('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'Impersonate-User': 'someone',
        'Impersonate-Extra-%zz': 'x',
      },
      body: JSON.stringify(review),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/Impersonate-Extra/);
  });
});

describe('the RBAC kinds and ServiceAccounts', () => {
  it('prints them as kubectl shows them on a real cluster', async () => {
    const sa = await cluster.kubectl(['get', 'sa', '-n', A]);
    expect(sa.stdout).toMatch(/^NAME\s+SECRETS\s+AGE\ndefault\s+0\s+\S+\nlearner\s+0\s+\S+\n$/);
    const roles = await cluster.kubectl(['get', 'roles', '-n', A]);
    expect(roles.stdout).toMatch(
      /^NAME\s+CREATED AT\nchurn-labs-learner\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/,
    );
    const bindings = await cluster.kubectl(['get', 'rolebindings', '-n', A, '-o', 'wide']);
    expect(bindings.stdout).toMatch(
      new RegExp(
        `^NAME\\s+ROLE\\s+AGE\\s+USERS\\s+GROUPS\\s+SERVICEACCOUNTS\\nchurn-labs-learner\\s+Role/churn-labs-learner\\s+\\S+\\s+${A}/learner\\n`,
      ),
    );
    const crb = await cluster.kubectl(['get', 'clusterrolebinding', 'cluster-admin']);
    expect(crb.stdout).toMatch(/^NAME\s+ROLE\s+AGE\ncluster-admin\s+ClusterRole\/cluster-admin\s+\S+\n$/);
  });

  it("validates roles and bindings with the API server's messages", async () => {
    const role = await cluster.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: broken, namespace: ${A}}\nrules:\n- apiGroups: [""]\n  resources: [pods]\n- nonResourceURLs: [/healthz]\n  verbs: [get]\n`,
    });
    expect(role.stderr).toBe(
      'The Role "broken" is invalid: \n* rules[0].verbs: Required value: verbs must contain at least one value\n* rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs\n',
    );
    const binding = await cluster.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: broken}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}\nsubjects:\n- {kind: ServiceAccount, name: learner}\n`,
    });
    expect(binding.stderr).toBe(
      'The ClusterRoleBinding "broken" is invalid: \n* roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"\n* subjects[0].namespace: Required value\n',
    );
    const changed = await cluster.kubectl([
      'patch',
      'rolebinding',
      'churn-labs-learner',
      '-n',
      A,
      '--type=merge',
      '-p',
      '{"roleRef":{"name":"other"}}',
    ]);
    expect(changed.stderr).toContain(
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef',
    );
  });

  it('fills admin, edit and view from the roles their labels select', async () => {
    const mayList = async () =>
      (await cluster.kubectl(['auth', 'can-i', 'list', 'deployments.apps', '--as=someone', '-n', B])).stdout;
    expect(await mayList()).toBe('no\n');
    await cluster.kubectl([
      'create',
      'rolebinding',
      'someone-views',
      '--clusterrole=view',
      '--user=someone',
      '-n',
      B,
    ]);
    await waitFor(async () => (await mayList()) === 'yes\n', 'view to grant list deployments');
    expect((await cluster.kubectl(['auth', 'can-i', 'get', 'secrets', '--as=someone', '-n', B])).stdout).toBe(
      'no\n',
    );
    await cluster.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: secrets-reader\n  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}\nrules:\n- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]\n',
    });
    await waitFor(async () => {
      const got = await cluster.kubectl(['auth', 'can-i', 'get', 'secrets', '--as=someone', '-n', B]);
      return got.stdout === 'yes\n';
    }, 'the aggregated rule');
    const edit = await cluster.kubectl([
      'get',
      'clusterrole',
      'edit',
      '-o',
      'jsonpath={.rules[*].resources}',
    ]);
    expect(edit.stdout).toContain('secrets');
  });
});

describe('authentication', () => {
  it('answers 401 to a token it did not sign, which kubectl reports as not logged in', async () => {
    const config = join(cluster.home, 'bad.kubeconfig');
    await writeFile(config, kubeconfigWithToken(`${token.slice(0, -4)}AAAA`));
    const result = await kubectlWith(config, ['get', 'pods']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('a token made by kubectl create token works until it expires, and names its ServiceAccount', async () => {
    const created = await cluster.kubectl(['create', 'token', 'learner', '-n', A, '--duration=10m']);
    expect(created.stderr).toBe('');
    const config = join(cluster.home, 'bound.kubeconfig');
    await writeFile(config, kubeconfigWithToken(created.stdout.trim()));
    expect(
      (await kubectlWith(config, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).stdout,
    ).toBe(LEARNER);
    const short = await cluster.kubectl(['create', 'token', 'learner', '-n', A, '--duration=1m']);
    expect(short.stderr).toContain('may not specify a duration less than 10 minutes');
  });

  it('a Secret-based token stops working once its Secret is deleted', async () => {
    await cluster.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: second\n  namespace: ${A}\n  annotations: {kubernetes.io/service-account.name: learner}\ntype: kubernetes.io/service-account-token\n`,
    });
    const data = await waitFor(async () => {
      const got = await cluster.kubectl(['get', 'secret', 'second', '-n', A, '-o', 'jsonpath={.data.token}']);
      return got.stdout.trim() || undefined;
    }, 'the second token');
    const config = join(cluster.home, 'second.kubeconfig');
    await writeFile(config, kubeconfigWithToken(Buffer.from(data, 'base64').toString('utf8')));
    expect((await kubectlWith(config, ['get', 'pods'])).exitCode).toBe(0);
    await cluster.kubectl(['delete', 'secret', 'second', '-n', A]);
    const after = await kubectlWith(config, ['get', 'pods']);
    expect(after.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('deleting a namespace revokes the tokens of its ServiceAccounts', async () => {
    // The namespace controller, which the API tests otherwise leave off, empties it.
    const controller = new NamespaceController(cluster.store).start();
    try {
      await cluster.kubectl(['create', 'namespace', 'churn-mlops-cy']);
      await cluster.kubectl(['create', 'serviceaccount', 'learner', '-n', 'churn-mlops-cy']);
      await cluster.kubectl([
        'create',
        'rolebinding',
        'view',
        '--clusterrole=view',
        '--serviceaccount=churn-mlops-cy:learner',
        '-n',
        'churn-mlops-cy',
      ]);
      const made = await cluster.kubectl(['create', 'token', 'learner', '-n', 'churn-mlops-cy']);
      const config = join(cluster.home, 'cy.kubeconfig');
      await writeFile(config, kubeconfigWithToken(made.stdout.trim()));
      expect((await kubectlWith(config, ['get', 'pods', '-n', 'churn-mlops-cy'])).stderr).toBe(
        'No resources found in churn-mlops-cy namespace.\n',
      );
      await cluster.kubectl(['delete', 'namespace', 'churn-mlops-cy', '--wait=false']);
      await waitFor(
        () => !cluster.store.get('Namespace', undefined, 'churn-mlops-cy'),
        'the namespace to go',
      );
      const after = await kubectlWith(config, ['get', 'pods', '-n', 'churn-mlops-cy']);
      expect(after.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    } finally {
      controller.stop();
    }
  });

  it('no credentials: system:anonymous, who may read /version but nothing else', async () => {
    const anonymous = await cluster.fetch(`${cluster.sim.url}/api/v1/namespaces/${A}/pods`, {});
    // cluster.fetch sends the admin certificate; a bare request does not.
    expect(anonymous.status).toBe(200);
    const { request } = await import('node:https');
    const bare = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${cluster.sim.url}${path}`, { ca: cluster.sim.ca }, (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await bare('/version')).status).toBe(200);
    const pods = await bare(`/api/v1/namespaces/${A}/pods`);
    expect(pods.status).toBe(403);
    expect(JSON.parse(pods.body).message).toBe(
      `pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "${A}"`,
    );
    expect(JSON.parse((await bare('/api')).body).message).toBe(
      'forbidden: User "system:anonymous" cannot get path "/api"',
    );
  });

  it('TokenReview says whose a token is; a LocalSubjectAccessReview asks about its own namespace', async () => {
    const review = (body: unknown) =>
      cluster.kubectl(['create', '-f', '-', '-o', 'json'], { input: JSON.stringify(body) });
    const good = JSON.parse(
      (await review({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } })).stdout,
    );
    expect(good.status).toMatchObject({ authenticated: true, user: { username: LEARNER } });
    const bad = JSON.parse(
      (
        await review({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: { token: 'x.y.z' },
        })
      ).stdout,
    );
    expect(bad.status.authenticated).toBeUndefined();
    const local = await review({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'LocalSubjectAccessReview',
      metadata: { namespace: A },
      spec: {
        user: LEARNER,
        groups: ['system:serviceaccounts'],
        resourceAttributes: { namespace: A, verb: 'list', resource: 'pods' },
      },
    });
    expect(JSON.parse(local.stdout).status).toEqual({ allowed: true });
    const elsewhere = await review({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'LocalSubjectAccessReview',
      metadata: { namespace: A },
      spec: { user: LEARNER, resourceAttributes: { namespace: B, verb: 'list', resource: 'pods' } },
    });
    expect(elsewhere.stderr).toContain(
      'spec.resourceAttributes.namespace: Invalid value: "churn-mlops-bob": must match metadata.namespace',
    );
  });

  it('the admin kubeconfig is kubernetes-admin in system:masters, and may do everything', async () => {
    const whoami = await cluster.kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo}']);
    expect(JSON.parse(whoami.stdout)).toEqual({
      username: 'kubernetes-admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    expect((await cluster.kubectl(['get', 'pods', '-A'])).exitCode).toBe(0);
    expect((await cluster.kubectl(['auth', 'can-i', '*', '*'])).stdout).toBe('yes\n');
  });
});
