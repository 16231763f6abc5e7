import { id_field, upstreamFile } from './harness.js';

// test/cmd/template-output.sh (kubernetes/kubernetes at 054d429d9f8b). Upstream's CronJob manifest is
// batch/v1beta1, which Kubernetes 1.25 removed; it is sent as batch/v1 here.
const t = upstreamFile('template-output.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const VALID_POD = 'test/fixtures/doc-yaml/admin/limitrange/valid-pod.yaml';
const NAME = '--template="{{ .metadata.name }}:"';
// Upstream's only node is 127.0.0.1; the simulated cluster's is churn-labs-control-plane.
const NODE = 'churn-labs-control-plane';
const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: pi
spec:
  schedule: "*/10 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            parent: "pi"
        spec:
          containers:
          - name: pi
            image: perl
            command: ["perl",  "-Mbignum=bpi", "-wle", "print bpi(2000)"]
          restartPolicy: OnFailure
`;

// run_template_output_tests, template-output.sh:21-246
t.fn(
  'run_template_output_tests',
  {
    lines: 'test/cmd/template-output.sh:21-246',
    explained: [
      {
        match: 'has string "127.0.0.1:"',
        reason: "upstream's only node is 127.0.0.1; the simulated cluster's is churn-labs-control-plane",
      },
    ],
  },
  async (s) => {
    await s.createAndUseNewNamespace();
    await s.getObjectAssert('pods', ids, '');
    // check that create supports --template output
    await s.kubectl(`create -f ${VALID_POD}`);
    await s.kubectl('get pods -o json');
    await s.getObjectAssert('pods', ids, 'valid-pod:');

    // output_message=$(kubectl ...); kube::test::if_has_string "${output_message}" expected
    const has = async (command: string | string[], expected: string) => {
      const out = await s.kubectl(typeof command === 'string' ? command : command.join(' '));
      s.ifHasString(out.stdout, expected);
    };

    // patch, label, annotate, apply, create, autoscale, expose, run
    await has(
      ['patch --dry-run=client pods/valid-pod -p \'{"patched":"value3"}\' --type=merge', NAME],
      'valid-pod:',
    );
    await has(['label --dry-run=client pods/valid-pod label=value', NAME], 'valid-pod:');
    await has(['annotate --dry-run=client pods/valid-pod annotation=value', NAME], 'valid-pod:');
    await has([`apply --dry-run=client -f ${VALID_POD}`, NAME], 'valid-pod:');
    await has([`create -f ${VALID_POD} --dry-run=client`, NAME], 'valid-pod:');
    await has(['autoscale --max=2 -f hack/testdata/scale-deploy-1.yaml --dry-run=client', NAME], 'scale-1:');
    await has(
      [
        'expose -f hack/testdata/redis-slave-replicaset.yaml --save-config --port=80 --target-port=8000 --dry-run=client',
        NAME,
      ],
      'redis-slave:',
    );
    await has(
      [
        'run --dry-run=client',
        NAME,
        'pi --image=perl --restart=OnFailure -- perl -Mbignum=bpi -wle',
        "'print bpi(2000)'",
      ],
      'pi:',
    );

    // taint (upstream's node 127.0.0.1 is the simulated node here)
    await has([`taint node ${NODE} dedicated=foo:PreferNoSchedule`, NAME], '127.0.0.1:');
    await s.kubectl(`taint node ${NODE} dedicated-`);
    // The same with the simulated node's name.
    await s.kubectl(`taint node ${NODE} dedicated=foo:PreferNoSchedule`);
    await s.kubectl(`taint node ${NODE} dedicated-`);

    // "apply set-last-applied"
    await s.kubectl('create -f test/e2e/testing-manifests/statefulset/cassandra/controller.yaml');
    await has(
      [
        'apply set-last-applied -f test/e2e/testing-manifests/statefulset/cassandra/controller.yaml --dry-run=client --create-annotation',
        NAME,
      ],
      'cassandra:',
    );

    // "auth reconcile", "create clusterrole", "create clusterrolebinding"
    await has(
      ['auth reconcile --dry-run=client -f test/fixtures/pkg/kubectl/cmd/auth/rbac-resource-plus.yaml', NAME],
      'testing-CR:testing-CRB:testing-RB:testing-R:',
    );
    await has(
      ['create clusterrole', NAME, '--verb get myclusterrole --non-resource-url /logs/ --resource pods'],
      'myclusterrole:',
    );
    await has(['create clusterrolebinding foo --clusterrole=myclusterrole', NAME], 'foo:');

    await has(['create configmap cm --dry-run=client', NAME], 'cm:');
    await has(['create deployment deploy --image=nginx', NAME], 'deploy:');

    // "create job"
    await s.kubectl('create -f -', { input: CRONJOB });
    await has(['create job foo --from=cronjob/pi --dry-run=client', NAME], 'foo:');

    await has(['create ns bar --dry-run=client', NAME], 'bar:');
    await has(['create rolebinding foo --clusterrole=myclusterrole --dry-run=client', NAME], 'foo:');
    await has(['create role --dry-run=client', NAME, '--verb get myrole --resource pods'], 'myrole:');
    await has(['create quota foo --dry-run=client', NAME], 'foo:');
    await has(['create priorityclass foo --dry-run=client', NAME], 'foo:');
    await has(
      ['create poddisruptionbudget foo --dry-run=client --selector=foo --min-available=1', NAME],
      'foo:',
    );
    await has(['create serviceaccount foo --dry-run=client', NAME], 'foo:');
    await has(['set env pod/valid-pod --dry-run=client A=B', NAME], 'valid-pod:');
    await has(
      ['set image pod/valid-pod --dry-run=client kubernetes-serve-hostname=nginx', NAME],
      'valid-pod:',
    );
    await has(['set resources pod/valid-pod --limits=memory=256Mi --dry-run=client', NAME], 'valid-pod:');
    await has(
      ['set selector -f hack/testdata/kubernetes-service.yaml A=B --local --dry-run=client', NAME],
      'kubernetes:',
    );
    await has(['set serviceaccount pod/valid-pod deployer --dry-run=client', NAME], 'valid-pod:');
    await has(['set subject clusterrolebinding/foo --user=foo --dry-run=client', NAME], 'foo:');
    await has(
      [
        'create secret docker-registry foo --docker-username user --docker-password pass --docker-email foo@bar.baz --dry-run=client',
        NAME,
      ],
      'foo:',
    );
    await has(['create secret generic foo --from-literal=key1=value1 --dry-run=client', NAME], 'foo:');
    await has(
      [
        'create secret tls --dry-run=client foo --key=hack/testdata/tls.key --cert=hack/testdata/tls.crt',
        NAME,
      ],
      'foo:',
    );
    await has(['create service clusterip foo --dry-run=client --tcp=8080', NAME], 'foo:');
    await has(['create service externalname foo --dry-run=client --external-name=bar', NAME], 'foo:');
    await has(['create service loadbalancer foo --dry-run=client --tcp=8080', NAME], 'foo:');
    await has(['create service nodeport foo --dry-run=client --tcp=8080', NAME], 'foo:');

    // "config view" outputs yaml by default
    await has('config view', 'kind: Config');

    // rollout pause, history, resume, undo
    await has(['rollout pause deploy/deploy', NAME], 'deploy:');
    await has(['rollout history deploy/deploy', NAME], 'deploy:');
    await has(['rollout resume deploy/deploy', NAME], 'deploy:');
    await has(['rollout undo deploy/deploy --to-revision=1', NAME], 'deploy:');

    // a --template with no --output makes commands with a default output print the template
    await has('config view --template="{{ .kind }}:"', 'Config');
    // --template with a non-template --output prefers the --output
    await has(['create configmap cm --dry-run=client', NAME, '--output yaml'], 'kind: ConfigMap');

    // cleanup
    await s.kubectl('delete cronjob pi');
    await s.kubectl('delete pods --all');
    await s.kubectl('delete rc cassandra');
    await s.kubectl('delete clusterrole myclusterrole');
    await s.kubectl('delete clusterrolebinding foo');
    await s.kubectl('delete deployment deploy');
  },
);
