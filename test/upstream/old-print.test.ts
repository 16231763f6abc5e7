import { IMAGE_PERL, id_field, type Session, upstreamFile } from './harness.js';
import { grepMatch } from './shell.js';

// test/cmd/old-print.sh (kubernetes/kubernetes at 3510e45d9707).
const t = upstreamFile('old-print.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const CRD = `{
  "kind": "CustomResourceDefinition",
  "apiVersion": "apiextensions.k8s.io/v1beta1",
  "metadata": {
    "name": "foos.company.com"
  },
  "spec": {
    "group": "company.com",
    "version": "v1",
    "scope": "Namespaced",
    "names": {
      "plural": "foos",
      "kind": "Foo"
    }
  }
}
`;

/** `awk 'NF{NF--};1'`: each non-empty line without its last field (the AGE), fields single-spaced. */
function dropLastColumn(text: string): string {
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => {
      const fields = line
        .trim()
        .split(/[ \t]+/)
        .filter((f) => f !== '');
      return fields.length ? fields.slice(0, -1).join(' ') : line;
    })
    .join('\n');
}

/**
 * Compares the server's table with kubectl's own printing (--server-print=false), the AGE column
 * dropped: `if_has_string "$actual" "$expected"`, where grep takes each line of the expected
 * output as a pattern.
 */
async function samePrint(s: Session, what: string): Promise<void> {
  const expected = dropLastColumn((await s.run(`get ${what}`)).stdout);
  const actual = dropLastColumn((await s.run(`get ${what} --server-print=false`)).stdout);
  s.check(
    `get ${what} --server-print=false prints as the server's table`,
    expected.split('\n').some((pattern) => grepMatch(actual, pattern)),
    `expected:\n${expected}\nactual:\n${actual}`,
  );
}

// run_kubectl_old_print_tests, old-print.sh:21-140
t.fn(
  'run_kubectl_old_print_tests',
  {
    lines: 'test/cmd/old-print.sh:21-140',
    explained: [
      {
        match: /^kubectl run pi --generator=job\/v1|^get jobs|jobs\/pi|jobs pi/,
        reason:
          'kubectl run --generator left kubectl in 1.18 (it makes pods only): kubectl 1.32 answers `unknown flag: --generator`, so there is no Job pi',
      },
      {
        match: /^get (pod|ds|rc|rs) --server-print=false prints as the server's table$/,
        reason:
          "kubectl 1.32 has no printers of its own for built-in kinds: with --server-print=false it prints NAME and AGE only, where the ported revision's kubectl printed the server's columns",
      },
      {
        match: 'has string "application/json"',
        reason:
          'kubectl 1.32 has no --use-openapi-print-columns flag (`unknown flag`), so it makes no request to look at',
      },
      {
        match: /^kubectl create -f -$|customresourcedefinitions|foos/,
        reason:
          'apiextensions.k8s.io/v1beta1 was removed in Kubernetes 1.22, and CustomResourceDefinitions are not served by the simulator',
      },
    ],
  },
  async (s) => {
    await s.createAndUseNewNamespace();
    // Test retrieval of all types in discovery
    const none = await s.run('get pods --server-print=false');
    s.ifHasString(none, 'No resources found.');

    // Test retrieval of pods against server-side printing
    await s.kubectl('create -f test/fixtures/doc-yaml/admin/limitrange/valid-pod.yaml');
    await s.getObjectAssert('pods', ids, 'valid-pod:');
    await samePrint(s, 'pod');

    // Test printing objects with --use-openapi-print-columns: full objects, not server-side printing
    const openapi = await s.run('get namespaces --use-openapi-print-columns --v=7');
    s.ifHasNotString(openapi, 'application/json;as=Table');
    s.ifHasString(openapi, 'application/json');

    // daemonsets
    await s.kubectl('apply -f hack/testdata/rollingupdate-daemonset.yaml');
    await s.getObjectAssert('ds', ids, 'bind:');
    await samePrint(s, 'ds');

    // replicationcontrollers
    await s.kubectl('create -f hack/testdata/frontend-controller.yaml');
    await s.getObjectAssert('rc', ids, 'frontend:');
    await samePrint(s, 'rc');

    // replicasets
    await s.kubectl('create -f hack/testdata/frontend-replicaset.yaml');
    await s.getObjectAssert('rs', ids, 'frontend:');
    await samePrint(s, 'rs');

    // jobs
    await s.kubectl([
      'run',
      'pi',
      '--generator=job/v1',
      `--image=${IMAGE_PERL}`,
      '--restart=OnFailure',
      '--',
      'perl',
      '-Mbignum=bpi',
      '-wle',
      'print bpi(20)',
    ]);
    await s.getObjectAssert('jobs', ids, 'pi:');
    await samePrint(s, 'jobs/pi');

    // clusterroles
    await s.kubectl('create clusterrole sample-role --verb=* --resource=pods');
    await s.getObjectAssert(
      'clusterrole/sample-role',
      '{{range.rules}}{{range.resources}}{{.}}:{{end}}{{end}}',
      'pods:',
    );
    await samePrint(s, 'clusterroles/sample-role');

    // crds
    await s.kubectl('create -f -', { input: CRD });
    await s.getObjectAssert(
      'customresourcedefinitions',
      `{{range.items}}{{if eq ${id_field} "foos.company.com"}}{{${id_field}}}:{{end}}{{end}}`,
      'foos.company.com:',
    );
    await s.getObjectAssert('foos', ids, '');
    await samePrint(s, 'foos');

    // teardown
    await s.kubectl('delete customresourcedefinitions/foos.company.com');
    await s.kubectl('delete clusterroles/sample-role');
    await s.kubectl('delete jobs pi');
    await s.kubectl('delete rs frontend');
    await s.kubectl('delete rc frontend');
    await s.kubectl('delete ds bind');
    await s.kubectl('delete pod valid-pod');
  },
);
