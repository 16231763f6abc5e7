import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES } from './cluster.js';
import {
  annotations_field,
  container_len,
  container_name_field,
  generation_field,
  hpa_cpu_field,
  hpa_max_field,
  hpa_min_field,
  IMAGE_DAEMONSET_R2,
  IMAGE_DAEMONSET_R2_2,
  IMAGE_DEPLOYMENT_R1,
  IMAGE_DEPLOYMENT_R2,
  IMAGE_PAUSE_V2,
  IMAGE_PERL,
  IMAGE_STATEFULSET_R1,
  IMAGE_STATEFULSET_R2,
  id_field,
  image_field0,
  image_field1,
  pod_container_name_field,
  port_field,
  port_name,
  rs_replicas_field,
  statefulset_observed_generation,
  statefulset_replicas_field,
  template_labels,
  upstreamFile,
} from './harness.js';

// test/cmd/apps.sh (kubernetes/kubernetes at 054d429d9f8b).
const t = upstreamFile('apps.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const found = (name: string) => `{{range.items}}{{ if eq ${id_field} "${name}" }}found{{end}}{{end}}:`;

// run_daemonset_tests, apps.sh:21-58
t.fn('run_daemonset_tests', { lines: 'test/cmd/apps.sh:21-58' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.untilServed('daemonsets', async () => {
    await s.getObjectAssert('daemonsets', ids, '');
    await s.kubectl('apply -f hack/testdata/rollingupdate-daemonset.yaml');
    await s.getObjectAssert('daemonsets bind', `{{${generation_field}}}`, '1');
    await s.kubectl('apply -f hack/testdata/rollingupdate-daemonset.yaml');
    await s.getObjectAssert('daemonsets bind', `{{${generation_field}}}`, '1');
    await s.kubectl('set image daemonsets/bind *=k8s.gcr.io/pause:test-cmd');
    await s.getObjectAssert('daemonsets bind', `{{${generation_field}}}`, '2');
    await s.kubectl('set env daemonsets/bind foo=bar');
    await s.getObjectAssert('daemonsets bind', `{{${generation_field}}}`, '3');
    await s.kubectl('set resources daemonsets/bind --limits=cpu=200m,memory=512Mi');
    await s.getObjectAssert('daemonsets bind', `{{${generation_field}}}`, '4');
    const out = await s.run(
      'get daemonsets bind --show-managed-fields -o=jsonpath={.metadata.managedFields[*].manager}',
    );
    s.ifHasString(out, 'kubectl-set');
    await s.kubectl('rollout restart daemonset/bind');
    await s.getObjectAssert('daemonsets bind', `{{${generation_field}}}`, '5');
    await s.kubectl('delete -f hack/testdata/rollingupdate-daemonset.yaml');
  });
});

// run_daemonset_history_tests, apps.sh:60-110
t.fn('run_daemonset_history_tests', { lines: 'test/cmd/apps.sh:60-110' }, async (s) => {
  await s.createAndUseNewNamespace();
  const image0 = `{{range.items}}{{${image_field0}}}:{{end}}`;
  const image1 = `{{range.items}}{{${image_field1}}}:{{end}}`;
  const containers = `{{range.items}}{{${container_len}}}{{end}}`;
  const revisions = `{{range.items}}{{${annotations_field}}}:{{end}}`;
  await s.getObjectAssert('daemonsets', ids, '');
  // revision 1
  await s.kubectl('apply -f hack/testdata/rollingupdate-daemonset.yaml --record');
  await s.waitObjectAssert('controllerrevisions', revisions, '.*rollingupdate-daemonset.yaml --record.*');
  // rollback to revision 1: a no-op
  await s.kubectl('rollout undo daemonset --to-revision=1');
  await s.getObjectAssert('daemonset', image0, `${IMAGE_PAUSE_V2}:`);
  await s.getObjectAssert('daemonset', containers, '1');
  // revision 2
  await s.kubectl('apply -f hack/testdata/rollingupdate-daemonset-rv2.yaml --record');
  await s.waitObjectAssert('daemonset', image0, `${IMAGE_DAEMONSET_R2}:`);
  await s.waitObjectAssert('daemonset', image1, `${IMAGE_DAEMONSET_R2_2}:`);
  await s.getObjectAssert('daemonset', containers, '2');
  await s.waitObjectAssert('controllerrevisions', revisions, '.*rollingupdate-daemonset-rv2.yaml --record.*');
  // rollback to revision 1 with dry-run: a no-op
  await s.kubectl('rollout undo daemonset --dry-run=client');
  await s.kubectl('rollout undo daemonset --dry-run=server');
  await s.getObjectAssert('daemonset', image0, `${IMAGE_DAEMONSET_R2}:`);
  await s.getObjectAssert('daemonset', image1, `${IMAGE_DAEMONSET_R2_2}:`);
  await s.getObjectAssert('daemonset', containers, '2');
  // rollback to revision 1
  await s.kubectl('rollout undo daemonset --to-revision=1');
  await s.waitObjectAssert('daemonset', image0, `${IMAGE_PAUSE_V2}:`);
  await s.getObjectAssert('daemonset', containers, '1');
  // rollback to revision 1000000: fails
  const out = await s.fails('rollout undo daemonset --to-revision=1000000');
  s.ifHasString(out, 'unable to find specified revision');
  await s.getObjectAssert('daemonset', image0, `${IMAGE_PAUSE_V2}:`);
  await s.getObjectAssert('daemonset', containers, '1');
  // rollback to the last revision
  await s.kubectl('rollout undo daemonset');
  await s.waitObjectAssert('daemonset', image0, `${IMAGE_DAEMONSET_R2}:`);
  await s.waitObjectAssert('daemonset', image1, `${IMAGE_DAEMONSET_R2_2}:`);
  await s.getObjectAssert('daemonset', containers, '2');
  await s.kubectl('delete -f hack/testdata/rollingupdate-daemonset.yaml');
});

// run_kubectl_apply_deployments_tests, apps.sh:112-172
t.fn(
  'run_kubectl_apply_deployments_tests',
  {
    lines: 'test/cmd/apps.sh:112-172',
  },
  async (s) => {
    await s.createAndUseNewNamespace();
    // kubectl apply should propagate user defined null values
    await s.getObjectAssert('deployments', ids, '');
    await s.getObjectAssert('replicasets', ids, '');
    await s.getObjectAssert('pods', ids, '');
    await s.kubectl('apply -f hack/testdata/null-propagation/deployment-l1.yaml');
    await s.getObjectAssert('deployments my-depl', `{{${id_field}}}`, 'my-depl');
    await s.getObjectAssert('deployments my-depl', '{{.spec.template.metadata.labels.l1}}', 'l1');
    await s.getObjectAssert('deployments my-depl', '{{.spec.selector.matchLabels.l1}}', 'l1');
    await s.getObjectAssert('deployments my-depl', '{{.metadata.labels.l1}}', 'l1');
    await s.kubectl('apply -f hack/testdata/null-propagation/deployment-l2.yaml');
    await s.getObjectAssert('deployments my-depl', '{{.spec.template.metadata.labels.l1}}', 'l1');
    await s.getObjectAssert('deployments my-depl', '{{.spec.selector.matchLabels.l1}}', 'l1');
    await s.getObjectAssert('deployments my-depl', '{{.metadata.labels.l1}}', '<no value>');
    await s.kubectl('delete deployments,rs,pods --all --cascade=orphan --grace-period=0');
    await s.waitObjectAssert('deployments', ids, '');
    await s.waitObjectAssert('replicasets', ids, '');
    await s.getObjectAssert('pods', ids, '');

    // kubectl apply deployment --overwrite=true --force=true
    await s.getObjectAssert('deployments', ids, '');
    await s.kubectl('apply -f hack/testdata/deployment-label-change1.yaml');
    await s.getObjectAssert('deployment nginx', `{{${id_field}}}`, 'nginx');
    let out = await s.fails('apply -f hack/testdata/deployment-label-change2.yaml');
    s.ifHasString(out, 'Error from server (Conflict)');
    await s.kubectl(
      'apply -f hack/testdata/deployment-label-change2.yaml --overwrite=true  --force=true --grace-period=10',
    );
    out = await s.run('apply view-last-applied deploy/nginx -o json');
    s.ifHasString(
      out.stdout
        .split('\n')
        .filter((l) => l.includes('nginx2'))
        .join('\n'),
      '"name": "nginx2"',
    );
    // conflicting and invalid: the old object is restored and the validation error printed
    out = await s.fails('apply -f hack/testdata/deployment-label-change3.yaml --force');
    s.ifHasString(out, 'Invalid value');
    await s.getObjectAssert('deployment nginx', `{{${template_labels}}}`, 'nginx2');
    await s.kubectl('delete deployments --all --grace-period=10');
  },
);

// run_deployment_tests, apps.sh:174-420
t.fn(
  'run_deployment_tests',
  {
    lines: 'test/cmd/apps.sh:174-420',
    minutes: 6,
    explained: [
      {
        match: /revision-history: 1,3|revision: "6"/,
        reason:
          'kubelet difference: upstream has no kubelet, so the rollout never completes; here it does, describe adds "Progressing True NewReplicaSetAvailable" and upstream\'s `grep NewReplicaSet | awk` yields two words',
      },
    ],
  },
  async (s) => {
    await s.createAndUseNewNamespace();
    await s.kubectl('create deployment test-nginx-extensions --image=k8s.gcr.io/nginx:test-cmd');
    await s.getObjectAssert('deploy test-nginx-extensions', `{{${container_name_field}}}`, 'nginx');
    let out = await s.run(
      'get deployment.apps/test-nginx-extensions -o jsonpath={.spec.revisionHistoryLimit}',
    );
    s.ifHasNotString(out.stdout, '2');
    out = await s.run('get deployment.apps -o=jsonpath={.items[0].apiVersion}');
    s.ifHasString(out, 'apps/v1');
    await s.kubectl('delete deployment test-nginx-extensions');

    await s.kubectl('create deployment test-nginx-apps --image=k8s.gcr.io/nginx:test-cmd');
    await s.getObjectAssert('deploy test-nginx-apps', `{{${container_name_field}}}`, 'nginx');
    out = await s.run('get deployment/test-nginx-apps -o jsonpath={.spec.revisionHistoryLimit}');
    s.ifHasString(out.stdout, '10');
    out = await s.run('get deployment.apps -o=jsonpath={.items[0].apiVersion}');
    s.ifHasString(out, 'apps/v1');
    await s.describeResourceAssert(
      'rs',
      'Name:',
      'Pod Template:',
      'Labels:',
      'Selector:',
      'Controlled By',
      'Replicas:',
      'Pods Status:',
      'Volumes:',
    );
    await s.describeResourceAssert('pods', 'Name:', 'Image:', 'Node:', 'Labels:', 'Status:', 'Controlled By');
    await s.kubectl('delete deployment test-nginx-apps');

    // create deployment with image and command
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl(
      'create deployment nginx-with-command --dry-run=client --image=k8s.gcr.io/nginx:test-cmd -- /bin/sleep infinity',
    );
    await s.kubectl(
      'create deployment nginx-with-command --dry-run=server --image=k8s.gcr.io/nginx:test-cmd -- /bin/sleep infinity',
    );
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl(
      'create deployment nginx-with-command --image=k8s.gcr.io/nginx:test-cmd -- /bin/sleep infinity',
    );
    await s.getObjectAssert('deploy nginx-with-command', `{{${container_name_field}}}`, 'nginx');
    await s.kubectl('delete deployment nginx-with-command');

    // create deployment should not fail validation
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl('create -f hack/testdata/deployment-with-UnixUserID.yaml');
    await s.getObjectAssert('deployment', ids, 'deployment-with-unixuserid:');
    await s.kubectl('delete deployment deployment-with-unixuserid');

    // cascading deletion: rs is deleted with the deployment
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl('create -f test/fixtures/doc-yaml/user-guide/deployment.yaml');
    await s.waitObjectAssert('rs', `{{range.items}}{{${rs_replicas_field}}}{{end}}`, '3');
    await s.kubectl('delete deployment nginx-deployment --cascade');
    await s.waitObjectAssert('rs', ids, '');
    // ... and kept with --cascade=orphan
    await s.getObjectAssert('deployment', ids, '');
    await s.getObjectAssert('rs', ids, '');
    await s.kubectl('create deployment nginx-deployment --image=k8s.gcr.io/nginx:test-cmd');
    await s.waitObjectAssert('rs', `{{range.items}}{{${rs_replicas_field}}}{{end}}`, '1');
    await s.kubectl('delete deployment nginx-deployment --cascade=orphan');
    await s.waitObjectAssert('deployment', ids, '');
    await s.getObjectAssert('rs', `{{range.items}}{{${rs_replicas_field}}}{{end}}`, '1');
    const rsName = (
      await s.run(['get', 'rs', '-o', 'template', `--template={{range.items}}{{${id_field}}}{{end}}`])
    ).stdout;
    await s.kubectl(['delete', 'rs', rsName]);

    // Auto scale deployment
    await s.getObjectAssert('deployment', ids, '');
    await s.getObjectAssert('hpa', found('nginx-deployment'), ':');
    await s.kubectl('create -f test/fixtures/doc-yaml/user-guide/deployment.yaml');
    await s.getObjectAssert('deployment', ids, 'nginx-deployment:');
    await s.kubectl('autoscale deployment nginx-deployment --dry-run=client --min=2 --max=3');
    await s.kubectl('autoscale deployment nginx-deployment --dry-run=server --min=2 --max=3');
    await s.getObjectAssert('hpa', found('nginx-deployment'), ':');
    await s.kubectl('autoscale deployment nginx-deployment --min=2 --max=3');
    await s.getObjectAssert(
      'hpa nginx-deployment',
      `{{${hpa_min_field}}} {{${hpa_max_field}}} {{${hpa_cpu_field}}}`,
      '2 3 80',
    );
    await s.kubectl('delete hpa nginx-deployment');
    await s.kubectl('delete deployment.apps nginx-deployment');

    // Rollback a deployment
    const image0 = `{{range.items}}{{${image_field0}}}:{{end}}`;
    const image1 = `{{range.items}}{{${image_field1}}}:{{end}}`;
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl('create -f hack/testdata/deployment-revision1.yaml');
    await s.getObjectAssert('deployment', ids, 'nginx:');
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.kubectl('rollout undo deployment nginx --to-revision=1');
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.kubectl('apply -f hack/testdata/deployment-revision2.yaml');
    await s.getObjectAssert('deployment.apps', image0, `${IMAGE_DEPLOYMENT_R2}:`);
    out = await s.kubectl('rollout undo deployment nginx --dry-run=client');
    s.grepQ(out, 'test-cmd');
    await s.kubectl('rollout undo deployment nginx --dry-run=server');
    await s.getObjectAssert('deployment.apps', image0, `${IMAGE_DEPLOYMENT_R2}:`);
    await s.kubectl('rollout undo deployment nginx --to-revision=1');
    await new Promise((done) => setTimeout(done, 1000));
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.fails('rollout undo deployment nginx --to-revision=1000000');
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.kubectl('rollout undo deployment nginx');
    await new Promise((done) => setTimeout(done, 1000));
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R2}:`);
    await s.kubectl('rollout pause deployment nginx');
    await s.fails('rollout undo deployment nginx');
    await s.fails('rollout restart deployment nginx');
    await s.kubectl('rollout resume deployment nginx');
    await s.kubectl('rollout undo deployment nginx');
    // newrs="$(kubectl describe deployment nginx | grep NewReplicaSet | awk '{print $2}')"
    const newRs = async () =>
      (await s.run('describe deployment nginx')).stdout
        .split('\n')
        .filter((l) => l.includes('NewReplicaSet'))
        .map((l) => l.trim().split(/\s+/)[1] ?? '')
        .join('\n');
    let rs = await s.run(['get', 'rs', await newRs(), '-o', 'yaml']);
    s.grepQ(rs, 'deployment.kubernetes.io/revision-history: 1,3');
    await s.fails('rollout status deployment/nginx --revision=3');
    await s.kubectl('rollout restart deployment/nginx');
    await new Promise((done) => setTimeout(done, 1000));
    rs = await s.run(['get', 'rs', await newRs(), '-o', 'yaml']);
    s.ifHasString(rs.stdout, 'deployment.kubernetes.io/revision: "6"');
    out = await s.run(
      'get deployment nginx --show-managed-fields -o=jsonpath={.metadata.managedFields[*].manager}',
    );
    s.ifHasString(out, 'kubectl-rollout');
    // a second deployment (sed "s/name: nginx$/name: nginx2/")
    const revision1 = await readFile(join(FIXTURES, 'hack/testdata/deployment-revision1.yaml'), 'utf8');
    await s.kubectl('create -f -', { input: revision1.replace(/name: nginx$/m, 'name: nginx2') });
    await s.kubectl('delete deployment nginx2');
    await s.kubectl('delete deployment nginx');

    // Set image of a deployment
    const multi = 'hack/testdata/deployment-multicontainer.yaml';
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl(`create -f ${multi}`);
    await s.getObjectAssert('deployment', ids, 'nginx-deployment:');
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_PERL}:`);
    await s.kubectl(`set image deployment nginx-deployment nginx=${IMAGE_DEPLOYMENT_R2} --dry-run=client`);
    await s.kubectl(`set image deployment nginx-deployment nginx=${IMAGE_DEPLOYMENT_R2} --dry-run=server`);
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_PERL}:`);
    await s.kubectl(`set image deployment nginx-deployment nginx=${IMAGE_DEPLOYMENT_R2}`);
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R2}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_PERL}:`);
    await s.fails('set image deployment nginx-deployment redis=redis');
    await s.kubectl(`set image deployments --all nginx=${IMAGE_DEPLOYMENT_R1}`);
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_PERL}:`);
    await s.kubectl(`set image -f ${multi} nginx=${IMAGE_DEPLOYMENT_R2}`);
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R2}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_PERL}:`);
    await s.kubectl(`set image -f ${multi} nginx=${IMAGE_DEPLOYMENT_R1} --local -o yaml`);
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R2}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_PERL}:`);
    await s.kubectl(`set image deployment nginx-deployment *=${IMAGE_DEPLOYMENT_R1}`);
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.kubectl(`set image deployment nginx-deployment *=${IMAGE_DEPLOYMENT_R1}`);
    await s.getObjectAssert('deployment', image0, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.getObjectAssert('deployment', image1, `${IMAGE_DEPLOYMENT_R1}:`);
    await s.kubectl('delete deployment nginx-deployment');

    // Set env of a deployment
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl(`create -f ${multi}`);
    await s.kubectl('create -f hack/testdata/configmap.yaml');
    await s.kubectl('create -f hack/testdata/secret.yaml');
    await s.getObjectAssert('deployment', ids, 'nginx-deployment:');
    await s.getObjectAssert('configmaps/test-set-env-config', `{{${id_field}}}`, 'test-set-env-config');
    await s.getObjectAssert('secret', ids, 'test-set-env-secret:');
    await s.kubectl('set env deployment nginx-deployment --keys=key-2 --from=configmap/test-set-env-config');
    await s.getObjectAssert(
      'deploy nginx-deployment',
      '{{ (index (index .spec.template.spec.containers 0).env 0).name}}',
      'KEY_2',
    );
    const envLen = '{{ len (index .spec.template.spec.containers 0).env }}';
    await s.getObjectAssert('deploy nginx-deployment', envLen, '1');
    await s.kubectl(
      'set env deployment nginx-deployment --dry-run=client --from=configmap/test-set-env-config',
    );
    await s.kubectl(
      'set env deployment nginx-deployment --dry-run=server --from=configmap/test-set-env-config',
    );
    await s.getObjectAssert('deploy nginx-deployment', envLen, '1');
    await s.kubectl('set env deployment nginx-deployment --from=configmap/test-set-env-config');
    await s.getObjectAssert('deploy nginx-deployment', envLen, '2');
    await s.kubectl('set env deployment nginx-deployment env=prod');
    await s.kubectl('set env deployment nginx-deployment superenv=superprod -c=nginx');
    await s.kubectl('set env deployment nginx-deployment --keys=username --from=secret/test-set-env-secret');
    await s.kubectl('set env deployment nginx-deployment --from=secret/test-set-env-secret');
    await s.kubectl('set env deployment nginx-deployment env-');
    await s.kubectl('delete deployment nginx-deployment');
    await s.kubectl('delete configmap test-set-env-config');
    await s.kubectl('delete secret test-set-env-secret');
  },
);

// run_statefulset_history_tests, apps.sh:422-470
t.fn('run_statefulset_history_tests', { lines: 'test/cmd/apps.sh:422-470' }, async (s) => {
  await s.createAndUseNewNamespace();
  const image0 = `{{range.items}}{{${image_field0}}}:{{end}}`;
  const image1 = `{{range.items}}{{${image_field1}}}:{{end}}`;
  const containers = `{{range.items}}{{${container_len}}}{{end}}`;
  const revisions = `{{range.items}}{{${annotations_field}}}:{{end}}`;
  await s.getObjectAssert('statefulset', ids, '');
  // revision 1
  await s.kubectl('apply -f hack/testdata/rollingupdate-statefulset.yaml --record');
  await s.waitObjectAssert('controllerrevisions', revisions, '.*rollingupdate-statefulset.yaml --record.*');
  // rollback to revision 1: a no-op
  await s.kubectl('rollout undo statefulset --to-revision=1');
  await s.getObjectAssert('statefulset', image0, `${IMAGE_STATEFULSET_R1}:`);
  await s.getObjectAssert('statefulset', containers, '1');
  // revision 2
  await s.kubectl('apply -f hack/testdata/rollingupdate-statefulset-rv2.yaml --record');
  await s.waitObjectAssert('statefulset', image0, `${IMAGE_STATEFULSET_R2}:`);
  await s.waitObjectAssert('statefulset', image1, `${IMAGE_PAUSE_V2}:`);
  await s.getObjectAssert('statefulset', containers, '2');
  await s.waitObjectAssert(
    'controllerrevisions',
    revisions,
    '.*rollingupdate-statefulset-rv2.yaml --record.*',
  );
  // rollback to revision 1 with dry-run: a no-op
  await s.kubectl('rollout undo statefulset --dry-run=client');
  await s.kubectl('rollout undo statefulset --dry-run=server');
  await s.getObjectAssert('statefulset', image0, `${IMAGE_STATEFULSET_R2}:`);
  await s.getObjectAssert('statefulset', image1, `${IMAGE_PAUSE_V2}:`);
  await s.getObjectAssert('statefulset', containers, '2');
  // rollback to revision 1
  await s.kubectl('rollout undo statefulset --to-revision=1');
  await s.waitObjectAssert('statefulset', image0, `${IMAGE_STATEFULSET_R1}:`);
  await s.getObjectAssert('statefulset', containers, '1');
  // rollback to revision 1000000: fails
  const out = await s.fails('rollout undo statefulset --to-revision=1000000');
  s.ifHasString(out, 'unable to find specified revision');
  await s.getObjectAssert('statefulset', image0, `${IMAGE_STATEFULSET_R1}:`);
  await s.getObjectAssert('statefulset', containers, '1');
  // rollback to the last revision
  await s.kubectl('rollout undo statefulset');
  await s.waitObjectAssert('statefulset', image0, `${IMAGE_STATEFULSET_R2}:`);
  await s.waitObjectAssert('statefulset', image1, `${IMAGE_PAUSE_V2}:`);
  await s.getObjectAssert('statefulset', containers, '2');
  await s.kubectl('delete -f hack/testdata/rollingupdate-statefulset-rv2.yaml');
  // wait-for-pods-with-label "app=nginx-statefulset" ""
  await s.waitObjectAssert(
    'po -l app=nginx-statefulset --sort-by metadata.name',
    '{{range.items}}{{.metadata.name}}{{end}}',
    '',
  );
});

// run_stateful_set_tests, apps.sh:472-510
t.fn('run_stateful_set_tests', { lines: 'test/cmd/apps.sh:472-510' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.untilServed('statefulsets', async () => {
    await s.getObjectAssert('statefulset', ids, '');
    await s.kubectl('create -f hack/testdata/rollingupdate-statefulset.yaml');
    await s.getObjectAssert('statefulset nginx', `{{${statefulset_replicas_field}}}`, '0');
    await s.waitObjectAssert('statefulset nginx', `{{${statefulset_observed_generation}}}`, '1');
    await s.kubectl('scale --current-replicas=0 --replicas=1 statefulset nginx');
    await s.getObjectAssert('statefulset nginx', `{{${statefulset_replicas_field}}}`, '1');
    await s.waitObjectAssert('statefulset nginx', `{{${statefulset_observed_generation}}}`, '2');
    // wait-for-pods-with-label "app=nginx-statefulset" "nginx-0"
    await s.waitObjectAssert(
      'po -l app=nginx-statefulset --sort-by metadata.name',
      '{{range.items}}{{.metadata.name}}{{end}}',
      'nginx-0',
    );
    await s.kubectl('rollout restart statefulset nginx');
    await s.getObjectAssert('statefulset nginx', `{{${statefulset_observed_generation}}}`, '3');
    await s.kubectl('delete -f hack/testdata/rollingupdate-statefulset.yaml');
    await s.waitObjectAssert(
      'po -l app=nginx-statefulset --sort-by metadata.name',
      '{{range.items}}{{.metadata.name}}{{end}}',
      '',
    );
  });
});

// run_rs_tests, apps.sh:512-680
t.fn('run_rs_tests', { lines: 'test/cmd/apps.sh:512-680', minutes: 6 }, async (s) => {
  await s.createAndUseNewNamespace();
  const frontend = 'hack/testdata/frontend-replicaset.yaml';
  // Create and stop a replica set, make sure it doesn't leak pods
  await s.getObjectAssert('rs', ids, '');
  await s.kubectl(`create -f ${frontend}`);
  await s.kubectl('delete rs frontend');
  await s.waitObjectAssert('pods -l "tier=frontend"', ids, '');

  // delete with --cascade=orphan keeps the pods
  await s.getObjectAssert('rs', ids, '');
  await s.kubectl(`create -f ${frontend}`);
  const containers = `{{range.items}}{{${pod_container_name_field}}}:{{end}}`;
  await s.waitObjectAssert('pods -l "tier=frontend"', containers, 'php-redis:php-redis:php-redis:');
  await s.kubectl('delete rs frontend --cascade=orphan');
  await s.waitObjectAssert('rs', ids, '');
  await s.getObjectAssert('pods -l "tier=frontend"', containers, 'php-redis:php-redis:php-redis:');
  await s.kubectl('delete pods -l "tier=frontend"');
  await s.getObjectAssert('pods', ids, '');

  // Create replica set frontend from YAML
  await s.getObjectAssert('rs', ids, '');
  await s.kubectl(`create -f ${frontend}`);
  await s.getObjectAssert('rs', ids, 'frontend:');
  const describe = [
    'Name:',
    'Pod Template:',
    'Labels:',
    'Selector:',
    'Replicas:',
    'Pods Status:',
    'Volumes:',
  ];
  await s.describeObjectAssert('rs', 'frontend', ...describe);
  await s.describeObjectEventsAssert('rs', 'frontend');
  await s.describeObjectEventsAssert('rs', 'frontend', false);
  await s.describeObjectEventsAssert('rs', 'frontend', true);
  await s.describeResourceAssert('rs', ...describe);
  await s.describeResourceEventsAssert('rs');
  await s.describeResourceEventsAssert('rs', false);
  await s.describeResourceEventsAssert('rs', true);
  await s.describeResourceAssert('pods', 'Name:', 'Image:', 'Node:', 'Labels:', 'Status:', 'Controlled By');

  // Scale replica set frontend with current-replicas and replicas
  const replicas = `{{${rs_replicas_field}}}`;
  await s.getObjectAssert('rs frontend', replicas, '3');
  await s.kubectl('scale --dry-run=client --current-replicas=3 --replicas=2 replicasets frontend');
  await s.kubectl('scale --dry-run=server --current-replicas=3 --replicas=2 replicasets frontend');
  await s.getObjectAssert('rs frontend', replicas, '3');
  await s.kubectl('scale --current-replicas=3 --replicas=2 replicasets frontend');
  await s.getObjectAssert('rs frontend', replicas, '2');

  // three deployments, two with the same label
  for (const n of [1, 2, 3]) await s.kubectl(`create -f hack/testdata/scale-deploy-${n}.yaml`);
  const expectReplicas = async (r1: string, r2: string, r3: string) => {
    await s.getObjectAssert('deploy scale-1', '{{.spec.replicas}}', r1);
    await s.getObjectAssert('deploy scale-2', '{{.spec.replicas}}', r2);
    await s.getObjectAssert('deploy scale-3', '{{.spec.replicas}}', r3);
  };
  await expectReplicas('1', '1', '1');
  await s.kubectl('scale deploy --replicas=3 --all --dry-run=client');
  await s.kubectl('scale deploy --replicas=3 --all --dry-run=server');
  await expectReplicas('1', '1', '1');
  await s.kubectl('scale deploy --replicas=2 -l run=hello');
  await expectReplicas('2', '2', '1');
  await s.kubectl('scale deploy --replicas=3 --all');
  await expectReplicas('3', '3', '3');
  await s.kubectl('delete rs frontend');
  await s.kubectl('delete deploy scale-1 scale-2 scale-3');

  // Expose replica set as service
  await s.kubectl(`create -f ${frontend}`);
  await s.getObjectAssert('rs frontend', replicas, '3');
  await s.kubectl('expose rs frontend --port=80');
  await s.getObjectAssert('service frontend', `{{${port_name}}} {{${port_field}}}`, '<no value> 80');
  await s.kubectl('delete service frontend');

  // set commands bump the generation
  const generation = `{{${generation_field}}}`;
  await s.getObjectAssert('rs frontend', generation, '1');
  await s.kubectl('set image rs/frontend *=k8s.gcr.io/pause:test-cmd');
  await s.getObjectAssert('rs frontend', generation, '2');
  await s.kubectl('set env rs/frontend foo=bar');
  await s.getObjectAssert('rs frontend', generation, '3');
  await s.kubectl('set resources rs/frontend --dry-run=client --limits=cpu=200m,memory=512Mi');
  await s.kubectl('set resources rs/frontend --dry-run=server --limits=cpu=200m,memory=512Mi');
  await s.getObjectAssert('rs frontend', generation, '3');
  await s.kubectl('set resources rs/frontend --limits=cpu=200m,memory=512Mi');
  await s.getObjectAssert('rs frontend', generation, '4');
  await s.kubectl('set serviceaccount rs/frontend --dry-run=client serviceaccount1');
  await s.kubectl('set serviceaccount rs/frontend --dry-run=server serviceaccount1');
  await s.getObjectAssert('rs frontend', generation, '4');
  await s.kubectl('set serviceaccount rs/frontend serviceaccount1');
  await s.getObjectAssert('rs frontend', generation, '5');
  let out = await s.run(
    'get rs frontend --show-managed-fields -o=jsonpath={.metadata.managedFields[*].manager}',
  );
  s.ifHasString(out, 'kubectl-set');

  // Delete replica set with id
  await s.getObjectAssert('rs', ids, 'frontend:');
  await s.kubectl('delete rs frontend');
  await s.getObjectAssert('rs', ids, '');
  // Create two replica sets, delete them at once
  await s.getObjectAssert('rs', ids, '');
  await s.kubectl(`create -f ${frontend}`);
  await s.kubectl('create -f hack/testdata/redis-slave-replicaset.yaml');
  await s.getObjectAssert('rs', ids, 'frontend:redis-slave:');
  await s.getObjectAssert('rs', ids, 'frontend:redis-slave:');
  await s.kubectl('delete rs frontend redis-slave');
  await s.getObjectAssert('rs', ids, '');

  // Auto scale replica set
  await s.getObjectAssert('rs', ids, '');
  await s.kubectl(`create -f ${frontend}`);
  await s.getObjectAssert('rs', ids, 'frontend:');
  await s.kubectl(`autoscale -f ${frontend} --max=2 --cpu-percent=70`);
  const hpa = `{{${hpa_min_field}}} {{${hpa_max_field}}} {{${hpa_cpu_field}}}`;
  await s.getObjectAssert('hpa frontend', hpa, '1 2 70');
  await s.kubectl('delete hpa frontend');
  await s.kubectl('autoscale rs frontend --min=2 --max=3');
  await s.getObjectAssert('hpa frontend', hpa, '2 3 80');
  out = await s.run('get hpa frontend -o=jsonpath={.metadata.managedFields[*].manager}');
  s.ifHasString(out, 'kubectl-autoscale');
  await s.kubectl('delete hpa frontend');
  await s.fails('autoscale rs frontend');
  await s.kubectl('delete rs frontend');
});

// run_lists_tests (test/cmd/generic-resources.sh in this revision; legacy-script.sh runs it with the
// apps tests): a List with objects of two API groups.
t.fn('run_lists_tests', { lines: 'test/cmd/generic-resources.sh (run_lists_tests)' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.kubectl('create -f hack/testdata/list.yaml');
  await s.kubectl('delete service/list-service-test deployment/list-deployment-test');
});
