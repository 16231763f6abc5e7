import { id_field, upstreamFile } from './harness.js';

// test/cmd/get.sh (kubernetes/kubernetes at 1c94f30d8029). Upstream's go-templates quote names as
// \\\"x\\\" for its eval; here they are plain "x".
const t = upstreamFile('get.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const found = (name: string) => `{{range.items}}{{ if eq ${id_field} "${name}" }}found{{end}}{{end}}:`;
const VALID_POD = 'test/fixtures/doc-yaml/admin/limitrange/valid-pod.yaml';
const MULTI_POD = 'test/fixtures/doc-yaml/user-guide/multi-pod.yaml';
// Upstream's only node is 127.0.0.1; the simulated cluster's is churn-labs-control-plane.
const NODE = 'churn-labs-control-plane';
const NODE_NAME = {
  match: /127\.0\.0\.1/,
  reason: "upstream's only node is 127.0.0.1; the simulated cluster's is churn-labs-control-plane",
};

// run_kubectl_get_tests, get.sh:21-241
t.fn(
  'run_kubectl_get_tests',
  {
    lines: 'test/cmd/get.sh:21-241',
    minutes: 6,
    explained: [
      {
        match: 'has string "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers 200"',
        reason:
          'autoscaling/v2 is the preferred version since Kubernetes 1.23, so kubectl 1.32 lists /apis/autoscaling/v2/.../horizontalpodautoscalers as a real 1.32 server makes it; the ported revision expects v1',
      },
      {
        match:
          /^has string "valid-pod:"$|--subresource=scale|has string "the server could not find the requested resource"/,
        reason:
          'upstream\'s --subresource checks cannot pass against a real server either: a pod\'s status prints as a table row ("valid-pod   0/1   Pending ...", no "valid-pod:"), and --subresource=scale fails (NotFound, on stderr) while upstream runs it without `!` and greps its stdout; the simulator answers both as a real server does',
      },
    ],
  },
  async (s) => {
    await s.createAndUseNewNamespace();
    // Test retrieval of non-existing pods
    await s.getObjectAssert('pods', ids, '');
    let out = await s.fails('get pods abc');
    s.ifHasString(out, 'pods "abc" not found');

    // Test retrieval of non-existing POD with output flag specified
    await s.getObjectAssert('pods', ids, '');
    out = await s.fails('get pods abc -o name');
    s.ifHasString(out, 'pods "abc" not found');

    // Test retrieval of pods when none exist with non-human readable output format flag specified
    await s.getObjectAssert('pods', ids, '');
    for (const format of [
      '-o json',
      '-o yaml',
      '-o name',
      "-o jsonpath='{.items}'",
      "-o go-template='{{.items}}'",
      '-o custom-columns=NAME:.metadata.name',
    ]) {
      out = await s.kubectl(`get pods ${format}`);
      s.ifHasNotString(out, 'No resources found');
    }

    // Test retrieval of pods when none exist, with human-readable output format flag specified
    await s.getObjectAssert('pods', ids, '');
    out = await s.fails('get foobar');
    s.ifHasNotString(out, 'No resources found');
    out = await s.kubectl('get pods');
    s.ifHasString(out, 'No resources found');
    out = await s.kubectl('get pods --ignore-not-found');
    s.ifHasNotString(out, 'No resources found');
    out = await s.kubectl('get pods -o wide');
    s.ifHasString(out, 'No resources found');

    // Test retrieval of non-existing POD with json output flag specified
    await s.getObjectAssert('pods', ids, '');
    out = await s.fails('get pods abc -o json');
    s.ifHasString(out, 'pods "abc" not found');
    s.ifHasNotString(out, 'List');

    // Test kubectl get all
    out = await s.kubectl('--v=6 --namespace default get all --chunk-size=0');
    s.ifHasString(out, '/api/v1/namespaces/default/pods 200 OK');
    s.ifHasString(out, '/api/v1/namespaces/default/replicationcontrollers 200 OK');
    s.ifHasString(out, '/api/v1/namespaces/default/services 200 OK');
    s.ifHasString(out, '/apis/apps/v1/namespaces/default/daemonsets 200 OK');
    s.ifHasString(out, '/apis/apps/v1/namespaces/default/deployments 200 OK');
    s.ifHasString(out, '/apis/apps/v1/namespaces/default/replicasets 200 OK');
    s.ifHasString(out, '/apis/apps/v1/namespaces/default/statefulsets 200 OK');
    s.ifHasString(out, '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers 200');
    s.ifHasString(out, '/apis/batch/v1/namespaces/default/jobs 200 OK');
    s.ifHasNotString(out, '/apis/extensions/v1beta1/namespaces/default/daemonsets 200 OK');
    s.ifHasNotString(out, '/apis/extensions/v1beta1/namespaces/default/deployments 200 OK');
    s.ifHasNotString(out, '/apis/extensions/v1beta1/namespaces/default/replicasets 200 OK');

    // Test kubectl get chunk size
    out = await s.kubectl('--v=6 get clusterrole --chunk-size=10');
    s.ifHasString(out, '/clusterroles?limit=10 200 OK');
    s.ifHasString(out, '/v1/clusterroles?continue=');

    // Test kubectl get chunk size defaults to 500
    out = await s.kubectl('--v=6 get clusterrole');
    s.ifHasString(out, '/clusterroles?limit=500 200 OK');

    // Test kubectl get accumulates pages
    out = await s.kubectl('get namespaces --chunk-size=1 --no-headers');
    s.ifHasString(out.stdout, 'default');
    s.ifHasString(out.stdout, 'kube-public');
    s.ifHasString(out.stdout, 'kube-system');

    // Test kubectl get chunk size does not result in a --watch error when resource list is served in
    // multiple chunks
    await s.getObjectAssert('configmaps', found('one'), ':');
    await s.getObjectAssert('configmaps', found('two'), ':');
    await s.getObjectAssert('configmaps', found('three'), ':');
    await s.kubectl('create cm one');
    await s.kubectl('create cm two');
    await s.kubectl('create cm three');
    out = await s.kubectl('get configmap --chunk-size=1 --watch --request-timeout=1s');
    s.ifHasNotString(out, 'watch is only supported on individual resources');
    out = await s.kubectl('get configmap --chunk-size=1 --watch-only --request-timeout=1s');
    s.ifHasNotString(out, 'watch is only supported on individual resources');

    // Test --allow-missing-template-keys
    await s.createAndUseNewNamespace();
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl(`create -f ${VALID_POD}`);
    await s.kubectl('get pods -o json');
    await s.getObjectAssert('pods', ids, 'valid-pod:');

    // check --allow-missing-template-keys defaults to true for jsonpath templates
    await s.kubectl("get pod valid-pod -o jsonpath='{.missing}'");
    // check --allow-missing-template-keys defaults to true for go templates
    await s.kubectl("get pod valid-pod -o go-template='{{.missing}}'");

    // check --template flag causes go-template to be printed, even when no --output value is provided
    out = await s.kubectl(['get', 'pod', 'valid-pod', `--template={{${id_field}}}:`]);
    s.ifHasString(out.stdout, 'valid-pod:');

    // check --allow-missing-template-keys=false results in an error for a missing key with jsonpath
    out = await s.fails("get pod valid-pod --allow-missing-template-keys=false -o jsonpath='{.missing}'");
    s.ifHasString(out, 'missing is not found');

    // check --allow-missing-template-keys=false results in an error for a missing key with go
    out = await s.fails(
      "get pod valid-pod --allow-missing-template-keys=false -o go-template='{{.missing}}'",
    );
    s.ifHasString(out.stdout, 'map has no entry for key "missing"');

    // check --subresource=status works
    out = await s.kubectl('get pod valid-pod --subresource=status');
    s.ifHasString(out.stdout, 'valid-pod:');

    // check --subresource=status returns an error for pods
    out = await s.kubectl('get pod valid-pod --subresource=scale');
    s.ifHasString(out.stdout, 'the server could not find the requested resource');

    // Test kubectl get watch
    out = await s.kubectl('get pods -w --request-timeout=1');
    s.ifHasString(out.stdout, 'STATUS');
    s.ifHasString(out.stdout, 'valid-pod');
    out = await s.kubectl('get pods/valid-pod -o name -w --request-timeout=1');
    s.ifHasNotString(out.stdout, 'STATUS');
    s.ifHasString(out.stdout, 'pod/valid-pod');
    out = await s.kubectl('get pods/valid-pod -o yaml -w --request-timeout=1');
    s.ifHasNotString(out.stdout, 'STATUS');
    s.ifHasString(out.stdout, 'name: valid-pod');
    out = await s.fails('get pods/invalid-pod -w --request-timeout=1');
    s.ifHasString(out, '"invalid-pod" not found');

    await s.kubectl('delete pods valid-pod');

    // Test 'kubectl get -f <file> -o <non default printer>' prints all the items in the file's list
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl(`create -f ${MULTI_POD}`);
    out = await s.kubectl(`get -f ${MULTI_POD} -o jsonpath={..metadata.name}`);
    s.ifHasString(out.stdout, 'redis-master valid-pod');
    await s.kubectl('delete pods redis-master valid-pod');

    // Test 'kubectl get -k <dir>' prints all the items built from a kustomization directory
    await s.getObjectAssert('configmaps --field-selector=metadata.name=test-the-map', ids, '');
    await s.getObjectAssert('deployment', ids, '');
    await s.getObjectAssert('services', ids, '');
    await s.kubectl('apply -k hack/testdata/kustomize');
    out = await s.kubectl('get -k hack/testdata/kustomize -o jsonpath={..metadata.name}');
    s.ifHasString(out.stdout, 'test-the-map');
    s.ifHasString(out.stdout, 'test-the-deployment');
    s.ifHasString(out.stdout, 'test-the-service');
    await s.kubectl('delete -k hack/testdata/kustomize');
    await s.getObjectAssert('configmaps --field-selector=metadata.name=test-the-map', ids, '');
    await s.getObjectAssert('deployment', ids, '');
    await s.getObjectAssert('services', ids, '');
  },
);

// run_retrieve_multiple_tests, get.sh:243-254
t.fn(
  'run_retrieve_multiple_tests',
  { lines: 'test/cmd/get.sh:243-254', explained: [NODE_NAME] },
  async (s) => {
    // switch back to the default namespace
    await s.kubectl(['config', 'set-context', 'churn-labs-sim', '--namespace=']);
    await s.getObjectAssert(`nodes/${NODE} service/kubernetes`, ids, '127.0.0.1:kubernetes:');
    // The same with the simulated node's name.
    await s.getObjectAssert(`nodes/${NODE} service/kubernetes`, ids, `${NODE}:kubernetes:`);
  },
);

// run_kubectl_sort_by_tests, get.sh:256-357
t.fn('run_kubectl_sort_by_tests', { lines: 'test/cmd/get.sh:256-357' }, async (s) => {
  // sort-by should not panic if no pod exists
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('get pods --sort-by={metadata.name}');
  await s.kubectl('get pods --sort-by={metadata.creationTimestamp}');

  // sort-by should works if pod exists
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl(`create -f ${VALID_POD}`);
  await s.getObjectAssert('pods', ids, 'valid-pod:');
  let out = await s.kubectl('get pods --sort-by={metadata.name}');
  s.ifHasString(out.stdout, 'valid-pod');
  // ensure sort-by receivers objects as Table
  out = await s.kubectl('get pods --v=8 --sort-by={metadata.name}');
  s.ifHasString(out, 'as=Table');
  // ensure sort-by requests the full object
  s.ifHasString(out, 'includeObject=Object');
  await s.getObjectAssert('pods', ids, 'valid-pod:');
  await s.kubectl('delete pod valid-pod --grace-period=0 --force');
  await s.getObjectAssert('pods', ids, '');

  // sort-by should works by sorting by name
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('create -f hack/testdata/sorted-pods/sorted-pod1.yaml');
  await s.getObjectAssert('pods', ids, 'sorted-pod1:');
  await s.kubectl('create -f hack/testdata/sorted-pods/sorted-pod2.yaml');
  await s.getObjectAssert('pods', ids, 'sorted-pod1:sorted-pod2:');
  await s.kubectl('create -f hack/testdata/sorted-pods/sorted-pod3.yaml');
  await s.getObjectAssert('pods', ids, 'sorted-pod1:sorted-pod2:sorted-pod3:');

  const sorted = async (by: string, expected: string, extra = '') => {
    const res = await s.kubectl(`get pods --sort-by=${by}${extra}`);
    s.ifSortByHasCorrectOrder(res.stdout, expected);
    return res;
  };
  await sorted('{metadata.name}', 'sorted-pod1:sorted-pod2:sorted-pod3:');
  await sorted('{metadata.labels.name}', 'sorted-pod3:sorted-pod2:sorted-pod1:');
  // if sorting, we should be able to use any field in our objects
  await sorted('{spec.containers[0].name}', 'sorted-pod2:sorted-pod1:sorted-pod3:');
  // ensure sorting by creation timestamps works
  await sorted('{metadata.creationTimestamp}', 'sorted-pod1:sorted-pod2:sorted-pod3:');
  // ensure sorting by resource requests and limits works
  await sorted('{.spec.containers[0].resources.requests.memory}', 'sorted-pod3:sorted-pod1:sorted-pod2:');
  await sorted('{.spec.containers[0].resources.requests.cpu}', 'sorted-pod3:sorted-pod1:sorted-pod2:');
  await sorted('{.spec.containers[0].resources.limits.memory}', 'sorted-pod3:sorted-pod1:sorted-pod2:');
  await sorted('{.spec.containers[0].resources.limits.cpu}', 'sorted-pod3:sorted-pod1:sorted-pod2:');

  // ensure sorting using fallback codepath still works (upstream reads 2>&1 here)
  out = await s.kubectl('get pods --sort-by={spec.containers[0].name} --server-print=false --v=8');
  s.ifSortByHasCorrectOrder(out.all, 'sorted-pod2:sorted-pod1:sorted-pod3:');
  s.ifHasNotString(out, 'Table');

  await s.getObjectAssert('pods', ids, 'sorted-pod1:sorted-pod2:sorted-pod3:');
  await s.kubectl('delete pod --grace-period=0 --force --all');
  await s.getObjectAssert('pods', ids, '');
});

// run_kubectl_all_namespace_tests, get.sh:359-416
t.fn(
  'run_kubectl_all_namespace_tests',
  { lines: 'test/cmd/get.sh:359-416', explained: [NODE_NAME] },
  async (s) => {
    await s.getObjectAssert(
      'namespaces',
      `{{range.items}}{{if eq ${id_field} "default"}}{{${id_field}}}:{{end}}{{end}}`,
      'default:',
    );
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl(`create -f ${VALID_POD}`);
    await s.getObjectAssert('pods', ids, 'valid-pod:');

    // Verify a specific namespace is ignored when all-namespaces is provided
    await s.kubectl('get pods --all-namespaces --namespace=default');

    // Check --all-namespaces option shows namespaces
    await s.kubectl('create namespace all-ns-test-1');
    await s.kubectl('create serviceaccount test -n all-ns-test-1');
    await s.kubectl('create namespace all-ns-test-2');
    await s.kubectl('create serviceaccount test -n all-ns-test-2');
    let out = await s.kubectl('get serviceaccounts --all-namespaces');
    s.ifHasString(out.stdout, 'all-ns-test-1');
    s.ifHasString(out.stdout, 'all-ns-test-2');
    out = await s.kubectl('get serviceaccounts -A');
    s.ifHasString(out.stdout, 'all-ns-test-1');
    s.ifHasString(out.stdout, 'all-ns-test-2');
    await s.kubectl('delete namespace all-ns-test-1');
    await s.kubectl('delete namespace all-ns-test-2');

    await s.getObjectAssert('pods', ids, 'valid-pod:');
    await s.kubectl('delete pod valid-pod --grace-period=0 --force');
    await s.getObjectAssert('pods', ids, '');

    // Verify flag all-namespaces is ignored for rootScoped resources
    await s.getObjectAssert('nodes', ids, '127.0.0.1:');
    await s.getObjectAssert('nodes', ids, `${NODE}:`);
    out = await s.run('get nodes --all-namespaces');
    s.ifHasNotString(out, 'NAMESPACE');
  },
);

t.skip(
  'run_deprecated_api_tests',
  'test/cmd/get.sh:419-436',
  'reads podsecuritypolicies.v1beta1.policy, removed in Kubernetes 1.25; legacy-script.sh does not call it',
);
