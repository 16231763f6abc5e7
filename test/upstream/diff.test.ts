import type { Output } from './cluster.js';
import { id_field, type Session, upstreamFile } from './harness.js';

// test/cmd/diff.sh (kubernetes/kubernetes at 083e3f3e0db4; line ranges approximate).
const t = upstreamFile('diff.sh');

const found = (name: string) => `{{range.items}}{{ if eq ${id_field} "${name}" }}found{{end}}{{end}}:`;
const ids = `{{range.items}}{{${id_field}}}:{{end}}`;

/** `$(kubectl diff ... || test $? -eq 1)`: no difference (0) or a difference (1), not an error. */
async function diff(s: Session, command: string): Promise<Output> {
  const out = await s.run(command);
  s.check(
    `kubectl ${command} || test $? -eq 1`,
    out.exitCode === 0 || out.exitCode === 1,
    `exit ${out.exitCode}: ${out.all}`,
  );
  return out;
}

// run_kubectl_diff_tests, diff.sh:22-128
t.fn('run_kubectl_diff_tests', { lines: 'test/cmd/diff.sh:22-128' }, async (s) => {
  await s.createAndUseNewNamespace();
  // it works when the live object doesn't exist
  let out = await s.fails('diff -f hack/testdata/pod.yaml');
  s.ifHasString(out.stdout, 'test-pod');
  await s.getObjectAssert('pod', found('test-pod'), ':');

  await s.kubectl('apply -f hack/testdata/pod.yaml');
  await s.getObjectAssert('pod', found('test-pod'), 'found:');
  const resourceVersion = async () =>
    (
      await s.run([
        'get',
        '-f',
        'hack/testdata/pod.yaml',
        '-o',
        'go-template={{ .metadata.resourceVersion }}',
      ])
    ).stdout;
  const initialResourceVersion = await resourceVersion();
  // diffing the resource right after returns nothing (0 exit code)
  await s.kubectl('diff -f hack/testdata/pod.yaml');
  s.ifHasString(await resourceVersion(), initialResourceVersion);
  // exit code 1 for a difference, which holds the changed image
  out = await diff(s, 'diff -f hack/testdata/pod-changed.yaml');
  s.ifHasString(out.stdout, 'registry.k8s.io/pause:3.4');
  s.ifHasString(await resourceVersion(), initialResourceVersion);
  // found diff with server-side apply
  out = await diff(s, 'diff -f hack/testdata/pod-changed.yaml --server-side');
  s.ifHasString(out.stdout, 'registry.k8s.io/pause:3.4');
  s.ifHasString(await resourceVersion(), initialResourceVersion);
  // an error when diffing is a return code bigger than 1
  out = await s.run('diff -f hack/testdata/invalid-pod.yaml');
  s.check(
    'kubectl diff -f hack/testdata/invalid-pod.yaml || test $? -gt 1',
    out.exitCode === 0 || out.exitCode > 1,
    `exit ${out.exitCode}: ${out.all}`,
  );
  await s.kubectl('delete -f hack/testdata/pod.yaml');

  // kubectl diff with server-side apply
  out = await s.fails('diff --server-side -f hack/testdata/pod.yaml');
  s.ifHasString(out.stdout, 'test-pod');
  await s.getObjectAssert('pod', found('test-pod'), ':');
  await s.kubectl('apply --server-side -f hack/testdata/pod.yaml');
  await s.getObjectAssert('pod', found('test-pod'), 'found:');
  await s.kubectl('diff --server-side -f hack/testdata/pod.yaml');
  out = await diff(s, 'diff --server-side -f hack/testdata/pod-changed.yaml');
  s.ifHasString(out.stdout, 'registry.k8s.io/pause:3.4');

  // kubectl diff --prune
  await s.kubectl('create ns nsb');
  await s.kubectl('apply --namespace nsb -l prune-group=true -f hack/testdata/prune/a.yaml');
  await s.getObjectAssert('pods a -n nsb', `{{${id_field}}}`, 'a');
  out = await diff(s, 'diff -l prune-group=true -f hack/testdata/prune/b.yaml');
  s.ifHasNotString(out.stdout, 'name: a');
  out = await diff(s, 'diff --prune -l prune-group=true -f hack/testdata/prune/b.yaml');
  s.ifHasString(out.stdout, 'name: a');
  await s.kubectl('apply --prune --namespace nsb -l prune-group=true -f hack/testdata/prune/b.yaml');
  await s.waitObjectAssert('pods -n nsb', ids, 'b:');
  await s.kubectl('diff --prune -l prune-group=true -f hack/testdata/prune/b.yaml');

  await s.kubectl('delete -f hack/testdata/pod.yaml');
  await s.kubectl('delete -f hack/testdata/prune/b.yaml');
});

// run_kubectl_diff_same_names, diff.sh:130-144
t.fn('run_kubectl_diff_same_names', { lines: 'test/cmd/diff.sh:130-144' }, async (s) => {
  await s.createAndUseNewNamespace();
  const out = await s.run('diff -Rf hack/testdata/diff/', { env: { KUBECTL_EXTERNAL_DIFF: 'find' } });
  s.ifHasString(out.stdout, 'v1\\.Pod\\..*\\.test');
  s.ifHasString(out.stdout, 'apps\\.v1\\.Deployment\\..*\\.test');
  s.ifHasString(out.stdout, 'v1\\.ConfigMap\\..*\\.test');
  s.ifHasString(out.stdout, 'v1\\.Secret\\..*\\.test');
});
