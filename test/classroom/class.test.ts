import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Classroom, startClassroom } from './helpers.js';

/**
 * A class of three on the simulated cluster, made by `classroom create` from the instructor's
 * admin context: the namespaces and access, the kubeconfigs, and what a learner's kubeconfig may
 * and may not do, checked by the API server's RBAC and quota as a real cluster checks them.
 */
let room: Classroom;
const learners = ['ana', 'bob', 'cy'];
const kubeconfigOf = (name: string) => join(room.home, 'classroom', `${name}.kubeconfig`);
const user = (name: string) => `system:serviceaccount:churn-mlops-${name}:learner`;

const resourceVersions = async (namespace: string) => {
  const got = await room.kubectl([
    'get',
    'serviceaccounts,secrets,roles,rolebindings,resourcequotas,limitranges,configmaps',
    '-n',
    namespace,
    '-o',
    'jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion}{"\\n"}{end}',
  ]);
  return got.stdout;
};

beforeAll(async () => {
  room = await startClassroom();
  const file = join(room.home, 'learners.txt');
  await writeFile(file, `# Tuesday's class\n${learners.join('\n')}\n`);
  const made = await room.churnLabs(['classroom', 'create', '--learners', file, '--yes']);
  expect(made.stderr).toBe('');
  expect(made.exitCode).toBe(0);
}, 180_000);

afterAll(async () => {
  await room?.stop();
});

describe('classroom create', () => {
  it("writes each learner's kubeconfig, private to the instructor, on their own context and namespace", async () => {
    for (const name of learners) {
      const file = kubeconfigOf(name);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const config = parse(await readFile(file, 'utf8'));
      expect(config['current-context']).toBe(`churn-labs-${name}`);
      expect(config.contexts).toHaveLength(1);
      expect(config.contexts[0].context.namespace).toBe(`churn-mlops-${name}`);
      expect(config.contexts[0].context.extensions).toEqual([
        { name: 'churn-labs', extension: { learner: name, namespace: `churn-mlops-${name}` } },
      ]);
      expect(config.users[0].user.token).toMatch(/\S{20,}/);
      expect(config.clusters[0].cluster.server).toBe(room.sim.url);
      // The token is the learner's ServiceAccount's, known to the API server.
      const own = await room.asLearner(name, ['get', 'configmap', 'churn-labs-progress', '-o', 'name']);
      expect(own.stdout).toBe('configmap/churn-labs-progress');
    }
  });

  it('makes the objects of the shared design in each namespace', async () => {
    const got = await room.kubectl([
      'get',
      'serviceaccount/learner',
      'secret/learner-token',
      'role/churn-labs-learner',
      'rolebinding/churn-labs-learner',
      'resourcequota/churn-labs-quota',
      'resourcequota/churn-labs-objects',
      'limitrange/churn-labs-limits',
      'configmap/churn-labs-progress',
      '-n',
      'churn-mlops-bob',
      '-o',
      'name',
    ]);
    expect(got.stderr).toBe('');
    expect(got.stdout.trim().split('\n')).toHaveLength(8);
    const ns = await room.kubectl([
      'get',
      'namespace',
      'churn-mlops-bob',
      '-o',
      'jsonpath={.metadata.labels}',
    ]);
    expect(JSON.parse(ns.stdout)).toMatchObject({
      'app.kubernetes.io/managed-by': 'churn-labs',
      'churn-labs.dev/learner': 'bob',
    });
    const bindings = await room.kubectl([
      'get',
      'clusterrolebindings',
      '-l',
      'churn-labs.dev/learner',
      '-o',
      'name',
    ]);
    expect(bindings.stdout.trim().split('\n').sort()).toEqual(
      learners.map((n) => `clusterrolebinding.rbac.authorization.k8s.io/churn-labs-learner-${n}`),
    );
  });

  it('adds a new name on a re-run and changes nothing else', async () => {
    const before = await resourceVersions('churn-mlops-ana');
    const kubeconfig = await readFile(kubeconfigOf('ana'), 'utf8');
    const file = join(room.home, 'learners-2.txt');
    await writeFile(file, [...learners, 'dee'].join('\n'));
    const run = await room.churnLabs([
      'classroom',
      'create',
      '--learners',
      file,
      '--yes',
      '--registry',
      'registry.example:5000/class',
      '--storage-class',
      'fast',
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/left as they are: ana, bob, cy/);
    // The new learner's lab takes its images and claim's class from their kubeconfig.
    const dee = parse(await readFile(kubeconfigOf('dee'), 'utf8'));
    expect(dee.contexts[0].context.extensions[0].extension).toEqual({
      learner: 'dee',
      namespace: 'churn-mlops-dee',
      registry: 'registry.example:5000/class',
      storageClass: 'fast',
    });
    expect(run.stdout).toMatch(/Wrote 1 kubeconfig/);
    expect(await resourceVersions('churn-mlops-ana')).toBe(before);
    expect(await readFile(kubeconfigOf('ana'), 'utf8')).toBe(kubeconfig);
    expect((await stat(kubeconfigOf('dee'))).mode & 0o777).toBe(0o600);
    const again = await room.churnLabs(['classroom', 'create', '--learners', file, '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/Nothing to add/);
  });
});

describe("a learner's kubeconfig", () => {
  const can = async (name: string, ...args: string[]) =>
    (await room.asLearner(name, ['auth', 'can-i', ...args])).stdout.trim();

  it('may do the course in its own namespace', async () => {
    for (const args of [
      ['create', 'deployments.apps'],
      ['patch', 'deployments.apps'],
      ['update', 'deployments.apps/scale'],
      ['create', 'jobs.batch'],
      ['delete', 'horizontalpodautoscalers.autoscaling'],
      ['create', 'pods/portforward'],
      ['create', 'pods/exec'],
      ['get', 'pods/log'],
      ['get', 'services/proxy'],
      ['list', 'resourcequotas'],
      ['get', 'namespace/churn-mlops-ana'],
      ['list', 'nodes'],
      ['list', 'storageclasses.storage.k8s.io'],
    ])
      expect(`${args.join(' ')}: ${await can('ana', ...args)}`).toBe(`${args.join(' ')}: yes`);
  });

  it("reads a node's Allocatable but not the pods on it, so the labs send a learner to their quota", async () => {
    // What test/labs/content.test.ts keeps out of the classroom steps: the node's Allocated resources.
    const node = await room.asLearner('ana', ['describe', 'node']);
    expect(node.exitCode).toBe(0);
    expect(node.stdout).toMatch(/^Allocatable:/m);
    expect(node.stdout).toMatch(/^Pods:\s+not authorized$/m);
    expect(node.stdout).not.toContain('Allocated resources');
    const quota = await room.asLearner('ana', ['describe', 'resourcequota', '-n', 'churn-mlops-ana']);
    expect(quota.stdout).toMatch(/requests\.memory\s+\S+\s+10Gi/);
  });

  it("is refused anything in another learner's namespace or cluster-wide, and its own access and room", async () => {
    for (const args of [
      ['get', 'pods', '-n', 'churn-mlops-bob'],
      ['list', 'pods', '-n', 'churn-mlops-bob'],
      ['watch', 'pods', '-n', 'churn-mlops-bob'],
      ['create', 'deployments.apps', '-n', 'churn-mlops-bob'],
      ['list', 'secrets', '-n', 'kube-system'],
      ['list', 'secrets', '-A'],
      ['get', 'namespace/churn-mlops-bob'],
      ['list', 'namespaces'],
      ['create', 'namespaces'],
      ['create', 'persistentvolumes'],
      ['create', 'clusterrolebindings.rbac.authorization.k8s.io'],
      ['create', 'rolebindings.rbac.authorization.k8s.io'],
      ['update', 'roles.rbac.authorization.k8s.io/churn-labs-learner'],
      ['patch', 'resourcequotas/churn-labs-quota'],
      ['delete', 'limitranges/churn-labs-limits'],
    ])
      expect(`${args.join(' ')}: ${await can('ana', ...args)}`).toBe(`${args.join(' ')}: no`);
  });

  it('is refused by the API server in real attempts, with its messages', async () => {
    const list = await room.asLearner('ana', ['get', 'pods', '-n', 'churn-mlops-bob']);
    expect(list.exitCode).toBe(1);
    expect(list.stderr).toContain(
      `Error from server (Forbidden): pods is forbidden: User "${user('ana')}" cannot list resource "pods" in API group "" in the namespace "churn-mlops-bob"`,
    );
    const secrets = await room.asLearner('ana', ['get', 'secrets', '-A']);
    expect(secrets.stderr).toContain(
      `secrets is forbidden: User "${user('ana')}" cannot list resource "secrets" in API group "" at the cluster scope`,
    );
    const namespace = await room.asLearner('ana', ['create', 'namespace', 'sneaky']);
    expect(namespace.stderr).toContain(
      `namespaces is forbidden: User "${user('ana')}" cannot create resource "namespaces" in API group "" at the cluster scope`,
    );
    const watch = await room.asLearner('ana', [
      'get',
      'configmaps',
      '-n',
      'churn-mlops-bob',
      '--watch',
      '--request-timeout=5s',
    ]);
    expect(watch.stderr).toContain(
      `cannot list resource "configmaps" in API group "" in the namespace "churn-mlops-bob"`,
    );
    // Escalation: a binding of cluster-admin in their own namespace.
    const binding = await room.asLearner('ana', [
      'create',
      'rolebinding',
      'mine',
      '--clusterrole=cluster-admin',
      `--serviceaccount=churn-mlops-ana:learner`,
    ]);
    expect(binding.exitCode).toBe(1);
    expect(binding.stderr).toContain('rolebindings.rbac.authorization.k8s.io is forbidden');
    const created = await room.asLearner('ana', ['create', 'configmap', 'notes', '--from-literal=a=b']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('configmap/notes created');
  });

  it('meets the quota: an oversized pod is refused, a BestEffort one (resources-qos) is not', async () => {
    const pod = (name: string, resources: object) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'nginx', resources }] },
      });
    const big = await room.asLearner(
      'cy',
      ['apply', '-f', '-'],
      pod('big', { requests: { memory: '11Gi' }, limits: { memory: '11Gi' } }),
    );
    expect(big.exitCode).toBe(1);
    expect(big.stderr).toContain(
      'pods "big" is forbidden: exceeded quota: churn-labs-quota, requested: requests.memory=11Gi, used: requests.memory=0, limited: requests.memory=10Gi',
    );
    const bestEffort = await room.asLearner('cy', ['apply', '-f', '-'], pod('best-effort', {}));
    expect(bestEffort.stderr).toBe('');
    // incident-hpa-blind's pods: memory but no CPU request, admitted too.
    const noCpu = await room.asLearner(
      'cy',
      ['apply', '-f', '-'],
      pod('no-cpu', { requests: { memory: '512Mi' }, limits: { memory: '1Gi' } }),
    );
    expect(noCpu.stderr).toBe('');
  });
});

describe('classroom delete', () => {
  it('asks first, and without a terminal needs --yes', async () => {
    const run = await room.churnLabs(['classroom', 'delete']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/Delete the class .* 4 learner namespaces \(ana, bob, cy, dee\).*pass --yes/s);
  });

  it('removes the namespaces, the access and the kubeconfigs', async () => {
    const run = await room.churnLabs(['classroom', 'delete', '--yes'], { timeout: 360_000 });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const left = await room.kubectl([
      'get',
      'namespaces,clusterrolebindings',
      '-l',
      'app.kubernetes.io/managed-by=churn-labs',
      '-o',
      'name',
    ]);
    expect(left.stdout).toBe('');
    const role = await room.kubectl([
      'get',
      'clusterrole',
      'churn-labs-learner-cluster',
      '--ignore-not-found',
      '-o',
      'name',
    ]);
    expect(role.stdout).toBe('');
    for (const name of [...learners, 'dee']) await expect(stat(kubeconfigOf(name))).rejects.toThrow(/ENOENT/);
    const status = await room.churnLabs(['classroom', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toEqual({ learners: [] });
  }, 400_000);
});
