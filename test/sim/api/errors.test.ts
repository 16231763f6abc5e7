import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/** The API's errors, as the real kubectl prints them. */
const deployment = (name: string, spec: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
${spec}`;

const GOOD_SPEC = `  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

describe('errors', () => {
  let cluster: TestCluster;
  const apply = (yaml: string, ...flags: string[]) =>
    cluster.kubectl(['apply', '-f', '-', ...flags], { input: yaml });

  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('404 NotFound names the resource with its group', async () => {
    const out = await cluster.kubectl(['get', 'deployment', 'ghost']);
    expect(out.exitCode).toBe(1);
    expect(out.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "ghost" not found');
    // kubectl 1.32 looks the namespace up after a 404 and names it when it is the missing part.
    const ns = await cluster.kubectl(['get', 'pods', '-n', 'nowhere', 'x']);
    expect(ns.stderr.trim()).toBe('Error from server (NotFound): namespaces "nowhere" not found');
    const pod = await cluster.kubectl(['get', 'pods', '-n', 'default', 'x']);
    expect(pod.stderr.trim()).toBe('Error from server (NotFound): pods "x" not found');
  });

  it('409 AlreadyExists and Conflict on a stale resourceVersion', async () => {
    expect(
      (await cluster.kubectl(['create', '-f', '-'], { input: deployment('web', GOOD_SPEC) })).exitCode,
    ).toBe(0);
    const again = await cluster.kubectl(['create', '-f', '-'], { input: deployment('web', GOOD_SPEC) });
    expect(again.stderr.trim()).toBe(
      'Error from server (AlreadyExists): error when creating "STDIN": deployments.apps "web" already exists',
    );
    const live = JSON.parse((await cluster.kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    await cluster.kubectl(['scale', 'deploy', 'web', '--replicas=2']);
    const stale = await cluster.kubectl(['replace', '-f', '-'], { input: JSON.stringify(live) });
    expect(stale.stderr.trim()).toBe(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('422 Invalid names every field, and kubectl lists them', async () => {
    const out = await apply(
      deployment(
        'bad',
        `  replicas: -1
  selector:
    matchLabels: {app: one}
  template:
    metadata:
      labels: {app: two}
    spec:
      containers:
      - name: Web_1
`,
      ),
    );
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('The Deployment "bad" is invalid: ');
    expect(out.stderr).toContain('* spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(out.stderr).toContain(
      '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"two"}: `selector` does not match template `labels`',
    );
    expect(out.stderr).toContain('* spec.template.spec.containers[0].image: Required value');
    expect(out.stderr).toMatch(
      /spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Web_1": a lowercase RFC 1123 label/,
    );

    const one = await apply(deployment('onebad', GOOD_SPEC.replace('replicas: 1', 'replicas: -2')));
    expect(one.stderr.trim()).toBe(
      'The Deployment "onebad" is invalid: spec.replicas: Invalid value: -2: must be greater than or equal to 0',
    );
    const name = await cluster.kubectl(['create', 'namespace', 'Bad_Name']);
    expect(name.stderr).toMatch(
      /^The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/,
    );
  });

  it('immutable fields: a Deployment selector, a Job template', async () => {
    const selector = await cluster.kubectl([
      'patch',
      'deploy',
      'web',
      '--type',
      'merge',
      '-p',
      '{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}',
    ]);
    expect(selector.stderr).toMatch(
      /The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector\{MatchLabels:map\[string\]string\{"app":"x"\}.*field is immutable/,
    );
    await cluster.kubectl(['create', 'job', 'once', '--image=busybox:1.36']);
    const job = await cluster.kubectl(['set', 'image', 'job/once', 'once=busybox:1.37']);
    expect(job.stderr.trim()).toBe(
      'error: failed to patch image update to pod template: Job.batch "once" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable',
    );
  });

  it('a bound PVC keeps its spec except a larger request, which its class must allow', async () => {
    await cluster.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n',
    });
    const { store } = cluster;
    const pvc = store.require('PersistentVolumeClaim', 'default', 'data');
    store.update('PersistentVolumeClaim', { ...pvc, spec: { ...pvc.spec, volumeName: 'pvc-1' } });
    const bound = store.require('PersistentVolumeClaim', 'default', 'data');
    store.update(
      'PersistentVolumeClaim',
      { ...bound, status: { phase: 'Bound', capacity: { storage: '1Gi' } } },
      { status: true },
    );
    const modes = await cluster.kubectl([
      'patch',
      'pvc',
      'data',
      '-p',
      '{"spec":{"accessModes":["ReadWriteMany"]}}',
    ]);
    expect(modes.stderr.trim()).toBe(
      'The PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
    const smaller = await cluster.kubectl([
      'patch',
      'pvc',
      'data',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"512Mi"}}}}',
    ]);
    expect(smaller.stderr).toContain(
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    );
    const larger = await cluster.kubectl([
      'patch',
      'pvc',
      'data',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}',
    ]);
    expect(larger.stderr.trim()).toBe(
      'Error from server (Forbidden): persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
  });

  it('400 for unknown fields under fieldValidation=Strict; a warning under Warn', async () => {
    const strict = await apply(deployment('typo', GOOD_SPEC.replace('replicas: 1', 'replcas: 1')));
    expect(strict.stderr.trim()).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replcas"',
    );
    const warn = await apply(
      deployment('typo', GOOD_SPEC.replace('replicas: 1', 'replcas: 1')),
      '--validate=warn',
    );
    expect(warn.exitCode).toBe(0);
    expect(warn.stderr).toContain('Warning: unknown field "spec.replcas"');
    const stored = JSON.parse((await cluster.kubectl(['get', 'deploy', 'typo', '-o', 'json'])).stdout);
    expect(stored.spec.replcas).toBeUndefined();
    const types = await apply(deployment('types', GOOD_SPEC.replace('replicas: 1', 'replicas: "three"')));
    expect(types.stderr).toContain(
      'cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('survives an unknown field named with smart quotes (a key copied from a web page): kubectl reads the warning, the server goes on', async () => {
    const manifest =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: quoted\n\u201cdata\u201d:\n  a: "1"\n';
    const warned = await apply(manifest, '--validate=warn');
    expect(warned.exitCode, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('Warning: unknown field "\u201cdata\u201d"');
    expect(warned.stdout).toContain('configmap/quoted created');
    // The same server answers the next request.
    const after = await cluster.kubectl(['get', 'configmap', 'quoted', '-o', 'name']);
    expect(after.stdout.trim()).toBe('configmap/quoted');
  });

  it('namespaces that do not exist or are being deleted refuse new content', async () => {
    const missing = await cluster.kubectl(['create', 'configmap', 'x', '-n', 'nope']);
    expect(missing.stderr.trim()).toBe('error: failed to create configmap: namespaces "nope" not found');
    await cluster.kubectl(['create', 'namespace', 'going']);
    await cluster.kubectl(['create', 'configmap', 'keep', '-n', 'going']);
    // No namespace controller runs here, so the namespace stays Terminating while it has content.
    await cluster.kubectl(['delete', 'namespace', 'going', '--wait=false']);
    const ns = JSON.parse((await cluster.kubectl(['get', 'ns', 'going', '-o', 'json'])).stdout);
    expect(ns.status.phase).toBe('Terminating');
    expect(ns.metadata.deletionTimestamp).toBeTruthy();
    const refused = await cluster.kubectl(['create', 'configmap', 'late', '-n', 'going']);
    expect(refused.stderr.trim()).toBe(
      'error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace going because it is being terminated',
    );
    const system = await cluster.kubectl(['delete', 'namespace', 'default']);
    expect(system.stderr.trim()).toBe(
      'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted',
    );
  });

  it('400 for selectors the API cannot parse', async () => {
    const field = await cluster.kubectl(['get', 'pods', '--field-selector', 'spec.color=red']);
    expect(field.stderr).toMatch(/field label not supported: spec\.color/);
    const label = await cluster.kubectl(['get', '--raw', '/api/v1/pods?labelSelector=a%20in%20(']);
    expect(label.exitCode).toBe(1);
    // An empty set and a key too long are refused, as the labels package refuses them.
    const empty = await cluster.kubectl(['get', 'pods', '-l', 'app in ()']);
    expect(empty.stderr).toContain(
      "unable to parse requirement: values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
    const long = await cluster.kubectl(['get', 'pods', '-l', `${'k'.repeat(64)}=v`]);
    expect(long.stderr).toContain(
      `Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
    );
  });
});
