import { id_field, labels_field, type Session, upstreamFile } from './harness.js';
import { grepMatch } from './shell.js';

// test/cmd/apply.sh (kubernetes/kubernetes at 004ac096f01c; line ranges approximate). Two changes
// of kubectl since that revision, made as upstream's later revisions make them:
// CustomResourceDefinitions are written in apiextensions.k8s.io/v1 (v1beta1 is served by no API
// server since 1.22), and --prune-whitelist is --prune-allowlist (kubectl 1.32 has no
// --prune-whitelist).
const t = upstreamFile('apply.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// Reasons (see FAILURES.md).
const SERVICE_RANGE = {
  match: /service-revision|services a |may not change once set/,
  reason:
    "upstream's test apiserver runs with --service-cluster-ip-range=10.0.0.0/24; the simulated cluster has kind's 10.96.0.0/12, so clusterIP 10.0.0.11 is refused as out of range (a change of clusterIP inside the range answers 'may not change once set')",
};

/** `grep -q PATTERN <<< "$(kubectl get ... -o yaml)"`. */
async function grepYaml(s: Session, object: string, pattern: string): Promise<void> {
  s.grepQ(await s.run(`get ${object} -o yaml`), pattern);
}

/** `! grep -q PATTERN <<< "$(kubectl get ... -o yaml)" || exit 1`. */
async function notGrepYaml(s: Session, object: string, pattern: string): Promise<void> {
  const out = await s.run(`get ${object} -o yaml`);
  s.check(`! grep -q "${pattern}" (${object})`, !grepMatch(out.stdout, pattern), out.stdout.slice(0, 1500));
}

/** The CRD of upstream's heredoc, in apiextensions.k8s.io/v1. */
const RESOURCES_CRD = JSON.stringify({
  kind: 'CustomResourceDefinition',
  apiVersion: 'apiextensions.k8s.io/v1',
  metadata: { name: 'resources.mygroup.example.com' },
  spec: {
    group: 'mygroup.example.com',
    scope: 'Namespaced',
    names: { plural: 'resources', singular: 'resource', kind: 'Kind', listKind: 'KindList' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
});

/** Upstream's loop: api-resources until the CR's API is listed, five tries. */
async function waitForResourcesApi(s: Session): Promise<void> {
  for (let i = 1; i <= 5; i++) {
    const out = await s.run('api-resources --api-group mygroup.example.com -oname');
    if (grepMatch(out.all, 'resources.mygroup.example.com')) {
      s.ifHasString(out, 'resources.mygroup.example.com');
      return;
    }
    await new Promise((done) => setTimeout(done, i * 1000));
  }
  s.check('api-resources lists resources.mygroup.example.com', false);
}

// run_kubectl_apply_tests, apply.sh:22-327
t.fn(
  'run_kubectl_apply_tests',
  { lines: 'test/cmd/apply.sh:22-327', minutes: 8, explained: [SERVICE_RANGE] },
  async (s) => {
    await s.createAndUseNewNamespace();
    // kubectl apply should create the resource that doesn't exist yet
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply -f hack/testdata/pod.yaml');
    await s.getObjectAssert('pods test-pod', `{{${labels_field}.name}}`, 'test-pod-label');
    await grepYaml(s, 'pods test-pod', LAST_APPLIED);
    let out = await s.run(
      "get --show-managed-fields -f hack/testdata/pod.yaml -o=jsonpath='{.metadata.managedFields[*].manager}'",
    );
    s.ifHasString(out, 'kubectl-client-side-apply');
    await s.kubectl('delete pods test-pod');

    // set-last-applied
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('create -f hack/testdata/pod.yaml');
    await s.getObjectAssert('pods test-pod', `{{${labels_field}.name}}`, 'test-pod-label');
    await notGrepYaml(s, 'pods test-pod', LAST_APPLIED);
    await s.kubectl(
      'apply set-last-applied --dry-run=client -f hack/testdata/pod.yaml --create-annotation=true',
    );
    await s.kubectl(
      'apply set-last-applied --dry-run=server -f hack/testdata/pod.yaml --create-annotation=true',
    );
    await notGrepYaml(s, 'pods test-pod', LAST_APPLIED);
    await s.kubectl('apply set-last-applied -f hack/testdata/pod.yaml --create-annotation=true');
    await grepYaml(s, 'pods test-pod', LAST_APPLIED);
    await s.kubectl('delete pods test-pod');

    // kubectl apply should be able to clear defaulted fields
    const retain = 'deployments test-deployment-retainkeys';
    await s.getObjectAssert('deployments', ids, '');
    await s.kubectl('apply -f hack/testdata/retainKeys/deployment/deployment-before.yaml');
    await s.getObjectAssert(
      'deployments',
      `{{range.items}}{{${id_field}}}{{end}}`,
      'test-deployment-retainkeys',
    );
    await grepYaml(s, retain, 'RollingUpdate');
    await grepYaml(s, retain, 'maxSurge');
    await grepYaml(s, retain, 'maxUnavailable');
    await grepYaml(s, retain, 'emptyDir');
    out = await s.run('apply -f hack/testdata/retainKeys/deployment/deployment-after.yaml');
    s.check('[[ "$(kubectl apply -f deployment-after.yaml)" ]]', out.stdout.trim() !== '', out.all);
    await grepYaml(s, retain, 'Recreate');
    await notGrepYaml(s, retain, 'RollingUpdate');
    await grepYaml(s, retain, 'hostPath');
    await notGrepYaml(s, retain, 'emptyDir');
    await s.kubectl('delete deployments test-deployment-retainkeys');

    // kubectl apply -f with label selector should only apply matching objects
    await s.waitObjectAssert('pods', ids, '');
    await s.kubectl('apply -l unique-label=bingbang -f hack/testdata/filter');
    await s.getObjectAssert('pods selector-test-pod', `{{${labels_field}.name}}`, 'selector-test-pod');
    out = await s.fails('get pods selector-test-pod-dont-apply');
    s.ifHasString(out, 'pods "selector-test-pod-dont-apply" not found');
    await s.kubectl('delete pods selector-test-pod');

    // kubectl apply --dry-run=server
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply --dry-run=true -f hack/testdata/pod.yaml');
    await s.kubectl('apply --dry-run=client -f hack/testdata/pod.yaml');
    await s.kubectl('apply --dry-run=server -f hack/testdata/pod.yaml');
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply -f hack/testdata/pod.yaml');
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
    await s.kubectl('apply --dry-run=client -f hack/testdata/pod-apply.yaml');
    await s.kubectl('apply --dry-run=server -f hack/testdata/pod-apply.yaml');
    await s.getObjectAssert('pods test-pod', `{{${labels_field}.name}}`, 'test-pod-label');
    s.ifHasString(await resourceVersion(), initialResourceVersion);
    await s.kubectl('delete -f hack/testdata/pod.yaml');

    // kubectl apply dry-run on CR
    await s.kubectl('create -f -', { input: RESOURCES_CRD });
    await waitForResourcesApi(s);
    await s.kubectl('apply --dry-run=server -f hack/testdata/CRD/resource.yaml');
    await s.fails('get resource/myobj');
    await s.kubectl('delete customresourcedefinition resources.mygroup.example.com');

    // kubectl apply --prune
    await s.kubectl('create ns nsb');
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply --namespace nsb -l prune-group=true -f hack/testdata/prune/a.yaml');
    await s.getObjectAssert('pods a -n nsb', `{{${id_field}}}`, 'a');
    await s.kubectl('apply --namespace nsb --prune -l prune-group=true -f hack/testdata/prune/b.yaml');
    await s.waitObjectAssert('pods -n nsb', ids, 'b:');
    await s.kubectl('delete pods b -n nsb');

    // same thing without prune for a sanity check
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply -l prune-group=true -f hack/testdata/prune/a.yaml');
    await s.getObjectAssert('pods a', `{{${id_field}}}`, 'a');
    await s.waitObjectAssert('pods -n nsb', ids, '');
    await s.kubectl('apply -l prune-group=true -f hack/testdata/prune/b.yaml');
    await s.getObjectAssert('pods a', `{{${id_field}}}`, 'a');
    await s.getObjectAssert('pods b -n nsb', `{{${id_field}}}`, 'b');
    await s.kubectl('delete pod/a');
    await s.kubectl('delete pod/b -n nsb');

    // kubectl apply --prune requires a --all flag to select everything
    out = await s.fails('apply --prune -f hack/testdata/prune');
    s.ifHasString(out, 'all resources selected for prune without explicitly passing --all');
    await s.kubectl('apply --all --prune -f hack/testdata/prune');
    await s.getObjectAssert('pods a', `{{${id_field}}}`, 'a');
    await s.getObjectAssert('pods b -n nsb', `{{${id_field}}}`, 'b');
    await s.kubectl('delete pod/a');
    await s.kubectl('delete pod/b -n nsb');
    await s.kubectl('delete ns nsb');

    // kubectl apply --prune should fallback to delete for non reapable types
    await s.kubectl('apply --all --prune -f hack/testdata/prune-reap/a.yml');
    await s.getObjectAssert('pvc a-pvc', `{{${id_field}}}`, 'a-pvc');
    await s.kubectl('apply --all --prune -f hack/testdata/prune-reap/b.yml');
    await s.getObjectAssert('pvc b-pvc', `{{${id_field}}}`, 'b-pvc');
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('delete pvc b-pvc');

    // kubectl apply --prune --prune-whitelist (--prune-allowlist)
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply --prune -l prune-group=true -f hack/testdata/prune/a.yaml');
    await s.getObjectAssert('pods a', `{{${id_field}}}`, 'a');
    await s.kubectl(
      'apply --prune -l prune-group=true -f hack/testdata/prune/svc.yaml --prune-allowlist core/v1/Service',
    );
    await s.getObjectAssert('service prune-svc', `{{${id_field}}}`, 'prune-svc');
    await s.getObjectAssert('pods a', `{{${id_field}}}`, 'a');
    await s.kubectl('apply --prune -l prune-group=true -f hack/testdata/prune/svc.yaml');
    await s.getObjectAssert('service prune-svc', `{{${id_field}}}`, 'prune-svc');
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('delete svc prune-svc');

    // kubectl apply --prune can prune resources not in the defaulted namespace
    await s.kubectl('create ns nsb');
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply --namespace nsb -f hack/testdata/prune/a.yaml');
    await s.getObjectAssert('pods a -n nsb', `{{${id_field}}}`, 'a');
    await s.kubectl('apply --namespace nsb -f hack/testdata/prune/b.yaml');
    await s.getObjectAssert('pods b -n nsb', `{{${id_field}}}`, 'b');
    await s.kubectl('apply --prune --all -f hack/testdata/prune/b.yaml');
    await s.waitObjectAssert('pods -n nsb', ids, 'b:');
    await s.kubectl('delete ns nsb');

    // kubectl apply -n must fail if input file contains namespace other than the one given in -n
    out = await s.fails('apply -n foo -f hack/testdata/prune/b.yaml');
    s.ifHasString(out, 'the namespace from the provided object "nsb" does not match the namespace "foo".');

    // kubectl apply -f some.yml --force
    await s.getObjectAssert('services', ids, '');
    await s.kubectl('apply -f hack/testdata/service-revision1.yaml');
    await s.getObjectAssert('services a', `{{${id_field}}}`, 'a');
    out = await s.fails('apply -f hack/testdata/service-revision2.yaml');
    s.ifHasString(out, 'may not change once set');
    await s.kubectl('apply -f hack/testdata/service-revision2.yaml --force');
    await s.getObjectAssert('services a', '{{.spec.clusterIP}}', '10.0.0.12');
    await s.kubectl('delete -f hack/testdata/service-revision2.yaml');

    // kubectl apply -k somedir, and --kustomize somedir
    for (const flag of ['-k', '--kustomize']) {
      await s.kubectl(`apply ${flag} hack/testdata/kustomize`);
      await s.getObjectAssert('configmap test-the-map', `{{${id_field}}}`, 'test-the-map');
      await s.getObjectAssert('deployment test-the-deployment', `{{${id_field}}}`, 'test-the-deployment');
      await s.getObjectAssert('service test-the-service', `{{${id_field}}}`, 'test-the-service');
      await s.kubectl(`delete ${flag} hack/testdata/kustomize`);
    }

    // kubectl apply multiple resources with one failure during apply phase
    out = await s.fails('get namespace multi-resource-ns');
    s.ifHasString(out, 'namespaces "multi-resource-ns" not found');
    await s.waitObjectAssert('pods', ids, '');
    out = await s.fails('apply -f hack/testdata/multi-resource-1.yaml');
    s.ifHasString(out, 'namespaces "multi-resource-ns" not found');
    out = await s.fails('get pods test-pod -n multi-resource-ns');
    s.ifHasString(out, 'pods "test-pod" not found');
    await s.kubectl('apply -f hack/testdata/multi-resource-1.yaml');
    await s.getObjectAssert('pods test-pod -n multi-resource-ns', `{{${id_field}}}`, 'test-pod');
    await s.kubectl('delete -f hack/testdata/multi-resource-1.yaml');

    // kubectl apply multiple resources with one failure during builder phase
    await s.getObjectAssert('configmaps --field-selector=metadata.name=foo', ids, '');
    out = await s.fails('apply -f hack/testdata/multi-resource-2.yaml');
    s.ifHasString(out, 'no matches for kind "Bogus" in version "example.com/v1"');
    await s.getObjectAssert('configmaps foo', `{{${id_field}}}`, 'foo');
    await s.kubectl('delete configmaps foo');

    // three pods, one of them invalid
    await s.getObjectAssert('pods', ids, '');
    out = await s.fails('apply -f hack/testdata/multi-resource-3.yaml');
    s.ifHasString(out, 'The Pod "POD-B" is invalid');
    await s.getObjectAssert('pods pod-a', `{{${id_field}}}`, 'pod-a');
    await s.getObjectAssert('pods pod-c', `{{${id_field}}}`, 'pod-c');
    await s.kubectl('delete pod pod-a pod-c');
    await s.getObjectAssert('pods', ids, '');

    // a CRD and its custom resource in one file
    await s.getObjectAssert('crds', ids, '');
    out = await s.fails('apply -f hack/testdata/multi-resource-4.yaml');
    s.ifHasString(out, 'no matches for kind "Widget" in version "example.com/v1"');
    out = await s.fails('get widgets foo');
    s.ifHasString(out, 'widgets.example.com "foo" not found');
    await s.getObjectAssert('crds widgets.example.com', `{{${id_field}}}`, 'widgets.example.com');
    await s.kubectl('apply -f hack/testdata/multi-resource-4.yaml');
    await s.getObjectAssert('widget foo', `{{${id_field}}}`, 'foo');
    await s.kubectl('delete -f hack/testdata/multi-resource-4.yaml');
  },
);

// run_kubectl_server_side_apply_tests, apply.sh:331-459
t.fn('run_kubectl_server_side_apply_tests', { lines: 'test/cmd/apply.sh:331-459' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('apply --server-side -f hack/testdata/pod.yaml');
  await s.getObjectAssert('pods test-pod', `{{${labels_field}.name}}`, 'test-pod-label');
  let out = await s.run(
    "get --show-managed-fields -f hack/testdata/pod.yaml -o=jsonpath='{.metadata.managedFields[*].manager}'",
  );
  s.ifHasString(out, 'kubectl');
  await s.kubectl(
    'apply --server-side --field-manager=my-field-manager --force-conflicts -f hack/testdata/pod.yaml',
  );
  out = await s.run("get -f hack/testdata/pod.yaml -o=jsonpath='{.metadata.managedFields[*].manager}'");
  s.ifHasString(out, 'my-field-manager');
  await s.kubectl('delete pods test-pod');

  // kubectl apply --dry-run=server
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('apply --server-side --dry-run=server -f hack/testdata/pod.yaml');
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('apply --server-side -f hack/testdata/pod.yaml');
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
  await s.kubectl('apply --server-side --dry-run=server -f hack/testdata/pod-apply.yaml');
  await s.getObjectAssert('pods test-pod', `{{${labels_field}.name}}`, 'test-pod-label');
  s.ifHasString(await resourceVersion(), initialResourceVersion);
  await s.kubectl('delete -f hack/testdata/pod.yaml');

  // kubectl apply upgrade: client-side apply to server-side apply
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('apply -f hack/testdata/pod.yaml');
  await s.fails('apply --server-side --field-manager=not-kubectl -f hack/testdata/pod-apply.yaml');
  await s.kubectl('apply --server-side -f hack/testdata/pod-apply.yaml');
  await grepYaml(s, 'pods test-pod', LAST_APPLIED);
  out = await s.run('apply view-last-applied pod/test-pod -o json');
  s.ifHasString(out, '"name": "test-pod-applied"');
  // downgrade: server-side apply to client-side apply
  await s.kubectl('apply --server-side -f hack/testdata/pod.yaml');
  await grepYaml(s, 'pods test-pod', LAST_APPLIED);
  out = await s.run('apply view-last-applied pod/test-pod -o json');
  s.ifHasString(out, '"name": "test-pod-label"');
  await s.kubectl('apply -f hack/testdata/pod-apply.yaml');
  await s.kubectl('delete -f hack/testdata/pod.yaml');

  // kubectl apply dry-run on CR
  await s.kubectl('create -f -', { input: RESOURCES_CRD });
  await waitForResourcesApi(s);
  await s.kubectl('apply --server-side --dry-run=server -f hack/testdata/CRD/resource.yaml');
  await s.fails('get resource/myobj');
  await s.kubectl('delete customresourcedefinition resources.mygroup.example.com');

  // a key that server-side apply no longer applies is removed
  const configMap = (legacy: boolean) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: test\ndata:\n  key: value\n${legacy ? '  legacy: unused\n' : ''}`;
  await s.kubectl('apply -f -', { input: configMap(true) });
  await grepYaml(s, 'configmap test', 'legacy: unused');
  await s.kubectl('apply --server-side -f -', { input: configMap(true) });
  await grepYaml(s, 'configmap test', 'legacy: unused');
  await s.kubectl('apply --server-side -f -', { input: configMap(false) });
  await notGrepYaml(s, 'configmap test', 'legacy: unused');
  await s.kubectl('delete configmap test');
});
