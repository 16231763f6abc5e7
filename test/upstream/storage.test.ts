import { id_field, upstreamFile } from './harness.js';

// test/cmd/storage.sh (kubernetes/kubernetes at 05c351a9037b).
const t = upstreamFile('storage.sh');

const ids = `{{range.items}}{{${id_field}}}:{{end}}`;
const VOLUMES = 'test/fixtures/doc-yaml/user-guide/persistent-volumes/volumes';
const CLAIMS = 'test/fixtures/doc-yaml/user-guide/persistent-volumes/claims';
const STORAGE_CLASS = `{
  "kind": "StorageClass",
  "apiVersion": "storage.k8s.io/v1",
  "metadata": {
  "name": "storage-class-name"
  },
  "provisioner": "kubernetes.io/fake-provisioner-type",
  "parameters": {
  "zone":"us-east-1b",
  "type":"ssd"
  }
}
`;

// run_persistent_volumes_tests, storage.sh:21-55
t.fn(
  'run_persistent_volumes_tests',
  {
    lines: 'test/cmd/storage.sh:21-55',
    explained: [
      {
        match: 'has string "warning: deleting cluster-scoped resources"',
        reason:
          'kubectl 1.32 writes "Warning: deleting cluster-scoped resources, not scoped to the provided namespace" with a capital W; the ported revision expects "warning:"',
      },
    ],
  },
  async (s) => {
    await s.createAndUseNewNamespace();
    await s.getObjectAssert('pv', ids, '');
    await s.kubectl(`create -f ${VOLUMES}/local-01.yaml`);
    await s.getObjectAssert('pv', ids, 'pv0001:');
    await s.kubectl('delete pv pv0001');
    await s.kubectl(`create -f ${VOLUMES}/local-02.yaml`);
    await s.getObjectAssert('pv', ids, 'pv0002:');
    await s.kubectl('delete pv pv0002');
    await s.kubectl(`create -f ${VOLUMES}/gce.yaml`);
    await s.getObjectAssert('pv', ids, 'pv0003:');
    // Describe command should respect the chunk size parameter
    await s.describeResourceChunkSizeAssert('persistentvolumes', 'events');
    await s.kubectl('delete pv pv0003');
    await s.getObjectAssert('pv', ids, '');

    await s.kubectl(`create -f ${VOLUMES}/local-01.yaml`);
    await s.getObjectAssert('pv', ids, 'pv0001:');
    const out = await s.kubectl('delete pv -n test --all');
    s.ifHasString(out, 'warning: deleting cluster-scoped resources');
    s.ifHasString(out, 'persistentvolume "pv0001" deleted');
    await s.getObjectAssert('pv', ids, '');
  },
);

// run_persistent_volume_claims_tests, storage.sh:57-86
t.fn('run_persistent_volume_claims_tests', { lines: 'test/cmd/storage.sh:57-86' }, async (s) => {
  await s.createAndUseNewNamespace();
  await s.getObjectAssert('pvc', ids, '');
  await s.kubectl(`create -f ${CLAIMS}/claim-01.yaml`);
  await s.getObjectAssert('pvc', ids, 'myclaim-1:');
  // Describe command should respect the chunk size parameter
  await s.describeResourceChunkSizeAssert('persistentvolumeclaims', 'pods,events');
  await s.kubectl('delete pvc myclaim-1');

  await s.kubectl(`create -f ${CLAIMS}/claim-02.yaml`);
  await s.getObjectAssert('pvc', ids, 'myclaim-2:');
  await s.kubectl('delete pvc myclaim-2');

  await s.kubectl(`create -f ${CLAIMS}/claim-03.json`);
  await s.getObjectAssert('pvc', ids, 'myclaim-3:');
  await s.kubectl('delete pvc myclaim-3');
  await s.getObjectAssert('pvc', ids, '');
});

// run_storage_class_tests, storage.sh:88-123
t.fn(
  'run_storage_class_tests',
  {
    lines: 'test/cmd/storage.sh:88-123',
    explained: [
      {
        match: /^get (storageclass|sc) /,
        reason:
          'the simulated cluster has the default StorageClass "standard" that kind has (its volume claims bind through it); upstream\'s test server has none, so the lists read "standard:..."',
      },
    ],
  },
  async (s) => {
    await s.getObjectAssert('storageclass', ids, '');
    await s.kubectl('create -f -', { input: STORAGE_CLASS });
    await s.getObjectAssert('storageclass', ids, 'storage-class-name:');
    await s.getObjectAssert('sc', ids, 'storage-class-name:');
    // Describe command should respect the chunk size parameter
    await s.describeResourceChunkSizeAssert('storageclasses', 'events');
    await s.kubectl('delete storageclass storage-class-name');
    await s.getObjectAssert('storageclass', ids, '');
  },
);
