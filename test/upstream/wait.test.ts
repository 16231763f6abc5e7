import { id_field, upstreamFile } from './harness.js';

// test/cmd/wait.sh (kubernetes/kubernetes at 00b8a0a95bb9).
const t = upstreamFile('wait.sh');

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const DTEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: dtest
  name: dtest
spec:
  replicas: 3
  selector:
    matchLabels:
      app: dtest
  template:
    metadata:
      labels:
        app: dtest
    spec:
      containers:
      - name: bb
        image: busybox
        command: ["/bin/sh", "-c", "sleep infinity"]
`;

// run_wait_tests, wait.sh:21-114
t.fn('run_wait_tests', { lines: 'test/cmd/wait.sh:21-114' }, async (s) => {
  await s.createAndUseNewNamespace();

  // Wait for deletion using --all flag
  await s.kubectl('create deployment test-1 --image=busybox');
  await s.kubectl('create deployment test-2 --image=busybox');
  await s.getObjectAssert('deployments', '{{range .items}}{{.metadata.name}},{{end}}', 'test-1,test-2,');

  // wait with jsonpath will timeout for busybox deployment (set +o errexit)
  let out = await s.run('wait --for=jsonpath=.status.readyReplicas=1 deploy/test-1');
  s.ifHasString(out, 'timed out');

  // ( sleep 2 && kubectl delete deployment --all ) &
  const deleting = sleep(2000).then(() => s.kubectl('delete deployment --all'));
  out = await s.kubectl('wait deployment --for=delete --all');
  await deleting;
  s.ifHasString(out.stdout, 'test-1 condition met');
  s.ifHasString(out.stdout, 'test-2 condition met');

  // test data to see the timeout error come at the right time
  await s.kubectl('apply -f -', { input: DTEST });
  await s.waitObjectAssert('deployments', `{{range.items}}{{${id_field}}}{{end}}`, 'dtest');

  // wait timeout error because condition is invalid (set +o errexit)
  const started = Date.now();
  out = await s.run('wait pod --selector=app=dtest --for=condition=InvalidCondition --timeout=1s');
  // upstream's `date +%s` difference: whole seconds
  const seconds = Math.floor(Date.now() / 1000) - Math.floor(started / 1000);
  s.ifHasString(out, 'timed out waiting for the condition ');
  s.check(`test ${seconds} -ge 1 && test ${seconds} -le 2`, seconds >= 1 && seconds <= 2);

  await s.kubectl('delete deployment dtest');

  await s.kubectl('create deployment test-3 --image=busybox');
  // wait with jsonpath without value to succeed (set +o errexit)
  out = await s.run("wait --for=jsonpath='{.status.replicas}' deploy/test-3");
  s.ifHasString(out, 'deployment.apps/test-3 condition met');
  await s.kubectl('delete deployment test-3');
});
