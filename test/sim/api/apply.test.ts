import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/** Writing with the real kubectl: apply (client- and server-side), create, patch, scale, label. */
const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
  namespace: shop
data:
  config.yaml: |
    paths:
      data: /app/data
---
apiVersion: v1
kind: Secret
metadata:
  name: shop-secret
  namespace: shop
type: Opaque
data:
  password: c2VjcmV0
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: shop-data
  namespace: shop
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
  namespace: shop
  labels:
    app: shop-api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop-api
  template:
    metadata:
      labels:
        app: shop-api
    spec:
      containers:
        - name: api
          image: churn-labs/churn-api:0.1.0
          ports:
            - name: http
              containerPort: 8000
          env:
            - name: MODE
              value: prod
          resources:
            requests: {cpu: 500m, memory: 256Mi}
            limits: {cpu: "1", memory: 512Mi}
          readinessProbe:
            httpGet: {path: /ready, port: http}
          volumeMounts:
            - name: config
              mountPath: /app/config
      volumes:
        - name: config
          configMap:
            name: shop-config
---
apiVersion: v1
kind: Service
metadata:
  name: shop-api
  namespace: shop
spec:
  selector:
    app: shop-api
  ports:
    - name: http
      port: 8000
      targetPort: http
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: shop
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: score
              image: churn-labs/churn-ml:0.1.0
              command: [churn-mlops, batch-score]
`;

describe('writing objects with the real kubectl', () => {
  let cluster: TestCluster;
  let file: string;
  const k = (...args: string[]) => cluster.kubectl(args);
  const json = async (...args: string[]) => JSON.parse((await k(...args, '-o', 'json')).stdout);

  beforeAll(async () => {
    cluster = await startCluster();
    file = join(cluster.home, 'shop.yaml');
    await writeFile(file, MANIFEST);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('applies a multi-document file, then again unchanged, then an edit as configured', async () => {
    const first = await k('apply', '-f', file);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim().split('\n')).toEqual([
      'namespace/shop created',
      'configmap/shop-config created',
      'secret/shop-secret created',
      'persistentvolumeclaim/shop-data created',
      'deployment.apps/shop-api created',
      'service/shop-api created',
      'cronjob.batch/nightly created',
    ]);
    const second = await k('apply', '-f', file);
    expect(
      second.stdout
        .trim()
        .split('\n')
        .every((l) => l.endsWith(' unchanged')),
    ).toBe(true);

    await writeFile(
      file,
      MANIFEST.replace('replicas: 2', 'replicas: 4').replace('value: prod', 'value: canary'),
    );
    const third = await k('apply', '-f', file);
    expect(third.stdout).toMatch(/^deployment\.apps\/shop-api configured$/m);
    expect(third.stdout).toMatch(/^service\/shop-api unchanged$/m);
    const d = await json('get', 'deploy', 'shop-api', '-n', 'shop');
    expect(d.spec.replicas).toBe(4);
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'canary' }]);
    expect(d.metadata.generation).toBe(2);
  });

  it('keeps a generation only on the kinds whose strategies keep one (a Deployment, not a ConfigMap)', async () => {
    await k('patch', 'configmap', 'shop-config', '-n', 'shop', '-p', '{"data":{"extra":"1"}}');
    for (const [kind, name] of [
      ['configmap', 'shop-config'],
      ['secret', 'shop-secret'],
      ['service', 'shop-api'],
      ['pvc', 'shop-data'],
      ['namespace', 'shop'],
    ]) {
      const object = await json('get', kind!, name!, ...(kind === 'namespace' ? [] : ['-n', 'shop']));
      expect(object.metadata.generation, kind).toBeUndefined();
    }
    expect((await json('get', 'cronjob', 'nightly', '-n', 'shop')).metadata.generation).toBe(1);
    expect((await json('get', 'deploy', 'shop-api', '-n', 'shop')).metadata.generation).toBeGreaterThan(0);
  });

  it('defaults what the API server defaults', async () => {
    const d = await json('get', 'deploy', 'shop-api', '-n', 'shop');
    expect(d.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    const pod = d.spec.template.spec;
    expect(pod).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    });
    expect(pod.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ name: 'http', containerPort: 8000, protocol: 'TCP' }],
      readinessProbe: { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    });
    expect(pod.volumes[0].configMap.defaultMode).toBe(420);
    const svc = await json('get', 'svc', 'shop-api', '-n', 'shop');
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ports: [{ port: 8000, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
    const cj = await json('get', 'cronjob', 'nightly', '-n', 'shop');
    expect(cj.spec).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
    const pvc = await json('get', 'pvc', 'shop-data', '-n', 'shop');
    expect(pvc.spec).toMatchObject({ storageClassName: 'standard', volumeMode: 'Filesystem' });
    expect(pvc.status.phase).toBe('Pending');
    const ns = await json('get', 'ns', 'shop');
    expect(ns.spec.finalizers).toEqual(['kubernetes']);
    expect(ns.status.phase).toBe('Active');
    expect(ns.metadata.labels['kubernetes.io/metadata.name']).toBe('shop');
  });

  it('stores quantities in canonical form, as the API server does', async () => {
    await writeFile(
      join(cluster.home, 'q.yaml'),
      MANIFEST.split('---')[4]!
        .replace('cpu: "1"', 'cpu: 1000m')
        .replace('name: shop-api\n  namespace', 'name: shop-q\n  namespace'),
    );
    expect((await k('apply', '-f', join(cluster.home, 'q.yaml'))).exitCode).toBe(0);
    const d = await json('get', 'deploy', 'shop-q', '-n', 'shop');
    expect(d.spec.template.spec.containers[0].resources.limits.cpu).toBe('1');
    // The last-applied configuration still says 1000m, so a re-apply reports a change, as on a real cluster.
    expect((await k('apply', '-f', join(cluster.home, 'q.yaml'))).stdout).toMatch(/configured/);
    await k('delete', 'deploy', 'shop-q', '-n', 'shop');
  });

  it('set image, patch (strategic, merge, json), scale, label and annotate', async () => {
    expect(
      (await k('set', 'image', 'deployment/shop-api', 'api=churn-labs/churn-api:0.2.0', '-n', 'shop')).stdout,
    ).toMatch('deployment.apps/shop-api image updated');
    expect((await k('scale', 'deployment', 'shop-api', '--replicas=5', '-n', 'shop')).stdout).toMatch(
      'deployment.apps/shop-api scaled',
    );
    let d = await json('get', 'deploy', 'shop-api', '-n', 'shop');
    expect(d.spec.replicas).toBe(5);
    expect(d.spec.template.spec.containers[0].image).toBe('churn-labs/churn-api:0.2.0');

    // Strategic: env merges by name; a $patch: delete removes one entry.
    await k(
      'patch',
      'deploy',
      'shop-api',
      '-n',
      'shop',
      '-p',
      JSON.stringify({
        spec: { template: { spec: { containers: [{ name: 'api', env: [{ name: 'EXTRA', value: '1' }] }] } } },
      }),
    );
    d = await json('get', 'deploy', 'shop-api', '-n', 'shop');
    expect(d.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name).sort()).toEqual([
      'EXTRA',
      'MODE',
    ]);
    await k(
      'patch',
      'deploy',
      'shop-api',
      '-n',
      'shop',
      '-p',
      JSON.stringify({
        spec: {
          template: { spec: { containers: [{ name: 'api', env: [{ name: 'EXTRA', $patch: 'delete' }] }] } },
        },
      }),
    );
    d = await json('get', 'deploy', 'shop-api', '-n', 'shop');
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'canary' }]);
    expect(d.spec.template.spec.containers).toHaveLength(1);

    // Merge: a list replaces whole.
    await k(
      'patch',
      'svc',
      'shop-api',
      '-n',
      'shop',
      '--type',
      'merge',
      '-p',
      '{"spec":{"ports":[{"name":"web","port":80,"targetPort":8000}]}}',
    );
    const svc = await json('get', 'svc', 'shop-api', '-n', 'shop');
    expect(svc.spec.ports).toEqual([{ name: 'web', port: 80, targetPort: 8000, protocol: 'TCP' }]);

    // JSON patch, as rollout undo sends it.
    await k(
      'patch',
      'deploy',
      'shop-api',
      '-n',
      'shop',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/labels/tier","value":"api"}]',
    );
    d = await json('get', 'deploy', 'shop-api', '-n', 'shop');
    expect(d.spec.replicas).toBe(3);
    expect(d.metadata.labels.tier).toBe('api');

    await k('label', 'deploy', 'shop-api', '-n', 'shop', 'team=ml', 'tier-');
    await k('annotate', 'deploy', 'shop-api', '-n', 'shop', 'owner=course');
    d = await json('get', 'deploy', 'shop-api', '-n', 'shop');
    expect(d.metadata.labels).toEqual({ app: 'shop-api', team: 'ml' });
    expect(d.metadata.annotations.owner).toBe('course');
    const selected = await k('get', 'deploy', '-n', 'shop', '-l', 'team in (ml,ops),app', '-o', 'name');
    expect(selected.stdout.trim()).toBe('deployment.apps/shop-api');
    const none = await k('get', 'deploy', '-n', 'shop', '-l', 'team!=ml', '-o', 'name');
    expect(none.stdout.trim()).toBe('');
  });

  it('server-side apply creates, merges by keys, and drops what the manager stopped applying', async () => {
    const ssa = join(cluster.home, 'ssa.yaml');
    const config = (labels: string, replicas: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa
  namespace: shop
  labels: {${labels}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ssa}}
  template:
    metadata: {labels: {app: ssa}}
    spec:
      containers:
      - name: main
        image: nginx:1.27
${extra}`;
    await writeFile(ssa, config('app: ssa, keep: "yes"', 1));
    expect((await k('apply', '--server-side', '-f', ssa)).stdout.trim()).toBe(
      'deployment.apps/ssa serverside-applied',
    );
    await writeFile(ssa, config('app: ssa', 2, '      - name: side\n        image: busybox:1.36\n'));
    expect((await k('apply', '--server-side', '-f', ssa)).exitCode).toBe(0);
    const d = await json('get', 'deploy', 'ssa', '-n', 'shop');
    expect(d.spec.replicas).toBe(2);
    expect(d.metadata.labels).toEqual({ app: 'ssa' });
    expect(d.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['main', 'side']);
    expect(d.spec.template.spec.containers[1].imagePullPolicy).toBe('IfNotPresent');
    const managed = await k(
      'get',
      'deploy',
      'ssa',
      '-n',
      'shop',
      '-o',
      'jsonpath={.metadata.managedFields[0].manager}/{.metadata.managedFields[0].operation}',
      '--show-managed-fields',
    );
    expect(managed.stdout).toBe('kubectl/Apply');
  });

  it('dry-run=server validates and answers without storing', async () => {
    const dry = join(cluster.home, 'dry.yaml');
    await writeFile(
      dry,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry, namespace: shop}\ndata: {a: b}\n',
    );
    const result = await k('apply', '--dry-run=server', '-f', dry);
    expect(result.stdout.trim()).toBe('configmap/dry created (server dry run)');
    expect((await k('get', 'cm', 'dry', '-n', 'shop')).stderr).toMatch('configmaps "dry" not found');
  });

  it('kubectl create, run, expose and autoscale (typed clients that send protobuf)', async () => {
    const outputs = [
      await k('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80', '-n', 'shop'),
      await k('create', 'configmap', 'c1', '--from-literal=a=b', '-n', 'shop'),
      await k('create', 'secret', 'generic', 's1', '--from-literal=user=me', '-n', 'shop'),
      await k('expose', 'deployment', 'web', '--port=8080', '--target-port=80', '-n', 'shop'),
      await k('run', 'one', '--image=busybox:1.36', '--labels=run=one', '-n', 'shop', '--', 'sleep', '100'),
      await k('autoscale', 'deployment', 'web', '--min=2', '--max=10', '--cpu-percent=70', '-n', 'shop'),
      await k('create', 'job', '--from=cronjob/nightly', 'nightly-manual', '-n', 'shop'),
    ];
    for (const o of outputs) expect(o.stderr).toBe('');
    const web = await json('get', 'deploy', 'web', '-n', 'shop');
    expect(web.spec.replicas).toBe(2);
    expect(web.spec.template.spec.containers[0]).toMatchObject({
      name: 'nginx',
      image: 'nginx:1.27',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    });
    expect((await json('get', 'secret', 's1', '-n', 'shop')).data).toEqual({
      user: Buffer.from('me').toString('base64'),
    });
    expect((await json('get', 'svc', 'web', '-n', 'shop')).spec.ports).toEqual([
      { port: 8080, protocol: 'TCP', targetPort: 80 },
    ]);
    expect((await json('get', 'pod', 'one', '-n', 'shop')).spec.containers[0].args).toEqual(['sleep', '100']);
    const hpa = await json('get', 'hpa', 'web', '-n', 'shop');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    });
    const job = await json('get', 'job', 'nightly-manual', '-n', 'shop');
    expect(job.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'nightly' });
    expect(job.spec).toMatchObject({
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      completionMode: 'NonIndexed',
    });
    expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    expect(job.spec.template.metadata.labels).toMatchObject({
      'job-name': 'nightly-manual',
      'batch.kubernetes.io/job-name': 'nightly-manual',
    });
    expect(job.spec.template.spec.containers[0].command).toEqual(['churn-mlops', 'batch-score']);
  });

  it('deletes with cascade (orphan frees the dependents, foreground marks the owner) and by collection', async () => {
    const store = cluster.store;
    const rs = store.list('ReplicaSet', 'shop');
    expect(rs).toHaveLength(0);
    const owner = store.require('Deployment', 'shop', 'web');
    store.create('ReplicaSet', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'web-abc',
        namespace: 'shop',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'web',
            uid: owner.metadata.uid!,
            controller: true,
          },
        ],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const deleted = await k('delete', 'deployment', 'web', '-n', 'shop', '--cascade=orphan');
    expect(deleted.stdout.trim()).toBe('deployment.apps "web" deleted');
    expect(store.get('Deployment', 'shop', 'web')).toBeUndefined();
    expect(store.require('ReplicaSet', 'shop', 'web-abc').metadata.ownerReferences).toBeUndefined();
    expect((await k('delete', 'rs', 'web-abc', '-n', 'shop')).exitCode).toBe(0);

    // Foreground: the owner stays, marked, until the garbage collector has removed its dependents.
    const ssa = store.require('Deployment', 'shop', 'ssa');
    store.create('ReplicaSet', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'ssa-abc',
        namespace: 'shop',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'ssa',
            uid: ssa.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'ssa' } },
        template: {
          metadata: { labels: { app: 'ssa' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    await k('delete', 'deployment', 'ssa', '-n', 'shop', '--cascade=foreground', '--wait=false');
    const marked = store.require('Deployment', 'shop', 'ssa');
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect((marked.metadata as { finalizers?: string[] }).finalizers).toEqual(['foregroundDeletion']);

    // A collection at once, by label.
    await k('create', 'configmap', 'tmp-1', '-n', 'shop');
    await k('create', 'configmap', 'tmp-2', '-n', 'shop');
    await k('label', 'configmap', 'tmp-1', 'tmp-2', 'tmp=yes', '-n', 'shop');
    const collection = await k(
      'delete',
      '--raw',
      '/api/v1/namespaces/shop/configmaps?labelSelector=tmp%3Dyes',
    );
    expect(collection.exitCode).toBe(0);
    expect(store.list('ConfigMap', 'shop').map((c) => c.metadata.name)).not.toContain('tmp-1');
    expect(store.list('ConfigMap', 'shop').map((c) => c.metadata.name)).toContain('shop-config');
  });

  it('describes pods, deployments, services, jobs, cronjobs, hpa and pvc with their events', async () => {
    const pod = cluster.store.require('Pod', 'shop', 'one');
    cluster.store.create('Event', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'one.1', namespace: 'shop' },
      involvedObject: {
        kind: 'Pod',
        name: 'one',
        namespace: 'shop',
        uid: pod.metadata.uid,
        apiVersion: 'v1',
      },
      reason: 'Scheduled',
      message: 'Successfully assigned shop/one to churn-labs-control-plane',
      type: 'Normal',
      count: 1,
      firstTimestamp: new Date().toISOString(),
      lastTimestamp: new Date().toISOString(),
      source: { component: 'default-scheduler' },
    });
    const described = await k('describe', 'pod', 'one', '-n', 'shop');
    expect(described.stdout).toMatch(/^Name:\s+one$/m);
    expect(described.stdout).toMatch(/QoS Class:\s+BestEffort/);
    expect(described.stdout).toMatch(
      /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned shop\/one/,
    );
    for (const [kind, name, pattern] of [
      ['deployment', 'shop-api', /RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/],
      ['service', 'shop-api', /Type:\s+ClusterIP/],
      ['job', 'nightly-manual', /Completions:\s+1/],
      ['cronjob', 'nightly', /Schedule:\s+0 2 \* \* \*/],
      ['hpa', 'web', /Reference:\s+Deployment\/web/],
      ['pvc', 'shop-data', /StorageClass:\s+standard/],
    ] as const) {
      const out = await k('describe', kind, name, '-n', 'shop');
      expect(out.stderr, `${kind} ${name}`).toBe('');
      expect(out.stdout, `${kind} ${name}`).toMatch(pattern);
    }
  });
});
