import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  condition,
  containerStatus,
  createPod,
  eventsOf,
  getPod,
  httpGet,
  isAlive,
  logsOf,
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

describe('restarts', () => {
  it('puts a crashing container into CrashLoopBackOff with growing back-off and its logs under --previous', async () => {
    createPod(node.store, 'crashy', { containers: [{ name: 'app', image: 'test/crash:1' }] });
    const pod = await waitFor(
      () => {
        const p = getPod(node.store, 'crashy');
        const s = containerStatus(p);
        return s && s.restartCount >= 2 && s.state.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
      },
      15_000,
      'CrashLoopBackOff after two restarts',
    );
    const status = containerStatus(pod)!;
    expect(status.state.waiting?.message).toMatch(
      new RegExp(
        `^back-off \\d+ms restarting failed container=app pod=crashy_default\\(${pod.metadata.uid}\\)$`,
      ),
    );
    expect(status.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(status.ready).toBe(false);
    expect(pod.status?.phase).toBe('Running');
    expect(eventsOf(node.store, 'crashy')).toContainEqual(
      expect.objectContaining({
        reason: 'BackOff',
        type: 'Warning',
        message: `Back-off restarting failed container app in pod crashy_default(${pod.metadata.uid})`,
      }),
    );
    // `kubectl logs` shows the last instance; `--previous` the one before it.
    const current = await logsOf(node, 'crashy', 'app');
    const previous = await logsOf(node, 'crashy', 'app', true);
    const run = Number(current.match(/^run (\d+)$/m)?.[1]);
    expect(run).toBeGreaterThanOrEqual(3);
    expect(previous).toContain(`run ${run - 1}\n`);
    expect(current).toContain(`failing on purpose (run ${run})`);
  });

  it('ends a Never pod Succeeded or Failed by the exit code, without restarting it', async () => {
    const spec = (code: number) => ({
      restartPolicy: 'Never',
      containers: [{ name: 'job', image: 'test/crash:1', env: [{ name: 'EXIT_CODE', value: String(code) }] }],
    });
    createPod(node.store, 'good', spec(0));
    createPod(node.store, 'bad', spec(3));
    const good = await waitFor(
      () =>
        getPod(node.store, 'good')?.status?.phase === 'Succeeded' ? getPod(node.store, 'good') : undefined,
      10_000,
      'Succeeded',
    );
    const bad = await waitFor(
      () => (getPod(node.store, 'bad')?.status?.phase === 'Failed' ? getPod(node.store, 'bad') : undefined),
      10_000,
      'Failed',
    );
    expect(containerStatus(good)?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(containerStatus(bad)?.state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(containerStatus(bad)?.restartCount).toBe(0);
    expect(condition(good, 'Ready')).toBe('False');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(containerStatus(getPod(node.store, 'bad'))?.restartCount).toBe(0);
  });

  it('restarts only failures under OnFailure', async () => {
    createPod(node.store, 'retry', {
      restartPolicy: 'OnFailure',
      containers: [
        {
          name: 'job',
          image: 'test/node:1',
          // Fails on the first run, succeeds on the second (a file in the pod's /tmp remembers).
          args: [
            '-e',
            "const f=process.env.CHURN_MLOPS_FS_ROOT+'/tmp/tried';const fs=require('fs');if(fs.existsSync(f))process.exit(0);fs.writeFileSync(f,'');process.exit(2)",
          ],
        },
      ],
    });
    const pod = await waitFor(
      () =>
        getPod(node.store, 'retry')?.status?.phase === 'Succeeded' ? getPod(node.store, 'retry') : undefined,
      10_000,
      'Succeeded',
    );
    expect(containerStatus(pod)).toMatchObject({ restartCount: 1 });
    expect(containerStatus(pod)?.lastState.terminated).toMatchObject({ exitCode: 2 });
  });

  it('kills a container over its memory limit: OOMKilled, exit code 137', async () => {
    createPod(node.store, 'hog', {
      restartPolicy: 'Never',
      containers: [{ name: 'hog', image: 'test/hog:1', resources: { limits: { memory: '96Mi' } } }],
    });
    const pod = await waitFor(
      () => (getPod(node.store, 'hog')?.status?.phase === 'Failed' ? getPod(node.store, 'hog') : undefined),
      15_000,
      'Failed',
    );
    expect(containerStatus(pod)?.state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(pod.status?.qosClass).toBe('Burstable');
    // As the real kubelet's OOM watcher does, the node records the kill.
    expect(eventsOf(node.store, 'churn-labs-control-plane').map((e) => e.reason)).toContain('SystemOOM');
  });
});

describe('init containers', () => {
  it('runs them one by one before the containers, sharing an emptyDir', async () => {
    const write = (text: string) => [
      '-e',
      `require('fs').appendFileSync(process.env.CHURN_MLOPS_FS_ROOT + '/stage/steps', '${text}\\n')`,
    ];
    createPod(node.store, 'staged', {
      initContainers: [
        {
          name: 'first',
          image: 'test/node:1',
          args: write('first'),
          volumeMounts: [{ name: 'work', mountPath: '/stage' }],
        },
        {
          name: 'second',
          image: 'test/node:1',
          args: write('second'),
          volumeMounts: [{ name: 'work', mountPath: '/stage' }],
        },
      ],
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 },
          volumeMounts: [{ name: 'work', mountPath: '/stage' }],
        },
      ],
      volumes: [{ name: 'work', emptyDir: {} }],
    });
    const pod = await waitFor(
      () =>
        condition(getPod(node.store, 'staged'), 'Ready') === 'True'
          ? getPod(node.store, 'staged')
          : undefined,
      10_000,
      'Ready',
    );
    expect(condition(pod, 'Initialized')).toBe('True');
    const inits = pod.status?.initContainerStatuses as {
      name: string;
      state: { terminated?: { reason: string } };
    }[];
    expect(inits.map((s) => [s.name, s.state.terminated?.reason])).toEqual([
      ['first', 'Completed'],
      ['second', 'Completed'],
    ]);
    expect(await httpGet(node, 'staged', 8000, '/file?path=/stage/steps')).toBe('first\nsecond\n');
  });

  it('fails a Never pod whose init container fails, without starting its containers', async () => {
    createPod(node.store, 'blocked', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'check', image: 'test/crash:1', env: [{ name: 'EXIT_CODE', value: '4' }] }],
      containers: [{ name: 'app', image: 'test/server:1' }],
    });
    const pod = await waitFor(
      () =>
        getPod(node.store, 'blocked')?.status?.phase === 'Failed' ? getPod(node.store, 'blocked') : undefined,
      10_000,
      'Failed',
    );
    expect(condition(pod, 'Initialized')).toBe('False');
    expect(containerStatus(pod)?.state.waiting?.reason).toBe('PodInitializing');
    expect(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(4);
  });
});

describe('deletion', () => {
  it('sends SIGTERM first, keeps the pod Terminating until the process exits, then removes it', async () => {
    createPod(node.store, 'graceful', {
      terminationGracePeriodSeconds: 10,
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          env: [{ name: 'TERM_DELAY_MS', value: '700' }],
          readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 },
        },
      ],
    });
    await waitFor(() => condition(getPod(node.store, 'graceful'), 'Ready') === 'True', 10_000, 'Ready');
    const pid = Number((await logsOf(node, 'graceful', 'app')).match(/pid=(\d+)/)?.[1]);
    expect(isAlive(pid)).toBe(true);
    const deletedAt = Date.now();
    node.store.delete('Pod', 'default', 'graceful', { graceful: true });
    await waitFor(
      () => eventsOf(node.store, 'graceful').some((e) => e.message === 'Stopping container app'),
      3_000,
      'Killing',
    );
    // Still there while the process finishes its in-flight work.
    expect(getPod(node.store, 'graceful')?.metadata.deletionTimestamp).toBeDefined();
    await waitFor(() => !getPod(node.store, 'graceful'), 5_000, 'the pod to be removed');
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(600);
    expect(isAlive(pid)).toBe(false);
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is over', async () => {
    createPod(node.store, 'stubborn', {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          env: [{ name: 'IGNORE_TERM', value: '1' }],
          readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 },
        },
      ],
    });
    await waitFor(() => condition(getPod(node.store, 'stubborn'), 'Ready') === 'True', 10_000, 'Ready');
    const pid = Number((await logsOf(node, 'stubborn', 'app')).match(/pid=(\d+)/)?.[1]);
    const deletedAt = Date.now();
    node.store.delete('Pod', 'default', 'stubborn', { graceful: true });
    await waitFor(() => !getPod(node.store, 'stubborn'), 5_000, 'the pod to be removed');
    expect(Date.now() - deletedAt).toBeGreaterThanOrEqual(900);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('images the node does not run', () => {
  it('shows them Running and Ready with no process, and says so in an event and the log', async () => {
    createPod(node.store, 'metrics', {
      containers: [
        {
          name: 'metrics-server',
          image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2',
          readinessProbe: { httpGet: { path: '/readyz', port: 10250 }, periodSeconds: 1 },
        },
      ],
    });
    const pod = await waitFor(
      () =>
        condition(getPod(node.store, 'metrics'), 'Ready') === 'True'
          ? getPod(node.store, 'metrics')
          : undefined,
      5_000,
      'Ready',
    );
    expect(pod.status?.phase).toBe('Running');
    expect(containerStatus(pod)?.image).toBe('registry.k8s.io/metrics-server/metrics-server:v0.7.2');
    const events = eventsOf(node.store, 'metrics');
    expect(events.find((e) => e.reason === 'IdleContainer')?.message).toMatch(
      /does not run the code of image .*probes are skipped/,
    );
    expect(events.some((e) => e.reason === 'Unhealthy')).toBe(false);
    expect(await logsOf(node, 'metrics', 'metrics-server')).toMatch(/does not run the code of image/);
    expect(node.kubelet.usage('default', 'metrics')).toEqual([
      { container: 'metrics-server', cpuMillicores: 0, memoryBytes: 0 },
    ]);
    expect(await node.kubelet.exec?.('default', 'metrics', 'metrics-server', ['ls'])).toBeUndefined();
  });
});

describe('a restart of the simulator', () => {
  it('restarts the pods whose processes are gone, like a node reboot', async () => {
    createPod(node.store, 'survivor', {
      containers: [
        {
          name: 'app',
          image: 'test/server:1',
          readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1 },
        },
      ],
    });
    await waitFor(() => condition(getPod(node.store, 'survivor'), 'Ready') === 'True', 10_000, 'Ready');
    const before = getPod(node.store, 'survivor')!;
    const pid = Number((await logsOf(node, 'survivor', 'app')).match(/pid=(\d+)/)?.[1]);
    await node.kubelet.stop();
    expect(isAlive(pid)).toBe(false);
    node.restart();
    const after = await waitFor(
      () => {
        const p = getPod(node.store, 'survivor');
        return containerStatus(p)?.restartCount === 1 && condition(p, 'Ready') === 'True' ? p : undefined;
      },
      10_000,
      'a restarted, ready pod',
    );
    expect(containerStatus(after)?.lastState.terminated).toMatchObject({ exitCode: 255, reason: 'Unknown' });
    expect(after.status?.podIP).toBe(before.status?.podIP);
    expect(await logsOf(node, 'survivor', 'app', true)).toContain(`pid=${pid}`);
  });
});

describe('images', () => {
  it('cannot pull a churn-labs tag that up never loaded: ErrImagePull, then ImagePullBackOff; pull policy Never only runs what is there', async () => {
    // As on kind: the churn-labs images exist only where `up` loaded them, and no registry has them.
    createPod(node.store, 'typo', {
      restartPolicy: 'Never',
      containers: [{ name: 'job', image: 'churn-labs/churn-ml:0.1.1', imagePullPolicy: 'IfNotPresent' }],
    });
    const reference = 'docker.io/churn-labs/churn-ml:0.1.1';
    const failure = `failed to pull and unpack image "${reference}": failed to resolve reference "${reference}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
    await waitFor(
      () => containerStatus(getPod(node.store, 'typo'))?.state.waiting?.reason === 'ErrImagePull',
      10_000,
      'ErrImagePull',
    );
    expect(containerStatus(getPod(node.store, 'typo'))?.state.waiting?.message).toBe(failure);
    const backOff = await waitFor(
      () => {
        const pod = getPod(node.store, 'typo');
        return containerStatus(pod)?.state.waiting?.reason === 'ImagePullBackOff' ? pod : undefined;
      },
      10_000,
      'ImagePullBackOff',
    );
    expect(backOff.status?.phase).toBe('Pending');
    expect(containerStatus(backOff)?.state.waiting?.message).toBe(
      'Back-off pulling image "churn-labs/churn-ml:0.1.1"',
    );
    const events = eventsOf(node.store, 'typo').map((e) => `${e.type} ${e.reason} ${e.message}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'Normal Pulling Pulling image "churn-labs/churn-ml:0.1.1"',
        `Warning Failed Failed to pull image "churn-labs/churn-ml:0.1.1": ${failure}`,
        'Warning Failed Error: ErrImagePull',
        'Normal BackOff Back-off pulling image "churn-labs/churn-ml:0.1.1"',
        'Warning Failed Error: ImagePullBackOff',
      ]),
    );
    expect(events.some((e) => e.includes('already present'))).toBe(false);
    // The tag up did load, with pull policy Never: not present is ErrImageNeverPull; present runs.
    createPod(node.store, 'never', {
      restartPolicy: 'Never',
      containers: [{ name: 'job', image: 'churn-labs/churn-ml:0.2.0', imagePullPolicy: 'Never' }],
    });
    await waitFor(
      () => containerStatus(getPod(node.store, 'never'))?.state.waiting?.reason === 'ErrImageNeverPull',
      10_000,
      'ErrImageNeverPull',
    );
    createPod(node.store, 'loaded', {
      restartPolicy: 'Never',
      containers: [{ name: 'job', image: 'churn-labs/churn-ml:0.1.0', imagePullPolicy: 'Never' }],
    });
    await waitFor(
      () => getPod(node.store, 'loaded')?.status?.phase === 'Succeeded',
      20_000,
      'the loaded image to run',
    );
  });
});

describe('images the node does not run', () => {
  it("runs a one-line command of the node's builtins, or a sleep, and ends with its exit code", async () => {
    const once = (name: string, command: string[]) =>
      createPod(node.store, name, {
        restartPolicy: 'Never',
        containers: [{ name: 'main', image: 'busybox', command }],
      });
    once('hello', ['sh', '-c', 'echo hello from busybox']);
    once('fails', ['false']);
    once('naps', ['sleep', '1']);
    once('script', ['sh', '-c', 'echo a; echo b']);
    const phase = (name: string) => getPod(node.store, name)?.status?.phase;
    await waitFor(() => phase('hello') === 'Succeeded', 10_000, 'the echo to complete');
    expect(await logsOf(node, 'hello', 'main')).toBe('hello from busybox\n');
    expect(containerStatus(getPod(node.store, 'hello'))?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    await waitFor(() => phase('fails') === 'Failed', 10_000, 'false to fail');
    expect(containerStatus(getPod(node.store, 'fails'))?.state.terminated?.exitCode).toBe(1);
    await waitFor(() => phase('naps') === 'Succeeded', 10_000, 'the sleep to end');
    // What the node cannot run (a script of several commands) stays an idle container.
    expect(phase('script')).toBe('Running');
    expect(eventsOf(node.store, 'script').map((e) => e.reason)).toContain('IdleContainer');
  });

  it('runs a shell image given no command as a real node does: its shell reads no input and exits 0', async () => {
    // A real kubelet sees such a container only after it exited: never Running and Ready.
    const seenReady = new Set<string>();
    node.store.subscribe((e) => {
      const statuses = (e.object.status as { containerStatuses?: { ready?: boolean }[] } | undefined)
        ?.containerStatuses;
      if (e.kind === 'Pod' && statuses?.some((c) => c.ready)) seenReady.add(e.object.metadata.name);
    });
    createPod(node.store, 'bare-once', {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox:1.36' }],
    });
    createPod(node.store, 'bare-always', { containers: [{ name: 'main', image: 'alpine:3.20' }] });
    // With its input held open (kubectl run -i), the shell waits: the container stays up.
    createPod(node.store, 'bare-stdin', { containers: [{ name: 'main', image: 'busybox', stdin: true }] });
    const phase = (name: string) => getPod(node.store, name)?.status?.phase;
    await waitFor(() => phase('bare-once') === 'Succeeded', 10_000, 'the bare busybox to complete');
    expect(containerStatus(getPod(node.store, 'bare-once'))?.state.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    await waitFor(
      () => {
        const s = containerStatus(getPod(node.store, 'bare-always'));
        return s && s.restartCount >= 1 && s.state.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
      },
      20_000,
      'the bare alpine to crash-loop',
    );
    expect(phase('bare-stdin')).toBe('Running');
    expect([...seenReady]).toEqual(['bare-stdin']);
  });
});
