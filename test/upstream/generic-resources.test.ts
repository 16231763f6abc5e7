import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FIXTURES, type Output } from './cluster.js';
import {
  annotations_field,
  hpa_cpu_field,
  hpa_max_field,
  hpa_min_field,
  IMAGE_DEPLOYMENT_R1,
  IMAGE_NGINX,
  id_field,
  image_field,
  image_field0,
  labels_field,
  port_field,
  port_name,
  rc_replicas_field,
  type Session,
  upstreamFile,
} from './harness.js';
import { grepMatch } from './shell.js';

// test/cmd/generic-resources.sh (kubernetes/kubernetes at 9779370c4573).
const t = upstreamFile('generic-resources.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const KIND_MISSING = "Object 'Kind' is missing";
const CONVERT = {
  match: /convert|has string "extensions\/v1beta1"/,
  reason:
    'kubectl convert left kubectl in 1.20 (it is the kubectl-convert plugin now; upstream later moved these cases to convert.sh): kubectl 1.32 answers `unknown command "convert"`',
};

const SCHEDULED = {
  match: 'get pods {{range.items}}{{.metadata.labels.status}}:{{end}} =~ replaced:replaced:',
  reason:
    "upstream's test server has no scheduler, so its pods keep an empty spec.nodeName and `replace -f` with their manifests is a permitted pod update; on a cluster that schedules (kind, the simulated one) the API server refuses it (spec: Forbidden: pod updates may not change fields other than ..., NodeName) and the labels stay until the `apply` that follows",
};

/**
 * kubectl-with-retry (legacy-script.sh): runs kubectl up to four times while it fails with "the
 * object has been modified", never failing itself; returns the last run (its ERROR_FILE).
 */
async function withRetry(s: Session, command: string): Promise<Output> {
  let out = await s.run(command);
  for (let count = 0; count < 3 && out.stderr.includes('the object has been modified'); count++) {
    await sleep(2 ** count * 1000);
    out = await s.run(command);
  }
  return out;
}

// run_multi_resources_tests, generic-resources.sh:21-192
t.fn(
  'run_multi_resources_tests',
  { lines: 'test/cmd/generic-resources.sh:21-192', minutes: 6 },
  async (s) => {
    await s.createAndUseNewNamespace();
    const editor = await s.tempFile(
      'tmp-editor.sh',
      '#!/usr/bin/env bash\nsed -i "s/status\\:\\ replaced/status\\:\\ edited/g" $@\n',
      0o755,
    );
    const files: [file: string, replace: string][] = [
      ['hack/testdata/multi-resource-yaml.yaml', 'hack/testdata/multi-resource-yaml-modify.yaml'],
      ['hack/testdata/multi-resource-list.json', 'hack/testdata/multi-resource-list-modify.json'],
      ['hack/testdata/multi-resource-json.json', 'hack/testdata/multi-resource-json-modify.json'],
      ['hack/testdata/multi-resource-rclist.json', 'hack/testdata/multi-resource-rclist-modify.json'],
      ['hack/testdata/multi-resource-svclist.json', 'hack/testdata/multi-resource-svclist-modify.json'],
    ];
    for (const [file, replaceFile] of files) {
      const hasSvc = !file.includes('rclist');
      const hasRc = !file.includes('svclist');
      const twoRcs = file.includes('rclist');
      const twoSvcs = file.includes('svclist');
      // Each object of the file: the services, then the replication controllers.
      const objects = [
        ...(hasSvc ? ['services mock', ...(twoSvcs ? ['services mock2'] : [])] : []),
        ...(hasRc ? ['rc mock', ...(twoRcs ? ['rc mock2'] : [])] : []),
      ];

      await s.getObjectAssert('services', ids, '');
      await s.getObjectAssert('rc', ids, '');
      await s.kubectl(`create -f ${file}`);
      if (hasSvc) await s.getObjectAssert('services', ids, twoSvcs ? 'mock:mock2:' : 'mock:');
      if (hasRc) await s.getObjectAssert('rc', ids, twoRcs ? 'mock:mock2:' : 'mock:');
      await s.kubectl(`get -f ${file}`);
      // watching multiple resources should return "not supported" error
      const watch = await s.run(`get -f ${file} --watch`);
      s.grepQ(watch.stderr, 'watch is only supported on individual resources and resource collections');
      await s.kubectl(`describe -f ${file}`);
      await s.kubectl(`replace -f ${replaceFile} --force --cascade`);
      for (const object of objects) await s.getObjectAssert(object, `{{${labels_field}.status}}`, 'replaced');
      // kubectl edit multiple resources
      await s.kubectl(`edit -f ${file}`, { env: { EDITOR: editor } });
      for (const object of objects) await s.getObjectAssert(object, `{{${labels_field}.status}}`, 'edited');
      await withRetry(s, `label -f ${file} labeled=true --overwrite`);
      for (const object of objects) await s.getObjectAssert(object, `{{${labels_field}.labeled}}`, 'true');
      await withRetry(s, `annotate -f ${file} annotated=true --overwrite`);
      for (const object of objects)
        await s.getObjectAssert(object, `{{${annotations_field}.annotated}}`, 'true');
      await s.kubectl(`delete -f ${file}`);
    }

    // Multiple Resources via URL: upstream reads its multi-resource-yaml.yaml from
    // raw.githubusercontent.com; here a local server serves the same file.
    const manifest = await readFile(join(FIXTURES, 'hack/testdata/multi-resource-yaml.yaml'));
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(manifest);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hack/testdata/multi-resource-yaml.yaml`;
    try {
      await s.getObjectAssert('services', ids, '');
      await s.getObjectAssert('rc', ids, '');
      await s.kubectl(`create -f ${url}`);
      await s.getObjectAssert('services', ids, 'mock:');
      await s.getObjectAssert('rc', ids, 'mock:');
      await s.kubectl(`delete -f ${url}`);
      await s.getObjectAssert('services', ids, '');
      await s.getObjectAssert('rc', ids, '');
    } finally {
      server.close();
    }
  },
);

// run_recursive_resources_tests, generic-resources.sh:194-455
t.fn(
  'run_recursive_resources_tests',
  { lines: 'test/cmd/generic-resources.sh:194-455', minutes: 6, explained: [CONVERT, SCHEDULED] },
  async (s) => {
    // Create multiple busybox PODs recursively from directory of YAML files
    await s.createAndUseNewNamespace();
    await s.getObjectAssert('pods', ids, '');
    let out = await s.fails('create -f hack/testdata/recursive/pod --recursive');
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    s.ifHasString(out, 'error validating data: kind not set');

    // Edit multiple busybox PODs recursively: the editor never opens (busybox2 is malformed)
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    const editor = await s.tempFile(
      'tmp-editor.sh',
      '#!/usr/bin/env bash\nsed -i "s/image: busybox/image: prom\\/busybox/g" $1\n',
      0o755,
    );
    out = await s.fails('edit -f hack/testdata/recursive/pod --recursive', { env: { EDITOR: editor } });
    await s.getObjectAssert('pods', `{{range.items}}{{${image_field}}}:{{end}}`, 'busybox:busybox:');
    s.ifHasString(out, KIND_MISSING);

    // Replace multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails('replace -f hack/testdata/recursive/pod-modify --recursive');
    await s.getObjectAssert(
      'pods',
      `{{range.items}}{{${labels_field}.status}}:{{end}}`,
      'replaced:replaced:',
    );
    s.ifHasString(out, 'error validating data: kind not set');

    // Describe multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails('describe -f hack/testdata/recursive/pod --recursive');
    s.ifHasString(out, 'app=busybox0');
    s.ifHasString(out, 'app=busybox1');
    s.ifHasString(out, KIND_MISSING);

    // Annotate multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails("annotate -f hack/testdata/recursive/pod annotatekey='annotatevalue' --recursive");
    await s.getObjectAssert(
      'pods',
      `{{range.items}}{{${annotations_field}.annotatekey}}:{{end}}`,
      'annotatevalue:annotatevalue:',
    );
    s.ifHasString(out, KIND_MISSING);

    // Apply multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails('apply -f hack/testdata/recursive/pod-modify --recursive');
    await s.getObjectAssert(
      'pods',
      `{{range.items}}{{${labels_field}.status}}:{{end}}`,
      'replaced:replaced:',
    );
    s.ifHasString(out, 'error validating data: kind not set');

    // Convert deployment YAML file locally without affecting the live deployment
    await s.getObjectAssert('deployment', ids, '');
    await s.kubectl('create -f hack/testdata/deployment-revision1.yaml');
    await s.getObjectAssert('deployment', ids, 'nginx:');
    await s.getObjectAssert(
      'deployment',
      `{{range.items}}{{${image_field0}}}:{{end}}`,
      `${IMAGE_DEPLOYMENT_R1}:`,
    );
    out = await s.kubectl(
      'convert --local -f hack/testdata/deployment-revision1.yaml --output-version=extensions/v1beta1 -o yaml',
    );
    await s.getObjectAssert('deployment nginx', '{{ .apiVersion }}', 'apps/v1');
    s.ifHasString(out.stdout, 'extensions/v1beta1');
    await s.kubectl('delete deployment nginx');

    // Convert multiple busybox PODs recursively
    await s.waitObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails('convert -f hack/testdata/recursive/pod --recursive');
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    s.check(`convert output has string "${KIND_MISSING}"`, grepMatch(out.all, KIND_MISSING), out.all);

    // Get multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails([
      'get',
      '-f',
      'hack/testdata/recursive/pod',
      '--recursive',
      '-o',
      `go-template=${ids}`,
    ]);
    s.ifHasString(out, 'busybox0:busybox1:');
    s.ifHasString(out, KIND_MISSING);

    // Label multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails("label -f hack/testdata/recursive/pod mylabel='myvalue' --recursive");
    await s.getObjectAssert('pods', `{{range.items}}{{${labels_field}.mylabel}}:{{end}}`, 'myvalue:myvalue:');
    s.ifHasString(out, KIND_MISSING);

    // Patch multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails(
      'patch -f hack/testdata/recursive/pod -p=\'{"spec":{"containers":[{"name":"busybox","image":"prom/busybox"}]}}\' --recursive',
    );
    await s.getObjectAssert(
      'pods',
      `{{range.items}}{{${image_field}}}:{{end}}`,
      'prom/busybox:prom/busybox:',
    );
    s.ifHasString(out, KIND_MISSING);

    // Delete multiple busybox PODs recursively
    await s.getObjectAssert('pods', ids, 'busybox0:busybox1:');
    out = await s.fails('delete -f hack/testdata/recursive/pod --recursive --grace-period=0 --force');
    await s.getObjectAssert('pods', ids, '');
    s.ifHasString(out, KIND_MISSING);

    // Create replication controller recursively
    await s.getObjectAssert('rc', ids, '');
    await s.fails('create -f hack/testdata/recursive/rc --recursive');
    await s.getObjectAssert('rc', ids, 'busybox0:busybox1:');

    // Autoscale multiple replication controllers recursively
    await s.getObjectAssert('rc', ids, 'busybox0:busybox1:');
    await s.getObjectAssert('rc busybox0', `{{${rc_replicas_field}}}`, '1');
    await s.getObjectAssert('rc busybox1', `{{${rc_replicas_field}}}`, '1');
    out = await s.fails('autoscale --min=1 --max=2 -f hack/testdata/recursive/rc --recursive');
    const hpa = `{{${hpa_min_field}}} {{${hpa_max_field}}} {{${hpa_cpu_field}}}`;
    await s.getObjectAssert('hpa busybox0', hpa, '1 2 80');
    await s.getObjectAssert('hpa busybox1', hpa, '1 2 80');
    s.ifHasString(out, KIND_MISSING);
    await s.kubectl('delete hpa busybox0');
    await s.kubectl('delete hpa busybox1');

    // Expose multiple replication controllers as service recursively
    await s.getObjectAssert('rc', ids, 'busybox0:busybox1:');
    await s.getObjectAssert('rc busybox0', `{{${rc_replicas_field}}}`, '1');
    await s.getObjectAssert('rc busybox1', `{{${rc_replicas_field}}}`, '1');
    out = await s.fails('expose -f hack/testdata/recursive/rc --recursive --port=80');
    await s.getObjectAssert('service busybox0', `{{${port_name}}} {{${port_field}}}`, '<no value> 80');
    await s.getObjectAssert('service busybox1', `{{${port_name}}} {{${port_field}}}`, '<no value> 80');
    s.ifHasString(out, KIND_MISSING);

    // Scale multiple replication controllers recursively
    await s.getObjectAssert('rc', ids, 'busybox0:busybox1:');
    await s.getObjectAssert('rc busybox0', `{{${rc_replicas_field}}}`, '1');
    await s.getObjectAssert('rc busybox1', `{{${rc_replicas_field}}}`, '1');
    out = await s.fails('scale --current-replicas=1 --replicas=2 -f hack/testdata/recursive/rc --recursive');
    await s.getObjectAssert('rc busybox0', `{{${rc_replicas_field}}}`, '2');
    await s.getObjectAssert('rc busybox1', `{{${rc_replicas_field}}}`, '2');
    s.ifHasString(out, KIND_MISSING);

    // Delete multiple busybox replication controllers recursively
    await s.getObjectAssert('rc', ids, 'busybox0:busybox1:');
    out = await s.fails('delete -f hack/testdata/recursive/rc --recursive --grace-period=0 --force');
    await s.getObjectAssert('rc', ids, '');
    s.ifHasString(out, KIND_MISSING);

    // Rollout on multiple deployments recursively
    await s.getObjectAssert('deployment', ids, '');
    await s.fails('create -f hack/testdata/recursive/deployment --recursive');
    await s.getObjectAssert('deployment', ids, 'nginx0-deployment:nginx1-deployment:');
    const images = `{{range.items}}{{${image_field0}}}:{{end}}`;
    await s.getObjectAssert('deployment', images, `${IMAGE_NGINX}:${IMAGE_NGINX}:`);
    // Rollback the deployments to revision 1 recursively: a no-op for nginx0 and nginx1
    out = await s.fails('rollout undo -f hack/testdata/recursive/deployment --recursive --to-revision=1');
    await s.getObjectAssert('deployment', images, `${IMAGE_NGINX}:${IMAGE_NGINX}:`);
    s.ifHasString(out, KIND_MISSING);
    // Pause the deployments recursively (PRESERVE_ERR_FILE: the last try's stderr)
    out = await withRetry(s, 'rollout pause -f hack/testdata/recursive/deployment --recursive');
    await s.getObjectAssert('deployment', '{{range.items}}{{.spec.paused}}:{{end}}', 'true:true:');
    s.ifHasString(out.stderr, KIND_MISSING);
    // Resume the deployments recursively
    out = await withRetry(s, 'rollout resume -f hack/testdata/recursive/deployment --recursive');
    await s.getObjectAssert(
      'deployment',
      '{{range.items}}{{.spec.paused}}:{{end}}',
      '<no value>:<no value>:',
    );
    s.ifHasString(out.stderr, KIND_MISSING);
    // Retrieve the rollout history of the deployments recursively
    out = await s.fails('rollout history -f hack/testdata/recursive/deployment --recursive');
    s.ifHasString(out, 'nginx0-deployment');
    s.ifHasString(out, 'nginx1-deployment');
    s.ifHasString(out, KIND_MISSING);
    await s.fails('delete -f hack/testdata/recursive/deployment --recursive --grace-period=0 --force');
    await sleep(1000);

    // Rollout on multiple replication controllers recursively: they do not support it
    await s.getObjectAssert('rc', ids, '');
    await s.fails('create -f hack/testdata/recursive/rc --recursive');
    await s.getObjectAssert('rc', ids, 'busybox0:busybox1:');
    out = await s.fails('rollout undo -f hack/testdata/recursive/rc --recursive --to-revision=1');
    s.ifHasString(out, 'no rollbacker has been implemented for "ReplicationController"');
    s.ifHasString(out, KIND_MISSING);
    out = await s.fails('rollout pause -f hack/testdata/recursive/rc --recursive');
    s.ifHasString(out, KIND_MISSING);
    s.ifHasString(out, 'replicationcontrollers "busybox0" pausing is not supported');
    s.ifHasString(out, 'replicationcontrollers "busybox1" pausing is not supported');
    out = await s.fails('rollout resume -f hack/testdata/recursive/rc --recursive');
    s.ifHasString(out, KIND_MISSING);
    s.ifHasString(out, 'replicationcontrollers "busybox0" resuming is not supported');
    s.ifHasString(out, 'replicationcontrollers "busybox1" resuming is not supported');
    await s.fails('delete -f hack/testdata/recursive/rc --recursive --grace-period=0 --force');
    await sleep(1000);
  },
);

// run_lists_tests, generic-resources.sh:457-474
t.fn('run_lists_tests', { lines: 'test/cmd/generic-resources.sh:457-474' }, async (s) => {
  await s.createAndUseNewNamespace();
  // Create a List with objects from multiple versions
  await s.kubectl('create -f hack/testdata/list.yaml');
  // Delete the List with objects from multiple versions
  await s.kubectl('delete service/list-service-test deployment/list-deployment-test');
});
