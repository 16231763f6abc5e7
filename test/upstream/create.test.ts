import { IMAGE_PERL, id_field, image_field0, labels_field, upstreamFile } from './harness.js';

// test/cmd/create.sh (kubernetes/kubernetes at 00e2bcd39ff7).
const t = upstreamFile('create.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const VALID_POD = 'test/fixtures/doc-yaml/admin/limitrange/valid-pod.yaml';

// run_kubectl_create_dry_run_tests, create.sh:22-39
t.fn('run_kubectl_create_dry_run_tests', { lines: 'test/cmd/create.sh:22-39' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('create --dry-run=client -f hack/testdata/pod.yaml');
  await s.kubectl('create --dry-run=server -f hack/testdata/pod.yaml');
  await s.getObjectAssert('pods', ids, '');
});

// run_kubectl_create_filter_tests, create.sh:42-63
t.fn('run_kubectl_create_filter_tests', { lines: 'test/cmd/create.sh:42-63' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.getObjectAssert('pods', ids, '');
  await s.kubectl('create -l unique-label=bingbang -f hack/testdata/filter');
  await s.getObjectAssert('pods selector-test-pod', `{{${labels_field}.name}}`, 'selector-test-pod');
  const out = await s.fails('get pods selector-test-pod-dont-apply');
  s.ifHasString(out, 'pods "selector-test-pod-dont-apply" not found');
  await s.kubectl('delete pods selector-test-pod');
});

// run_kubectl_create_error_tests, create.sh:65-82
t.fn('run_kubectl_create_error_tests', { lines: 'test/cmd/create.sh:65-82' }, async (s) => {
  await s.createAndUseNewNamespace();
  // Passing no arguments to create is an error
  await s.fails('create');
  // Posting a pod to namespaces should fail; --raw forces the post location
  let out = await s.run(`create --raw /api/v1/namespaces -f ${VALID_POD} --v=8`);
  s.grepQ(out.all, 'the object provided is unrecognized (must be of type Namespace)');
  out = await s.run(`create --raw /api/v1/namespaces -f ${VALID_POD} --edit`);
  s.grepQ(out.all, 'raw and --edit are mutually exclusive');
});

// run_create_job_tests, create.sh:85-118
t.fn('run_create_job_tests', { lines: 'test/cmd/create.sh:85-118' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.kubectl('create job test-job --image=k8s.gcr.io/nginx:test-cmd');
  await s.getObjectAssert('job test-job', `{{${image_field0}}}`, 'k8s.gcr.io/nginx:test-cmd');
  await s.kubectl('delete job test-job');

  await s.kubectl([
    'create',
    'job',
    'test-job-pi',
    `--image=${IMAGE_PERL}`,
    '--',
    'perl',
    '-Mbignum=bpi',
    '-wle',
    'print bpi(20)',
  ]);
  await s.getObjectAssert('job test-job-pi', `{{${image_field0}}}`, IMAGE_PERL);
  await s.kubectl('delete job test-job-pi');

  // kubectl create job from cronjob
  await s.kubectl([
    'create',
    'cronjob',
    'test-pi',
    '--schedule=* */5 * * *',
    `--image=${IMAGE_PERL}`,
    '--',
    'perl',
    '-Mbignum=bpi',
    '-wle',
    'print bpi(10)',
  ]);
  await s.kubectl('create job my-pi --from=cronjob/test-pi');
  const out = await s.run([
    'get',
    'job',
    'my-pi',
    '-o',
    'go-template={{(index .spec.template.spec.containers 0).command}}',
  ]);
  s.ifHasString(out.stdout, 'perl -Mbignum=bpi -wle print bpi(10)');
  await s.kubectl('delete job my-pi');
  await s.kubectl('delete cronjob test-pi');
});

// run_kubectl_create_kustomization_directory_tests, create.sh:120-143. Upstream makes no namespace
// here: it runs in the one the function before it made.
t.fn(
  'run_kubectl_create_kustomization_directory_tests',
  { lines: 'test/cmd/create.sh:120-143' },
  async (s) => {
    await s.getObjectAssert('configmaps --field-selector=metadata.name=test-the-map', ids, '');
    await s.getObjectAssert('deployment', ids, '');
    await s.getObjectAssert('services', ids, '');
    await s.kubectl('create -k hack/testdata/kustomize');
    await s.getObjectAssert('configmap test-the-map', `{{${id_field}}}`, 'test-the-map');
    await s.getObjectAssert('deployment test-the-deployment', `{{${id_field}}}`, 'test-the-deployment');
    await s.getObjectAssert('service test-the-service', `{{${id_field}}}`, 'test-the-service');
    await s.kubectl('delete -k hack/testdata/kustomize');
  },
);
