import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPodRunning, startCluster, type TestCluster } from './helpers.js';

/** Updates (PUT and PATCH) as a real API server judges them: what may change, and preconditions. */
describe('updates', () => {
  let cluster: TestCluster;
  const json = async (...args: string[]) =>
    JSON.parse((await cluster.kubectl([...args, '-o', 'json'])).stdout);
  const replace = (object: unknown) =>
    cluster.kubectl(['replace', '-f', '-'], { input: JSON.stringify(object) });

  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  activeDeadlineSeconds: 100
  tolerations: [{key: a, operator: Exists, effect: NoSchedule}]
  containers:
  - name: web
    image: nginx:1.27
    resources: {requests: {cpu: 500m, memory: 64Mi}}
`,
    });
    setPodRunning(cluster.store, 'default', 'web');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a Pod read and written back unchanged is replaced (specs compare by meaning, not key order)', async () => {
    const pod = await json('get', 'pod', 'web');
    const out = await replace(pod);
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe('pod/web replaced');
    // Quantities compare by value: 0.5 CPU is 500m.
    pod.spec.containers[0].resources.requests.cpu = '0.5';
    delete pod.metadata.resourceVersion;
    expect((await replace(pod)).stdout.trim()).toBe('pod/web replaced');
  });

  it('a Pod may change its images, lower activeDeadlineSeconds and add tolerations', async () => {
    const pod = await json('get', 'pod', 'web');
    pod.spec.containers[0].image = 'nginx:1.28';
    pod.spec.activeDeadlineSeconds = 60;
    pod.spec.tolerations.push({ key: 'b', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 });
    const out = await replace(pod);
    expect(out.stderr).toBe('');
    const stored = await json('get', 'pod', 'web');
    expect(stored.spec.containers[0].image).toBe('nginx:1.28');
    expect(stored.spec.activeDeadlineSeconds).toBe(60);
    const keys = stored.spec.tolerations.map((t: { key: string }) => t.key);
    expect(keys[0]).toBe('a');
    expect(keys).toContain('b');
  });

  it('anything else in a Pod spec is refused with the upstream messages', async () => {
    const pod = await json('get', 'pod', 'web');
    const other = structuredClone(pod);
    other.spec.restartPolicy = 'Never';
    const out = await replace(other);
    expect(out.exitCode).toBe(1);
    const [first, ...diff] = out.stderr.trim().split('\n');
    expect(first).toBe(
      'The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
    expect(diff[0]).toBe('  core.PodSpec{');
    expect(diff).toContain('- \tRestartPolicy: "Always",');
    expect(diff).toContain('+ \tRestartPolicy: "Never",');

    const later = structuredClone(pod);
    later.spec.activeDeadlineSeconds = 500;
    expect((await replace(later)).stderr.trim()).toBe(
      'The Pod "web" is invalid: spec.activeDeadlineSeconds: Invalid value: 500: must be less than or equal to previous value',
    );
    const changed = structuredClone(pod);
    changed.spec.tolerations[0].operator = 'Equal';
    changed.spec.tolerations[0].value = 'x';
    expect((await replace(changed)).stderr.trim()).toBe(
      'The Pod "web" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    );
    const more = structuredClone(pod);
    more.spec.containers.push({ name: 'side', image: 'busybox:1.36' });
    expect((await replace(more)).stderr.trim()).toBe(
      'The Pod "web" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers',
    );
  });

  it("a Service's cluster IP may not change once set; left out, it is kept", async () => {
    await cluster.kubectl(['create', 'service', 'clusterip', 'api', '--tcp=80:8080']);
    const svc = await json('get', 'svc', 'api');
    const ip = svc.spec.clusterIP;
    const moved = structuredClone(svc);
    moved.spec.clusterIP = '10.96.0.99';
    const out = await replace(moved);
    expect(out.stderr.trim()).toBe(
      'The Service "api" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set',
    );
    const both = structuredClone(svc);
    both.spec.clusterIP = '10.96.0.99';
    both.spec.clusterIPs = ['10.96.0.99'];
    expect((await replace(both)).stderr.trim()).toBe(
      'The Service "api" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set',
    );
    const headless = structuredClone(svc);
    headless.spec.clusterIP = 'None';
    delete headless.spec.clusterIPs;
    expect((await replace(headless)).stderr.trim()).toBe(
      'The Service "api" is invalid: spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set',
    );
    // A manifest without the allocated address (or with it emptied) keeps it.
    const cleared = structuredClone(svc);
    cleared.spec.clusterIP = '';
    delete cleared.spec.clusterIPs;
    expect((await replace(cleared)).stderr).toBe('');
    expect((await json('get', 'svc', 'api')).spec.clusterIPs).toEqual([ip]);
    const mismatch = await json('get', 'svc', 'api');
    mismatch.spec.clusterIPs = ['10.96.0.98'];
    expect((await replace(mismatch)).stderr.trim()).toBe(
      'The Service "api" is invalid: \n* spec.clusterIPs[0]: Invalid value: []string{"10.96.0.98"}: may not change once set\n* spec.clusterIPs: Invalid value: []string{"10.96.0.98"}: first value must match `clusterIP`',
    );
  });

  it('a Service turned into ExternalName gives up its address, and gets a new one back', async () => {
    const svc = await json('get', 'svc', 'api');
    svc.spec.type = 'ExternalName';
    svc.spec.externalName = 'example.com';
    expect((await replace(svc)).stderr).toBe('');
    const external = await json('get', 'svc', 'api');
    expect(external.spec.clusterIP).toBeUndefined();
    expect(external.spec.clusterIPs).toBeUndefined();
    external.spec.type = 'ClusterIP';
    delete external.spec.externalName;
    expect((await replace(external)).stderr).toBe('');
    const back = await json('get', 'svc', 'api');
    expect(back.spec.clusterIP).toMatch(/^10\.96\./);
    expect(back.spec.clusterIPs).toEqual([back.spec.clusterIP]);
  });

  it('an update with resourceVersion "0" or none is unconditional', async () => {
    await cluster.kubectl(['create', 'deployment', 'rv', '--image=nginx:1.27']);
    const deploy = await json('get', 'deploy', 'rv');
    await cluster.kubectl(['scale', 'deploy', 'rv', '--replicas=2']);
    deploy.metadata.resourceVersion = '0';
    deploy.spec.replicas = 3;
    const zero = await replace(deploy);
    expect(zero.stderr).toBe('');
    expect((await json('get', 'deploy', 'rv')).spec.replicas).toBe(3);
    deploy.metadata.resourceVersion = '';
    deploy.spec.replicas = 4;
    expect((await replace(deploy)).stderr).toBe('');
    expect((await json('get', 'deploy', 'rv')).spec.replicas).toBe(4);
    deploy.metadata.resourceVersion = 'abc';
    expect((await replace(deploy)).stderr.trim()).toBe(
      'Error from server: error when replacing "STDIN": strconv.ParseUint: parsing "abc": invalid syntax',
    );
  });

  it('a stale resourceVersion is a 409 Conflict before validation, for PUT, PATCH and client-side apply', async () => {
    const manifest = (rv: string, app: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: stale, resourceVersion: "${rv}"}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
`;
    await cluster.kubectl(['apply', '-f', '-'], {
      input: manifest('', 'a').replace(', resourceVersion: ""', ''),
    });
    const rv = (await json('get', 'deploy', 'stale')).metadata.resourceVersion;
    await cluster.kubectl(['scale', 'deploy', 'stale', '--replicas=2']);
    const conflict =
      'Operation cannot be fulfilled on deployments.apps "stale": the object has been modified; please apply your changes to the latest version and try again';
    // The selector may not change either, but the precondition is checked first.
    const put = await cluster.kubectl(['replace', '-f', '-'], { input: manifest(rv, 'b') });
    expect(put.stderr.trim()).toBe(`Error from server (Conflict): error when replacing "STDIN": ${conflict}`);
    const apply = await cluster.kubectl(['apply', '-f', '-'], { input: manifest(rv, 'b') });
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain('Error from server (Conflict): error when applying patch:');
    expect(apply.stderr.trim().endsWith(`for: "STDIN": error when patching "STDIN": ${conflict}`)).toBe(true);
    for (const type of ['merge', 'strategic']) {
      const patch = await cluster.kubectl([
        'patch',
        'deploy',
        'stale',
        '--type',
        type,
        '-p',
        JSON.stringify({
          metadata: { resourceVersion: rv },
          spec: { selector: { matchLabels: { app: 'b' } } },
        }),
      ]);
      expect(patch.stderr.trim()).toBe(`Error from server (Conflict): ${conflict}`);
    }
    // The current resourceVersion (even written with a leading zero, as a number) passes.
    const current = (await json('get', 'deploy', 'stale')).metadata.resourceVersion;
    const fresh = await cluster.kubectl([
      'patch',
      'deploy',
      'stale',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ metadata: { resourceVersion: `0${current}` }, spec: { replicas: 5 } }),
    ]);
    expect(fresh.stderr).toBe('');
    expect((await json('get', 'deploy', 'stale')).spec.replicas).toBe(5);
  });
});
