import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allDocuments,
  type Container,
  containersOf,
  find,
  MANIFESTS,
  type ManifestDocument,
  manifestFiles,
  podSpec,
  readDocuments,
} from './manifest-files.js';

/** What `kubectl apply -f manifests/ -n churn-mlops` (Exercise 1) applies: the top level only. */
const EXERCISE_1 = [
  'api-deployment.yaml',
  'api-service.yaml',
  'batch-cronjob.yaml',
  'configmap.yaml',
  'drift-cronjob.yaml',
  'namespace.yaml',
  'pvc.yaml',
  'retrain-cronjob.yaml',
  'secret.yaml',
  'seed-model-job.yaml',
];

const topLevel = () => manifestFiles(MANIFESTS, false).flatMap(readDocuments);

describe("the top level of manifests/ is exactly Exercise 1's set", () => {
  it('holds the ten files and, beside them, only folders', () => {
    const entries = readdirSync(MANIFESTS, { withFileTypes: true });
    expect(
      entries
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort(),
    ).toEqual(EXERCISE_1);
    const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders).toEqual(expect.arrayContaining(['hpa', 'platform']));
  });

  it('applies the whole system and nothing the learner creates later (no HPA)', () => {
    expect(topLevel().map((d) => `${d.kind}/${d.name}`)).toEqual([
      'Deployment/churn-api',
      'Service/churn-api',
      'CronJob/churn-batch-score',
      'ConfigMap/churn-mlops-config',
      'CronJob/churn-drift-check',
      'Namespace/churn-mlops',
      'PersistentVolumeClaim/churn-mlops-pvc',
      'CronJob/churn-retrain',
      'Secret/db-credentials',
      'Job/churn-seed-model',
    ]);
  });
});

describe('the platform parts that `up` installs', () => {
  it('kind-config.yaml: cluster churn-labs, one control-plane node, the kind v0.27 node image for Kubernetes 1.32 pinned by digest', () => {
    const [config, ...rest] = readDocuments(join(MANIFESTS, 'platform', 'kind-config.yaml'));
    expect(rest).toEqual([]);
    // kind reads its config strictly: an unknown field fails `kind create cluster`.
    expect(config!.body).toEqual({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'churn-labs',
      nodes: [
        {
          role: 'control-plane',
          image:
            'kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f',
        },
      ],
    });
  });

  it("metrics-server.yaml: upstream v0.7.2's objects in its order, with --kubelet-insecure-tls", () => {
    const docs = readDocuments(join(MANIFESTS, 'platform', 'metrics-server.yaml'));
    expect(docs.map((d) => `${d.kind}/${d.name}`)).toEqual([
      'ServiceAccount/metrics-server',
      'ClusterRole/system:aggregated-metrics-reader',
      'ClusterRole/system:metrics-server',
      'RoleBinding/metrics-server-auth-reader',
      'ClusterRoleBinding/metrics-server:system:auth-delegator',
      'ClusterRoleBinding/system:metrics-server',
      'Service/metrics-server',
      'Deployment/metrics-server',
      'APIService/v1beta1.metrics.k8s.io',
    ]);
    const [container] = podSpec(find(docs, 'Deployment', 'metrics-server')).containers;
    expect(container!.image).toBe('registry.k8s.io/metrics-server/metrics-server:v0.7.2');
    expect(container!.args).toEqual([
      '--cert-dir=/tmp',
      '--secure-port=10250',
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      '--kubelet-use-node-status-port',
      '--metric-resolution=15s',
      '--kubelet-insecure-tls',
    ]);
  });
});

describe("the project's rules, for every container of every manifest", () => {
  const containers = allDocuments().flatMap((doc) =>
    containersOf(doc).map((c) => ({ doc, c: c as Container })),
  );
  const label = ({ doc, c }: { doc: ManifestDocument; c: Container }) =>
    `${doc.where} ${doc.kind}/${doc.name} ${c.name}`;

  it('finds the containers', () => {
    // churn-api, seed-model, the three CronJobs and metrics-server: a container missed here escapes the rules.
    expect(containers.map((e) => e.c.name).sort()).toEqual([
      'churn-api',
      'churn-batch',
      'drift-check',
      'metrics-server',
      'retrain',
      'seed-model',
    ]);
  });

  it('every container has CPU and memory requests and limits', () => {
    for (const entry of containers) {
      const { requests, limits } = entry.c.resources ?? {};
      expect(Object.keys(requests ?? {}).sort(), label(entry)).toEqual(['cpu', 'memory']);
      expect(Object.keys(limits ?? {}).sort(), label(entry)).toEqual(['cpu', 'memory']);
    }
  });

  it('every image has a pinned tag, never latest', () => {
    for (const entry of containers) {
      expect(entry.c.image, label(entry)).toMatch(/^[a-z0-9.\-/]+:(?!latest$)[\w.-]+$/);
    }
  });

  it('the churn-labs images are the 0.1.0 ones, loaded into kind and never pulled (IfNotPresent)', () => {
    const ours = containers.filter((e) => e.c.image.startsWith('churn-labs/'));
    expect(new Set(ours.map((e) => e.c.image))).toEqual(
      new Set(['churn-labs/churn-api:0.1.0', 'churn-labs/churn-ml:0.1.0']),
    );
    for (const entry of ours) expect(entry.c.imagePullPolicy, label(entry)).toBe('IfNotPresent');
    expect(allDocuments().some((d) => JSON.stringify(d.body).includes('techitfactory'))).toBe(false);
  });

  it('says in a comment wherever it departs from the seed by using our images', () => {
    for (const file of manifestFiles(MANIFESTS, false)) {
      const text = readFileSync(file, 'utf8');
      if (/image: churn-labs\//.test(text)) expect(text, file).toMatch(/^# .*techitfactory/m);
    }
  });

  it('every referenced ConfigMap, Secret, claim and volume exists', () => {
    const docs = topLevel();
    const names = (kind: string) => new Set(docs.filter((d) => d.kind === kind).map((d) => d.name));
    for (const doc of docs) {
      const spec =
        doc.kind === 'Deployment' || doc.kind === 'Job' || doc.kind === 'CronJob'
          ? podSpec(doc.body)
          : undefined;
      if (!spec) continue;
      const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
      for (const volume of spec.volumes ?? []) {
        if (volume.configMap) expect(names('ConfigMap'), doc.where).toContain(volume.configMap.name);
        if (volume.persistentVolumeClaim)
          expect(names('PersistentVolumeClaim'), doc.where).toContain(volume.persistentVolumeClaim.claimName);
      }
      for (const container of spec.containers) {
        for (const mount of container.volumeMounts ?? []) expect(volumes, doc.where).toContain(mount.name);
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (!ref) continue;
          expect(names('Secret'), doc.where).toContain(ref.name);
          expect(Object.keys(find(docs, 'Secret', ref.name).stringData as object)).toContain(ref.key);
        }
      }
    }
  });
});
