import { id_field, upstreamFile } from './harness.js';
import { grepMatch } from './shell.js';

// test/cmd/discovery.sh (kubernetes/kubernetes at 0990ba1cc924). Upstream's go-templates quote names
// as \\\"x\\\" for its eval; here they are plain "x".
const t = upstreamFile('discovery.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const CRDS =
  'CustomResourceDefinitions are not served by the simulator (apiextensions.k8s.io answers an empty list only), so neither are custom resources';
const CRD_CASES = {
  // The CRD and the Example are sent with `create -f -` (upstream's heredocs).
  match:
    /customresourcedefinition|examples|test-crd-example|crd-1|has string "created"|has string "deleted"|^kubectl create -f -$/,
  reason: CRDS,
};
const exampleCrd = (names: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: examples.test.com
spec:
  group: test.com
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                test:
                  type: string
  names:
${names}
`;
const EXAMPLE = `apiVersion: test.com/v1
kind: Example
metadata:
  name: test-crd-example
spec:
  test: test
`;

// run_RESTMapper_evaluation_tests, discovery.sh:21-45
t.fn('run_RESTMapper_evaluation_tests', { lines: 'test/cmd/discovery.sh:21-45' }, async (s) => {
  await s.createAndUseNewNamespace();
  // Non-existent resource type should give a recognizable error (stderr to a file, || true)
  const out = await s.run('get unknownresourcetype');
  s.grepQ(out.stderr, "the server doesn't have a resource type");
});

/** The CRD cases shared by the short-name and singular-name tests. */
async function exampleNameCases(s: Parameters<Parameters<typeof t.fn>[2]>[0], names: string) {
  await s.kubectl('create -f -', { input: exampleCrd(names) });
  await s.waitObjectAssert(
    'customresourcedefinitions',
    `{{range.items}}{{if eq ${id_field} "examples.test.com"}}{{${id_field}}}:{{end}}{{end}}`,
    'examples.test.com:',
  );
  await s.kubectl('create -f -', { input: EXAMPLE });
  await s.waitObjectAssert('examples', ids, 'test-crd-example:');
  let out = await s.kubectl('get examples');
  s.ifHasString(out.stdout, 'test-crd-example');
  // get pod returns v1/pod, not the custom resource
  out = await s.kubectl('get pod');
  s.ifHasNotString(out.stdout, 'test-crd-example');
  // invalidate the cache and see that the right resource is still shown
  await s.kubectl('api-resources');
  out = await s.kubectl('get examples');
  s.ifHasString(out.stdout, 'test-crd-example');
  out = await s.kubectl('get pod');
  s.ifHasNotString(out.stdout, 'test-crd-example');
  await s.kubectl('delete examples/test-crd-example');
  await s.kubectl('delete customresourcedefinition examples.test.com');
}

// run_assert_short_name_tests, discovery.sh:47-131
t.fn(
  'run_assert_short_name_tests',
  { lines: 'test/cmd/discovery.sh:47-131', explained: [CRD_CASES] },
  async (s) => {
    await s.createAndUseNewNamespace();
    let out = await s.kubectl('get --raw=/api/v1');
    // test if a short name is exported during discovery
    s.ifHasString(
      out.stdout,
      '{"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":\\["create","delete","deletecollection","get","list","patch","update","watch"\\],"shortNames":\\["cm"\\],"storageVersionHash":',
    );
    // check that there is no pod with the name test-crd-example
    out = await s.kubectl('get pod');
    s.ifHasNotString(out.stdout, 'test-crd-example');
    await exampleNameCases(
      s,
      '    plural: examples\n    singular: example\n    shortNames:\n      - pod\n    kind: Example',
    );
  },
);

// run_assert_singular_name_tests, discovery.sh:133-207
t.fn(
  'run_assert_singular_name_tests',
  { lines: 'test/cmd/discovery.sh:133-207', explained: [CRD_CASES] },
  async (s) => {
    await s.createAndUseNewNamespace();
    const out = await s.kubectl('get pod');
    s.ifHasNotString(out.stdout, 'test-crd-example');
    await exampleNameCases(s, '    plural: examples\n    singular: pod\n    kind: Example');
  },
);

// run_assert_categories_tests, discovery.sh:209-219
t.fn('run_assert_categories_tests', { lines: 'test/cmd/discovery.sh:209-219' }, async (s) => {
  // kubectl get --raw=/api/v1 | grep -o '"name":"pods"[^}]*}'
  const raw = await s.kubectl('get --raw=/api/v1');
  const pods = raw.stdout.match(/"name":"pods"[^}]*\}/g) ?? [];
  s.check(
    'grep -o \'"name":"pods"[^}]*}\' finds the pods resource',
    pods.length > 0,
    raw.stdout.slice(0, 500),
  );
  s.ifHasString(pods.join('\n'), '"categories":\\["all"\\]');
});

// run_resource_aliasing_tests, discovery.sh:221-242
t.fn('run_resource_aliasing_tests', { lines: 'test/cmd/discovery.sh:221-242' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.kubectl('create -f test/e2e/testing-manifests/statefulset/cassandra/controller.yaml');
  await s.kubectl('create -f test/e2e/testing-manifests/statefulset/cassandra/service.yaml');
  // all 4 cassandra's might not be in the request immediately...; :? for a possible
  // service.kubernetes.io/headless label with "" value
  await s.getObjectAssert(
    'all -l app=cassandra',
    '{{range.items}}{{range .metadata.labels}}{{.}}:{{end}}{{end}}',
    '(cassandra:){2}(cassandra:(cassandra::?)?)?',
  );
  await s.kubectl('delete all -l app=cassandra');
});

// run_crd_deletion_recreation_tests, discovery.sh:244-272
t.fn(
  'run_crd_deletion_recreation_tests',
  { lines: 'test/cmd/discovery.sh:244-272', explained: [CRD_CASES] },
  async (s) => {
    await s.createAndUseNewNamespace();
    let out = await s.kubectl('apply -f hack/testdata/CRD/example-crd-1-cluster-scoped.yaml');
    s.ifHasString(out.stdout, 'created');
    out = await s.kubectl('apply -f hack/testdata/CRD/example-crd-1-cluster-scoped-resource.yaml');
    s.ifHasString(out.stdout, 'created');
    out = await s.kubectl('delete -f hack/testdata/CRD/example-crd-1-cluster-scoped.yaml');
    s.ifHasString(out.stdout, 'deleted');
    // Invalidate the local cache: the cluster-scoped CRD in it is stale.
    await s.kubectl('api-resources');
    out = await s.kubectl('apply -f hack/testdata/CRD/example-crd-1-namespaced.yaml');
    s.ifHasString(out.stdout, 'created');
    out = await s.kubectl('apply -f hack/testdata/CRD/example-crd-1-namespaced-resource.yaml');
    s.ifHasString(out.stdout, 'created');
    await s.kubectl('delete -f hack/testdata/CRD/example-crd-1-namespaced-resource.yaml');
    await s.kubectl('delete -f hack/testdata/CRD/example-crd-1-namespaced.yaml');
  },
);

// run_kubectl_explain_tests, discovery.sh:274-288
t.fn('run_kubectl_explain_tests', { lines: 'test/cmd/discovery.sh:274-288' }, async (s) => {
  await s.kubectl('explain pods');
  // shortcuts work
  await s.kubectl('explain po');
  await s.kubectl('explain po.status.message');
  // cronjob work
  await s.kubectl('explain cronjob');
});

// run_swagger_tests, discovery.sh:290-305. Upstream fetches /openapi/v2 with curl and a bearer token;
// here kubectl makes the same request.
t.fn('run_swagger_tests', { lines: 'test/cmd/discovery.sh:290-305' }, async (s) => {
  const out = await s.kubectl('get --raw /openapi/v2');
  for (const text of ['list of returned', 'List of services', 'Watch for changes to the described resources'])
    s.check(`grep -q "${text}" schema.json`, grepMatch(out.stdout, text));
});
