import { IMAGE_PERL, id_field, upstreamFile } from './harness.js';

// test/cmd/batch.sh (kubernetes/kubernetes at 008b3652959c).
const t = upstreamFile('batch.sh');

const found = (name: string) => `{{range.items}}{{ if eq ${id_field} "${name}" }}found{{end}}{{end}}:`;
const cronjob = (...flags: string[]) => [
  'create',
  'cronjob',
  'pi',
  ...flags,
  '--schedule=59 23 31 2 *',
  '--namespace=test-jobs',
  `--image=${IMAGE_PERL}`,
  '--',
  'perl',
  '-Mbignum=bpi',
  '-wle',
  'print bpi(20)',
];

// run_job_tests, batch.sh:21-86
t.fn('run_job_tests', { lines: 'test/cmd/batch.sh:21-86' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.getObjectAssert('namespaces', found('test-jobs'), ':');
  await s.kubectl('create namespace test-jobs');
  await s.getObjectAssert('namespaces/test-jobs', `{{${id_field}}}`, 'test-jobs');

  await s.getObjectAssert('cronjob --namespace=test-jobs', found('pi'), ':');
  await s.kubectl(cronjob('--dry-run=client'));
  await s.kubectl(cronjob('--dry-run=server'));
  await s.getObjectAssert('cronjob', found('pi'), ':');
  await s.kubectl(cronjob());
  await s.getObjectAssert('cronjob/pi --namespace=test-jobs', `{{${id_field}}}`, 'pi');
  await s.kubectl('get cronjob/pi --namespace=test-jobs');
  await s.kubectl('describe cronjob/pi --namespace=test-jobs');
  await s.describeResourceChunkSizeAssert('cronjobs', 'events', '--namespace=test-jobs');

  // Create a job in dry-run mode
  const out = await s.kubectl(
    'create job test-job --from=cronjob/pi --dry-run=true --namespace=test-jobs -o name',
  );
  s.ifHasString(out.stdout, 'job.batch/test-job');
  await s.getObjectAssert('jobs', `{{range.items}}{{${id_field}}}{{end}}`, '');

  await s.getObjectAssert('job --namespace=test-jobs', found('test-jobs'), ':');
  await s.kubectl('create job test-job --from=cronjob/pi --namespace=test-jobs --dry-run=client');
  await s.kubectl('create job test-job --from=cronjob/pi --namespace=test-jobs --dry-run=server');
  await s.getObjectAssert('job --namespace=test-jobs', found('test-jobs'), ':');
  await s.kubectl('create job test-job --from=cronjob/pi --namespace=test-jobs');
  await s.getObjectAssert('job/test-job --namespace=test-jobs', `{{${id_field}}}`, 'test-job');
  await s.kubectl('get job/test-job --namespace=test-jobs');
  await s.kubectl('describe job/test-job --namespace=test-jobs');
  await s.describeResourceChunkSizeAssert('jobs', 'events', '--namespace=test-jobs');
  await s.kubectl('delete job test-job --namespace=test-jobs');
  await s.kubectl('delete cronjob pi --namespace=test-jobs');
  await s.kubectl('delete namespace test-jobs');
});
