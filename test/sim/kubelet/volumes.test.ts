import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/sim/store.js';
import {
  condition,
  containerStatus,
  createPod,
  eventsOf,
  getPod,
  httpGet,
  startNode,
  type TestNode,
  waitFor,
} from './helpers.js';

let node: TestNode;
beforeEach(async () => {
  node = await startNode();
});
afterEach(async () => {
  await node.cleanup();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const readyProbe = { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 };

function createConfig(store: Store, config = 'paths:\n  data: /app/data\n') {
  store.create('ConfigMap', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'churn-mlops-config', namespace: 'default' },
    data: { 'config.yaml': config, LOG_LEVEL: 'debug' },
  });
}

/** A bound claim and its volume, as the control plane's volume binder leaves them. */
function createBoundClaim(store: Store, name = 'churn-mlops-pvc') {
  const claim = store.create('PersistentVolumeClaim', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'standard',
    },
  });
  const pvName = `pvc-${claim.metadata.uid}`;
  store.create('PersistentVolume', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName },
    spec: {
      capacity: { storage: '1Gi' },
      hostPath: { path: `/var/local-path-provisioner/${pvName}_default_${name}` },
      persistentVolumeReclaimPolicy: 'Delete',
    },
  });
  store.update('PersistentVolumeClaim', { ...claim, spec: { ...claim.spec, volumeName: pvName } });
  store.update(
    'PersistentVolumeClaim',
    { ...store.get('PersistentVolumeClaim', 'default', name)!, status: { phase: 'Bound' } },
    { status: true },
  );
  return join(node.stateDir, 'node', 'var', 'local-path-provisioner', `${pvName}_default_${name}`);
}

describe('environment', () => {
  it('gives the process env from values, a ConfigMap, a Secret, the downward API and envFrom prefixes', async () => {
    createConfig(node.store);
    node.store.create('Secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-credentials', namespace: 'default' },
      data: { username: b64('churn'), password: b64('s3cret') },
    });
    createPod(
      node.store,
      'envy',
      {
        containers: [
          {
            name: 'app',
            image: 'test/server:1',
            ports: [{ containerPort: 8000 }],
            readinessProbe: readyProbe,
            resources: { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } },
            envFrom: [{ secretRef: { name: 'db-credentials' }, prefix: 'DB_' }],
            env: [
              {
                name: 'LEVEL',
                valueFrom: { configMapKeyRef: { name: 'churn-mlops-config', key: 'LOG_LEVEL' } },
              },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
              {
                name: 'MEMORY_MI',
                valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
              },
              { name: 'GREETING', value: 'hello $(POD_NAME), not $(MISSING), $$(POD_NAME)' },
              { name: 'PORT', value: '9999' },
            ],
          },
        ],
      },
      { labels: { app: 'churn-api' } },
    );
    await waitFor(() => condition(getPod(node.store, 'envy'), 'Ready') === 'True', 10_000, 'Ready');
    const env = JSON.parse(await httpGet(node, 'envy', 8000, '/env'));
    const pod = getPod(node.store, 'envy')!;
    expect(env).toMatchObject({
      DB_username: 'churn',
      DB_password: 's3cret',
      LEVEL: 'debug',
      PASSWORD: 's3cret',
      POD_NAME: 'envy',
      POD_IP: pod.status?.podIP,
      APP: 'churn-api',
      MEMORY_MI: '128',
      GREETING: 'hello envy, not $(MISSING), $(POD_NAME)',
      HOSTNAME: 'envy',
    });
    // The node's port wins: the process must listen where the node routes container port 8000.
    expect(env.PORT).toBe(String(node.kubelet.address('default', 'envy', 8000)?.port));
    expect(env.CHURN_MLOPS_FS_ROOT).toBe(join(node.stateDir, 'pods', pod.metadata.uid!, 'root'));
    // A pod's process runs on this machine: it answers on loopback only, not to the local network.
    expect(env.CHURN_MLOPS_HOST).toBe('127.0.0.1');
    expect(env.PATH.split(':')[0]).toBe(join(node.stateDir, 'kubelet', 'bin'));
    expect(pod.status?.qosClass).toBe('Burstable');
  });

  it('waits in CreateContainerConfigError while a referenced ConfigMap is missing, then starts', async () => {
    createPod(node.store, 'early', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          env: [
            {
              name: 'LEVEL',
              valueFrom: { configMapKeyRef: { name: 'churn-mlops-config', key: 'LOG_LEVEL' } },
            },
          ],
        },
      ],
    });
    const pod = await waitFor(
      () =>
        containerStatus(getPod(node.store, 'early'))?.state.waiting?.reason === 'CreateContainerConfigError'
          ? getPod(node.store, 'early')
          : undefined,
      5_000,
      'CreateContainerConfigError',
    );
    expect(containerStatus(pod)?.state.waiting?.message).toBe('configmap "churn-mlops-config" not found');
    expect(pod.status?.phase).toBe('Pending');
    expect(eventsOf(node.store, 'early')).toContainEqual(
      expect.objectContaining({
        reason: 'Failed',
        message: 'Error: configmap "churn-mlops-config" not found',
      }),
    );
    createConfig(node.store);
    await waitFor(() => containerStatus(getPod(node.store, 'early'))?.state.running, 5_000, 'running');
  });
});

describe('volumes', () => {
  it('mounts a ConfigMap key by subPath as a fixed copy, and a whole ConfigMap volume that follows changes', async () => {
    createConfig(node.store);
    createPod(node.store, 'configured', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          readinessProbe: readyProbe,
          volumeMounts: [
            { name: 'config', mountPath: '/app/config/config.yaml', subPath: 'config.yaml' },
            { name: 'config', mountPath: '/etc/churn' },
          ],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'churn-mlops-config' } }],
    });
    await waitFor(() => condition(getPod(node.store, 'configured'), 'Ready') === 'True', 10_000, 'Ready');
    // The process reads the files through CHURN_MLOPS_FS_ROOT, as the workload does.
    expect(await httpGet(node, 'configured', 8000, '/file?path=/app/config/config.yaml')).toBe(
      'paths:\n  data: /app/data\n',
    );
    expect(await httpGet(node, 'configured', 8000, '/file?path=/etc/churn/LOG_LEVEL')).toBe('debug');

    const map = node.store.get('ConfigMap', 'default', 'churn-mlops-config')!;
    node.store.update('ConfigMap', { ...map, data: { 'config.yaml': 'changed: true\n' } });
    await waitFor(
      async () =>
        (await httpGet(node, 'configured', 8000, '/file?path=/etc/churn/config.yaml')) === 'changed: true\n',
      5_000,
      'the volume to follow the ConfigMap',
    );
    expect(await httpGet(node, 'configured', 8000, '/file?path=/etc/churn/LOG_LEVEL')).toMatch(/ENOENT/);
    expect(await httpGet(node, 'configured', 8000, '/file?path=/app/config/config.yaml')).toBe(
      'paths:\n  data: /app/data\n',
    );
  });

  it('keeps a pod Pending in ContainerCreating until its claim is bound', async () => {
    node.store.create('PersistentVolumeClaim', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'churn-mlops-pvc', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    createPod(node.store, 'waiting', {
      containers: [
        { name: 'app', image: 'test/server:1', volumeMounts: [{ name: 'data', mountPath: '/app/data' }] },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'churn-mlops-pvc' } }],
    });
    await waitFor(
      () => eventsOf(node.store, 'waiting').some((e) => e.reason === 'FailedMount'),
      5_000,
      'FailedMount',
    );
    // The event comes first and the status right after it, as from a real kubelet.
    let pod = await waitFor(
      () =>
        containerStatus(getPod(node.store, 'waiting'))?.state.waiting?.reason === 'ContainerCreating'
          ? getPod(node.store, 'waiting')
          : undefined,
      5_000,
      'ContainerCreating',
    );
    expect(pod?.status?.phase).toBe('Pending');
    expect(containerStatus(pod)?.state.waiting?.reason).toBe('ContainerCreating');
    expect(condition(pod, 'PodReadyToStartContainers')).toBe('False');
    node.store.remove('PersistentVolumeClaim', 'default', 'churn-mlops-pvc');
    createBoundClaim(node.store);
    pod = await waitFor(
      () =>
        getPod(node.store, 'waiting')?.status?.phase === 'Running'
          ? getPod(node.store, 'waiting')
          : undefined,
      5_000,
      'Running',
    );
    expect(condition(pod, 'PodReadyToStartContainers')).toBe('True');
  });

  it('keeps what a pod wrote on its claim after the pod is deleted, for the next pod', async () => {
    const folder = createBoundClaim(node.store);
    const mounts = [
      { name: 'storage', mountPath: '/app/data', subPath: 'data' },
      { name: 'storage', mountPath: '/app/artifacts', subPath: 'artifacts' },
    ];
    const volumes = [{ name: 'storage', persistentVolumeClaim: { claimName: 'churn-mlops-pvc' } }];
    createPod(node.store, 'writer', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'job',
          image: 'test/node:1',
          args: [
            '-e',
            "require('fs').writeFileSync(process.env.CHURN_MLOPS_FS_ROOT + '/app/artifacts/model.json', '{\"v\":1}')",
          ],
          volumeMounts: mounts,
        },
      ],
      volumes,
    });
    await waitFor(() => getPod(node.store, 'writer')?.status?.phase === 'Succeeded', 10_000, 'Succeeded');
    const podDir = join(node.stateDir, 'pods', getPod(node.store, 'writer')!.metadata.uid!);
    node.store.delete('Pod', 'default', 'writer', { graceful: true });
    await waitFor(() => !getPod(node.store, 'writer'), 5_000, 'the pod to go');
    expect(existsSync(podDir)).toBe(false);
    expect(readFileSync(join(folder, 'artifacts', 'model.json'), 'utf8')).toBe('{"v":1}');
    expect(existsSync(join(folder, 'data'))).toBe(true);

    createPod(node.store, 'reader', {
      containers: [{ name: 'app', image: 'test/server:1', readinessProbe: readyProbe, volumeMounts: mounts }],
      volumes,
    });
    await waitFor(() => condition(getPod(node.store, 'reader'), 'Ready') === 'True', 10_000, 'Ready');
    expect(await httpGet(node, 'reader', 8000, '/file?path=/app/artifacts/model.json')).toBe('{"v":1}');

    // The claim and its volume deleted (reclaim policy Delete): the node removes the folder.
    const pvName = node.store.get('PersistentVolumeClaim', 'default', 'churn-mlops-pvc')?.spec?.volumeName;
    node.store.delete('Pod', 'default', 'reader', { graceful: true });
    await waitFor(() => !getPod(node.store, 'reader'), 5_000, 'the reader to go');
    node.store.delete('PersistentVolume', undefined, pvName);
    await waitFor(() => !existsSync(folder), 5_000, 'the volume folder to be reclaimed');
  });
});

describe('exec', () => {
  it('runs shell-like builtins on the pod files, and explains what it cannot run', async () => {
    const folder = createBoundClaim(node.store);
    createPod(node.store, 'shell', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          workingDir: '/app',
          readinessProbe: readyProbe,
          env: [{ name: 'GREETING', value: 'hello' }],
          volumeMounts: [{ name: 'storage', mountPath: '/app/data', subPath: 'data' }],
        },
      ],
      volumes: [{ name: 'storage', persistentVolumeClaim: { claimName: 'churn-mlops-pvc' } }],
    });
    await waitFor(() => condition(getPod(node.store, 'shell'), 'Ready') === 'True', 10_000, 'Ready');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(folder, 'data', 'predictions'), { recursive: true });
    writeFileSync(
      join(folder, 'data', 'predictions', 'predictions_20250101-020000.csv'),
      'user_id,p\nu1,0.2\nu2,0.9\n',
    );
    writeFileSync(join(folder, 'data', 'predictions', 'b.csv'), 'x\n');
    const exec = async (...command: string[]) => {
      const result = await node.kubelet.exec?.('default', 'shell', 'app', command);
      if (!result) throw new Error(`exec ${command.join(' ')}: not possible`);
      return result;
    };

    expect(await exec('ls', '/app/data/predictions')).toEqual({
      stdout: 'b.csv\npredictions_20250101-020000.csv\n',
      stderr: '',
      exitCode: 0,
    });
    expect((await exec('ls', '-la', 'data/predictions')).stdout).toMatch(
      /^total \d+\nd.* \.\nd.* \.\.\n-rw-r--r-- +1 \S+ +\S+ +2 \w{3} [ \d]\d \d\d:\d\d b\.csv\n/,
    );
    expect((await exec('ls', '/app')).stdout).toBe('data\n');
    expect(await exec('ls', '/app/nope')).toMatchObject({
      stderr: 'ls: /app/nope: No such file or directory\n',
      exitCode: 1,
    });
    expect((await exec('cat', '/app/data/predictions/b.csv')).stdout).toBe('x\n');
    expect((await exec('head', '-n', '2', 'data/predictions/predictions_20250101-020000.csv')).stdout).toBe(
      'user_id,p\nu1,0.2\n',
    );
    expect((await exec('tail', '-n', '1', 'data/predictions/predictions_20250101-020000.csv')).stdout).toBe(
      'u2,0.9\n',
    );
    expect((await exec('wc', '-l', '/app/data/predictions/predictions_20250101-020000.csv')).stdout).toBe(
      '3 /app/data/predictions/predictions_20250101-020000.csv\n',
    );
    expect((await exec('test', '-d', '/app/data/predictions')).exitCode).toBe(0);
    expect((await exec('test', '-f', '/app/data/predictions')).exitCode).toBe(1);
    expect((await exec('printenv', 'GREETING')).stdout).toBe('hello\n');
    expect((await exec('env')).stdout).toContain('HOSTNAME=shell\n');
    expect((await exec('pwd')).stdout).toBe('/app\n');
    expect((await exec('hostname')).stdout).toBe('shell\n');
    expect((await exec('echo', 'a', 'b')).stdout).toBe('a b\n');
    expect((await exec('df', '-h')).stdout).toMatch(
      /^Filesystem +Size +Used +Available +Use% +Mounted on\n.*\/\n.*\/app\/data\n$/s,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable, for the node's sh -c.
    expect((await exec('sh', '-c', 'echo "$GREETING" ${GREETING}s')).stdout).toBe('hello hellos\n');
    expect((await exec('sh', '-c', 'cat /app/data/predictions/b.csv')).stdout).toBe('x\n');
    const unknown = await exec('python', '-m', 'churn_mlops');
    expect(unknown.exitCode).toBe(127);
    expect(unknown.stderr).toMatch(
      /^python: not found; the simulated node runs `churn-mlops \.\.\.` and the builtins ls, cat/,
    );
    expect((await exec('sh', '-c', 'ls | wc -l')).exitCode).toBe(127);
    expect(await node.kubelet.exec!('default', 'no-such-pod', 'app', ['ls'])).toBeUndefined();
  });
});
