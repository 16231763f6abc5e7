import { IMAGE_NGINX, id_field, upstreamFile } from './harness.js';

// test/cmd/run.sh (kubernetes/kubernetes at 05c351a9037b).
const t = upstreamFile('run.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;

// run_kubectl_run_tests, run.sh:21-53
t.fn('run_kubectl_run_tests', { lines: 'test/cmd/run.sh:21-53' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.kubectl(`run --dry-run=client nginx-extensions --image=${IMAGE_NGINX}`);
  await s.kubectl(`run --dry-run=server nginx-extensions --image=${IMAGE_NGINX}`);
  await s.getObjectAssert('pods', ids, '');

  await s.getObjectAssert('pods', ids, '');
  await s.kubectl(`run nginx-extensions --image=${IMAGE_NGINX}`);
  await s.getObjectAssert('pod', ids, 'nginx-extensions:');
  await s.kubectl('delete pod nginx-extensions');

  // a valid image reference
  let out = await s.run('run test1 --image=validname');
  s.ifHasString(out.stdout, 'pod/test1 created');
  await s.kubectl('delete pods test1');
  // an invalid image name
  out = await s.fails('run test2 --image=InvalidImageName');
  s.ifHasString(out, 'error: Invalid image name "InvalidImageName": invalid reference format');
});
