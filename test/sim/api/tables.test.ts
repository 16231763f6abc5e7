import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/objects.js';
import { setPodRunning, startCluster, type TestCluster } from './helpers.js';

/** `kubectl get` prints the columns a real cluster prints: server-side tables, -o wide, get all. */
const header = (out: string) =>
  out
    .split('\n')[0]!
    .trim()
    .split(/\s{2,}/);
const rowOf = (out: string, name: string) =>
  out
    .split('\n')
    .find((l) => l.split(/\s+/).includes(name))
    ?.trim()
    .split(/\s{2,}/);

function pod(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'demo' } },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27' }], nodeName: 'churn-labs-control-plane' },
    ...extra,
  };
}

describe('tables', () => {
  let cluster: TestCluster;
  const k = (...args: string[]) => cluster.kubectl(args);

  beforeAll(async () => {
    cluster = await startCluster();
    const { store } = cluster;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const withStatus = (name: string, status: object, meta: object = {}) => {
      const created = store.create('Pod', pod(name));
      store.update(
        'Pod',
        { ...created, metadata: { ...created.metadata, ...meta }, status },
        { status: true },
      );
    };
    store.create('Pod', pod('running'));
    setPodRunning(store, 'default', 'running');
    withStatus('crashing', {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'main',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: now } },
        },
      ],
    });
    withStatus('oom', {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'main',
          ready: false,
          restartCount: 1,
          state: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: now } },
        },
      ],
    });
    withStatus('done', {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'main',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: now } },
        },
      ],
    });
    withStatus('creating', {
      phase: 'Pending',
      containerStatuses: [
        { name: 'main', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    });
    store.create('Pod', pod('leaving'));
    setPodRunning(store, 'default', 'leaving');
    store.markDeleted('Pod', 'default', 'leaving');

    store.create('Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'demo', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'demo' } },
        template: {
          metadata: { labels: { app: 'demo' } },
          spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] },
        },
      },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    store.create('HorizontalPodAutoscaler', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'demo', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'demo' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
      },
      status: {
        currentReplicas: 3,
        desiredReplicas: 3,
        currentMetrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 12, averageValue: '60m' } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', current: { averageUtilization: 30, averageValue: '100Mi' } },
          },
        ],
      },
    });
    store.create('Job', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'default' },
      spec: {
        completions: 1,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      },
      status: {
        succeeded: 1,
        startTime: '2025-01-01T00:00:00Z',
        completionTime: '2025-01-01T00:00:42Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('pods: READY, STATUS computed like the real printer, and the wide columns', async () => {
    const out = (await k('get', 'pods')).stdout;
    expect(header(out)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(rowOf(out, 'running')?.slice(0, 4)).toEqual(['running', '1/1', 'Running', '0']);
    expect(rowOf(out, 'crashing')?.slice(0, 3)).toEqual(['crashing', '0/1', 'CrashLoopBackOff']);
    expect(rowOf(out, 'crashing')?.[3]).toMatch(/^4 \(\d+s ago\)$/);
    expect(rowOf(out, 'oom')?.[2]).toBe('OOMKilled');
    expect(rowOf(out, 'done')?.[2]).toBe('Completed');
    expect(rowOf(out, 'creating')?.[2]).toBe('ContainerCreating');
    expect(rowOf(out, 'leaving')?.[2]).toBe('Terminating');
    const wide = (await k('get', 'pods', '-o', 'wide')).stdout;
    expect(header(wide)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(rowOf(wide, 'running')?.slice(5)).toEqual([
      '10.244.0.7',
      'churn-labs-control-plane',
      '<none>',
      '<none>',
    ]);
  });

  it('deployments, hpa and jobs', async () => {
    const deploy = (await k('get', 'deploy', '-o', 'wide')).stdout;
    expect(header(deploy)).toEqual([
      'NAME',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    const d = rowOf(deploy, 'demo')!;
    expect([d[0], d[1], d[2], d[3], d[5], d[6], d[7]]).toEqual([
      'demo',
      '2/3',
      '3',
      '2',
      'main',
      'nginx:1.27',
      'app=demo',
    ]);
    const hpa = (await k('get', 'hpa')).stdout;
    expect(header(hpa)).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(rowOf(hpa, 'demo')?.slice(0, 6)).toEqual([
      'demo',
      'Deployment/demo',
      'cpu: 12%/70%, memory: 30%/80%',
      '2',
      '10',
      '3',
    ]);
    const jobs = (await k('get', 'jobs')).stdout;
    expect(header(jobs)).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(rowOf(jobs, 'once')?.slice(0, 4)).toEqual(['once', 'Complete', '1/1', '42s']);
  });

  it('get all lists the workload kinds, each with its own columns', async () => {
    const out = (await k('get', 'all')).stdout;
    expect(out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(out).toMatch(/^pod\/running\s+1\/1\s+Running/m);
    expect(out).toMatch(/^service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1/m);
    expect(out).toMatch(/^deployment\.apps\/demo\s+2\/3\s+3\s+2/m);
    expect(out).toMatch(/^horizontalpodautoscaler\.autoscaling\/demo\s+Deployment\/demo/m);
    expect(out).toMatch(/^job\.batch\/once\s+Complete\s+1\/1/m);
  });

  it('the other kinds print their real columns', async () => {
    await k('create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=2');
    await k('create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *');
    const cases: [string[], string[]][] = [
      [
        ['get', 'svc'],
        ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
      ],
      [
        ['get', 'cronjobs'],
        ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
      ],
      [
        ['get', 'cm'],
        ['NAME', 'DATA', 'AGE'],
      ],
      [
        ['get', 'ns'],
        ['NAME', 'STATUS', 'AGE'],
      ],
      [
        ['get', 'nodes'],
        ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      ],
      [
        ['get', 'sc'],
        ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
      ],
      [
        ['get', 'ep'],
        ['NAME', 'ENDPOINTS', 'AGE'],
      ],
    ];
    for (const [args, columns] of cases)
      expect(header((await k(...args)).stdout), args.join(' ')).toEqual(columns);
    expect(rowOf((await k('get', 'cm')).stdout, 'cfg')?.[1]).toBe('2');
    expect(rowOf((await k('get', 'cronjobs')).stdout, 'tick')?.slice(1, 6)).toEqual([
      '*/5 * * * *',
      '<none>',
      'False',
      '0',
      '<none>',
    ]);
    await cluster.kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 2Gi}}\n',
    });
    const pvc = (await k('get', 'pvc')).stdout;
    expect(header(pvc)).toEqual([
      'NAME',
      'STATUS',
      'VOLUME',
      'CAPACITY',
      'ACCESS MODES',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'AGE',
    ]);
    expect(rowOf(pvc, 'data')?.slice(0, 4)).toEqual(['data', 'Pending', 'standard', '<unset>']);
    await k('create', 'secret', 'generic', 'sec', '--from-literal=a=b');
    expect(header((await k('get', 'secret')).stdout)).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);

    cluster.store.create('PersistentVolume', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pvc-1' },
      spec: {
        capacity: { storage: '2Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
        hostPath: { path: '/var/local-path-provisioner/pvc-1', type: 'DirectoryOrCreate' },
        claimRef: { namespace: 'default', name: 'data' },
      },
      status: { phase: 'Bound' },
    });
    const pv = (await k('get', 'pv', '-o', 'wide')).stdout;
    expect(header(pv)).toEqual([
      'NAME',
      'CAPACITY',
      'ACCESS MODES',
      'RECLAIM POLICY',
      'STATUS',
      'CLAIM',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'REASON',
      'AGE',
      'VOLUMEMODE',
    ]);
    expect(rowOf(pv, 'pvc-1')?.slice(0, 7)).toEqual([
      'pvc-1',
      '2Gi',
      'RWO',
      'Delete',
      'Bound',
      'default/data',
      'standard',
    ]);
    cluster.store.create('EndpointSlice', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'demo-x1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'demo' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.244.0.7'], conditions: { ready: true } }],
    });
    const slices = (await k('get', 'endpointslices')).stdout;
    expect(header(slices)).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(rowOf(slices, 'demo-x1')?.slice(0, 4)).toEqual(['demo-x1', 'IPv4', '8000', '10.244.0.7']);
  });

  it('events: LAST SEEN TYPE REASON OBJECT MESSAGE', async () => {
    const running = cluster.store.require('Pod', 'default', 'running');
    const at = new Date().toISOString();
    cluster.store.create('Event', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'running.17', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'running', namespace: 'default', uid: running.metadata.uid },
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      type: 'Warning',
      count: 3,
      firstTimestamp: at,
      lastTimestamp: at,
      source: { component: 'kubelet', host: 'churn-labs-control-plane' },
    });
    const out = (await k('get', 'events')).stdout;
    expect(header(out)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(out).toMatch(
      /Warning\s+Unhealthy\s+pod\/running\s+Readiness probe failed: HTTP probe failed with statuscode: 503/,
    );
    const fields = (
      await k('get', 'events', '--field-selector', 'involvedObject.name=running,type=Warning', '-o', 'name')
    ).stdout;
    expect(fields.trim()).toBe('event/running.17');
  });
});
