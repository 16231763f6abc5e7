import { id_field, type Session, upstreamFile } from './harness.js';

// test/cmd/crd.sh (kubernetes/kubernetes; the index holds revision 2821f1617e3c, line ranges
// approximate). Ported as upstream's later revisions have it: the CustomResourceDefinitions are
// apiextensions.k8s.io/v1 with a schema that preserves unknown fields (v1beta1 is served by no API
// server since 1.22), the custom resources keep their fields under spec (hack/testdata/CRD of the
// same revisions), --cascade takes background/orphan and --prune-whitelist is --prune-allowlist
// (kubectl 1.32 has neither the booleans nor --prune-whitelist).
const t = upstreamFile('crd.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;

/** One of upstream's heredoc CRDs, in apiextensions.k8s.io/v1. */
function crd(
  name: string,
  group: string,
  version: string,
  names: Record<string, string>,
  schema: object = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
): string {
  return JSON.stringify({
    kind: 'CustomResourceDefinition',
    apiVersion: 'apiextensions.k8s.io/v1',
    metadata: { name },
    spec: {
      group,
      scope: 'Namespaced',
      names,
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  });
}

const FOOS = crd('foos.company.com', 'company.com', 'v1', { plural: 'foos', kind: 'Foo' });
const BARS = crd('bars.company.com', 'company.com', 'v1', { plural: 'bars', kind: 'Bar' });
const RESOURCES = crd('resources.mygroup.example.com', 'mygroup.example.com', 'v1alpha1', {
  plural: 'resources',
  singular: 'resource',
  kind: 'Kind',
  listKind: 'KindList',
});
const VALIDFOOS = crd(
  'validfoos.company.com',
  'company.com',
  'v1',
  { plural: 'validfoos', kind: 'ValidFoo' },
  { type: 'object', properties: { spec: { type: 'array', items: { type: 'number' } } } },
);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** kube::util::non_native_resources: the group-version and both resources answer. */
async function nonNativeResources(s: Session): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const outs = await Promise.all(
      ['/apis/company.com/v1', '/apis/company.com/v1/foos', '/apis/company.com/v1/bars'].map((path) =>
        s.run(['get', '--raw', path]),
      ),
    );
    if (outs.every((o) => o.exitCode === 0)) return;
    await sleep(1000);
  }
  s.check('non-native resources served', false, 'timed out waiting for /apis/company.com/v1');
}

async function runNonNativeResourceTests(s: Session): Promise<void> {
  await s.createAndUseNewNamespace();
  await nonNativeResources(s);

  await s.getObjectAssert('foos', ids, '');
  await s.getObjectAssert('bars', ids, '');
  await s.getObjectAssert('resources', ids, '');

  await s.kubectl('create -f hack/testdata/CRD/resource.yaml');
  s.ifHasString(await s.run('get resource/myobj -o name'), 'kind.mygroup.example.com/myobj');
  s.ifHasString(await s.run('get resources/myobj -o name'), 'kind.mygroup.example.com/myobj');
  s.ifHasString(await s.run('get kind.mygroup.example.com/myobj -o name'), 'kind.mygroup.example.com/myobj');
  await s.kubectl('delete resources myobj --cascade=background');
  await s.waitObjectAssert('resources', ids, '');

  await s.kubectl('create -f hack/testdata/CRD/foo.yaml');
  await s.getObjectAssert('foos', ids, 'test:');
  await s.getObjectAssert('foo', ids, 'test:');
  await s.getObjectAssert('foos.company.com', ids, 'test:');
  await s.getObjectAssert('foos.v1.company.com', ids, 'test:');

  // every printer, with lists and single items
  await s.kubectl('get foos');
  await s.kubectl('get foos/test');
  await s.kubectl('get foos -o name');
  await s.kubectl('get foos/test -o name');
  await s.kubectl('get foos -o wide');
  await s.kubectl('get foos/test -o wide');
  await s.kubectl('get foos -o json');
  await s.kubectl('get foos/test -o json');
  await s.kubectl('get foos -o yaml');
  await s.kubectl('get foos/test -o yaml');
  await s.kubectl([
    'get',
    'foos',
    '-o',
    'jsonpath={.items[*].spec.someField}',
    '--allow-missing-template-keys=false',
  ]);
  await s.kubectl([
    'get',
    'foos/test',
    '-o',
    'jsonpath={.spec.someField}',
    '--allow-missing-template-keys=false',
  ]);
  await s.kubectl([
    'get',
    'foos',
    '-o',
    'go-template={{range .items}}{{.spec.someField}}{{end}}',
    '--allow-missing-template-keys=false',
  ]);
  await s.kubectl([
    'get',
    'foos/test',
    '-o',
    'go-template={{.spec.someField}}',
    '--allow-missing-template-keys=false',
  ]);
  s.ifHasString(await s.run('get foos/test -o name'), 'foo.company.com/test');

  // patching
  await s.kubectl(['patch', 'foos/test', '-p', '{"patched":"value1"}', '--type=merge']);
  await s.getObjectAssert('foos/test', '{{.patched}}', 'value1');
  await s.kubectl(['patch', 'foos/test', '-p', '{"patched":"value2"}', '--type=merge', '--record']);
  await s.getObjectAssert('foos/test', '{{.patched}}', 'value2');
  await s.kubectl(['patch', 'foos/test', '-p', '{"patched":null}', '--type=merge', '--record']);
  await s.getObjectAssert('foos/test', '{{.patched}}', '<no value>');
  const local = await s.tempFile('crd-foos-test.json', (await s.run('get foos/test -o json')).stdout);
  // a strategic patch cannot be made locally
  const refused = await s.fails(['patch', '--local', '-f', local, '-p', '{"patched":"value3"}']);
  s.grepQ(refused.stderr, 'try --type merge');
  await s.kubectl([
    'patch',
    '--local',
    '-f',
    local,
    '-p',
    '{"patched":"value3"}',
    '--type=merge',
    '-o',
    'json',
  ]);
  await s.kubectl([
    'patch',
    '--record',
    '-f',
    local,
    '-p',
    '{"patched":"value3"}',
    '--type=merge',
    '-o',
    'json',
  ]);
  await s.getObjectAssert('foos/test', '{{.patched}}', 'value3');

  // labeling, annotating, describing
  await s.kubectl('label foos --all listlabel=true');
  await s.kubectl('label foo/test itemlabel=true');
  await s.kubectl('annotate foos --all listannotation=true');
  await s.kubectl('annotate foo/test itemannotation=true');
  await s.kubectl('describe foos');
  await s.kubectl('describe foos/test');
  s.grepQ(await s.run('describe foos'), 'listlabel=true');
  s.grepQ(await s.run('describe foos'), 'itemlabel=true');

  await s.kubectl('delete foos test --cascade=background');
  await s.waitObjectAssert('foos', ids, '');

  await s.kubectl('create -f hack/testdata/CRD/bar.yaml');
  await s.getObjectAssert('bars', ids, 'test:');

  // watching: patches go on until the watch has printed a line
  const watching = s.run('get bars --request-timeout=8s --watch-only -o name');
  let watched = false;
  void watching.then(() => {
    watched = true;
  });
  for (let tries = 1; tries <= 10 && !watched; tries++) {
    await s.run(['patch', 'bars/test', '-p', `{"patched":"${tries}"}`, '--type=merge']);
    await sleep(1000);
  }
  const watchOutput = (await watching).stdout.split('\n')[0] ?? '';
  s.ifHasString(watchOutput, 'bar.company.com/test');

  await s.kubectl('delete bars test --cascade=orphan');
  await s.waitObjectAssert('bars', ids, '');

  // apply of one item
  await s.kubectl('apply -f hack/testdata/CRD/foo.yaml');
  await s.getObjectAssert('foos', ids, 'test:');
  await s.getObjectAssert('foos/test', '{{.spec.someField}}', 'field1');
  await s.kubectl('apply -f hack/testdata/CRD/foo.yaml');
  await s.getObjectAssert('foos/test', '{{.spec.someField}}', 'field1');
  await s.getObjectAssert('foos/test', '{{.spec.nestedField.someSubfield}}', 'subfield1');
  await s.kubectl('apply -f hack/testdata/CRD/foo-updated-subfield.yaml');
  await s.getObjectAssert('foos/test', '{{.spec.nestedField.someSubfield}}', 'modifiedSubfield');
  await s.getObjectAssert('foos/test', '{{.spec.nestedField.otherSubfield}}', 'subfield2');
  await s.kubectl('apply -f hack/testdata/CRD/foo-deleted-subfield.yaml');
  await s.getObjectAssert('foos/test', '{{.spec.nestedField.otherSubfield}}', '<no value>');
  await s.getObjectAssert('foos/test', '{{.spec.nestedField.newSubfield}}', '<no value>');
  await s.kubectl('apply -f hack/testdata/CRD/foo-added-subfield.yaml');
  await s.getObjectAssert('foos/test', '{{.spec.nestedField.newSubfield}}', 'subfield3');
  await s.kubectl('delete -f hack/testdata/CRD/foo.yaml');
  await s.getObjectAssert('foos', ids, '');

  // apply of a list
  await s.kubectl('apply -f hack/testdata/CRD/multi-list.yaml');
  await s.getObjectAssert('foos', ids, 'test-list:');
  await s.getObjectAssert('bars', ids, 'test-list:');
  await s.getObjectAssert('foos/test-list', '{{.spec.someField}}', 'field1');
  await s.getObjectAssert('bars/test-list', '{{.spec.someField}}', 'field1');
  await s.kubectl('apply -f hack/testdata/CRD/multi-list.yaml');
  await s.getObjectAssert('foos/test-list', '{{.spec.someField}}', 'field1');
  await s.getObjectAssert('bars/test-list', '{{.spec.someField}}', 'field1');
  await s.kubectl('apply -f hack/testdata/CRD/multi-list-updated-field.yaml');
  await s.getObjectAssert('foos/test-list', '{{.spec.someField}}', 'modifiedField');
  await s.getObjectAssert('bars/test-list', '{{.spec.someField}}', 'modifiedField');
  await s.getObjectAssert('foos/test-list', '{{.spec.otherField}}', 'field2');
  await s.getObjectAssert('bars/test-list', '{{.spec.otherField}}', 'field2');
  await s.kubectl('apply -f hack/testdata/CRD/multi-list-deleted-field.yaml');
  await s.getObjectAssert('foos/test-list', '{{.spec.otherField}}', '<no value>');
  await s.getObjectAssert('bars/test-list', '{{.spec.otherField}}', '<no value>');
  await s.getObjectAssert('foos/test-list', '{{.spec.newField}}', '<no value>');
  await s.getObjectAssert('bars/test-list', '{{.spec.newField}}', '<no value>');
  await s.kubectl('apply -f hack/testdata/CRD/multi-list-added-field.yaml');
  await s.getObjectAssert('foos/test-list', '{{.spec.newField}}', 'field3');
  await s.getObjectAssert('bars/test-list', '{{.spec.newField}}', 'field3');
  await s.kubectl('delete -f hack/testdata/CRD/multi-list.yaml');
  await s.getObjectAssert('foos', ids, '');
  await s.getObjectAssert('bars', ids, '');

  // apply --prune
  await s.getObjectAssert('foos', ids, '');
  await s.getObjectAssert('bars', ids, '');
  const allow = '--prune-allowlist=company.com/v1/Foo --prune-allowlist=company.com/v1/Bar';
  await s.kubectl(`apply --prune -l pruneGroup=true -f hack/testdata/CRD/foo.yaml ${allow}`);
  await s.getObjectAssert('foos', ids, 'test:');
  await s.getObjectAssert('bars', ids, '');
  await s.kubectl(`apply --prune -l pruneGroup=true -f hack/testdata/CRD/bar.yaml ${allow}`);
  await s.getObjectAssert('foos', ids, '');
  await s.getObjectAssert('bars', ids, 'test:');
  await s.kubectl('delete -f hack/testdata/CRD/bar.yaml');
  await s.getObjectAssert('foos', ids, '');
  await s.getObjectAssert('bars', ids, '');

  // create in a namespace, and the namespace's cleanup
  await s.kubectl('create namespace non-native-resources');
  await s.kubectl('create -f hack/testdata/CRD/bar.yaml --namespace=non-native-resources');
  await s.getObjectAssert('bars', '{{len .items}}', '1', '--namespace=non-native-resources');
  await s.kubectl('delete namespace non-native-resources');
  await s.waitObjectAssert('bars', '{{len .items}}', '0', '--namespace=non-native-resources');
  for (let tries = 1; tries <= 10; tries++) {
    if ((await s.run('get namespace non-native-resources')).exitCode !== 0) break;
    await sleep(tries * 1000);
  }
}

// run_crd_tests, with run_non_native_resource_tests that it calls
t.fn('run_crd_tests', { lines: 'test/cmd/crd.sh:20-440 (approximate)', minutes: 10 }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.kubectl('create -f -', { input: FOOS });
  const crds = (names: string) =>
    `{{range.items}}{{if eq ${id_field} ${names
      .split(' ')
      .map((n) => `"${n}"`)
      .join(' ')}}}{{${id_field}}}:{{end}}{{end}}`;
  await s.getObjectAssert('customresourcedefinitions', crds('foos.company.com'), 'foos.company.com:');
  await s.kubectl('create -f -', { input: BARS });
  await s.getObjectAssert(
    'customresourcedefinitions',
    crds('foos.company.com bars.company.com'),
    'bars.company.com:foos.company.com:',
  );
  // the name printer says kind.group/name; the builder resolves a kind.group
  await s.kubectl('create -f -', { input: RESOURCES });
  await s.getObjectAssert(
    'customresourcedefinitions',
    crds('foos.company.com bars.company.com resources.mygroup.example.com'),
    'bars.company.com:foos.company.com:resources.mygroup.example.com:',
  );
  // complex validation without client-side validation complaining
  await s.kubectl('create -f -', { input: VALIDFOOS });
  await s.getObjectAssert(
    'customresourcedefinitions',
    crds('foos.company.com bars.company.com resources.mygroup.example.com validfoos.company.com'),
    'bars.company.com:foos.company.com:resources.mygroup.example.com:validfoos.company.com:',
  );

  await runNonNativeResourceTests(s);

  await s.kubectl('delete customresourcedefinitions/foos.company.com');
  await s.kubectl('delete customresourcedefinitions/bars.company.com');
  await s.kubectl('delete customresourcedefinitions/resources.mygroup.example.com');
  await s.kubectl('delete customresourcedefinitions/validfoos.company.com');
});
