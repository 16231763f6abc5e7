import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../../src/kube/quantity.js';
import { RestartBackoff } from '../../../src/sim/kubelet/backoff.js';
import { hostArgv } from '../../../src/sim/kubelet/container.js';
import { expandReferences } from '../../../src/sim/kubelet/env.js';
import { splitSimpleCommand } from '../../../src/sim/kubelet/exec.js';
import { containerArgv, resolveImage } from '../../../src/sim/kubelet/images.js';
import { LogWriter, parseLog, readLog, readLogFrom } from '../../../src/sim/kubelet/logs.js';
import { type ContainerView, podPhase } from '../../../src/sim/kubelet/pod-status.js';
import { podQosClass } from '../../../src/sim/kubelet/qos.js';
import { goDuration } from '../../../src/sim/kubelet/timing.js';
import type { Container, PodSpec } from '../../../src/sim/kubelet/types.js';

describe('quantities', () => {
  it('parses memory and CPU like Kubernetes', () => {
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('129e6')).toBe(129e6);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('0.5')).toBe(0.5);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity('12 Mi')).toBeUndefined();
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

describe('QoS classes', () => {
  const pod = (...resources: Container['resources'][]): PodSpec => ({
    containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })),
  });
  it('is BestEffort without requests or limits', () => {
    expect(podQosClass(pod(undefined, {}))).toBe('BestEffort');
  });
  it('is Guaranteed when every container limits cpu and memory and requests equal limits', () => {
    expect(
      podQosClass(pod({ requests: { memory: '1Gi', cpu: '1000m' }, limits: { memory: '1Gi', cpu: '1' } })),
    ).toBe('Guaranteed');
    // Requests left out default to the limits.
    expect(podQosClass(pod({ limits: { memory: '1Gi', cpu: '1' } }))).toBe('Guaranteed');
  });
  it('is Burstable otherwise: requests below limits, a missing limit, or one container without any', () => {
    expect(
      podQosClass(
        pod({ requests: { memory: '512Mi', cpu: '500m' }, limits: { memory: '2Gi', cpu: '2000m' } }),
      ),
    ).toBe('Burstable');
    expect(podQosClass(pod({ requests: { memory: '512Mi' } }))).toBe('Burstable');
    expect(podQosClass(pod({ limits: { memory: '1Gi' } }))).toBe('Burstable');
    expect(podQosClass(pod({ limits: { memory: '1Gi', cpu: '1' } }, {}))).toBe('Burstable');
  });
  it('counts init containers too', () => {
    const spec = pod({ limits: { memory: '1Gi', cpu: '1' } });
    spec.initContainers = [{ name: 'init', image: 'x', resources: { requests: { cpu: '100m' } } }];
    expect(podQosClass(spec)).toBe('Burstable');
  });
});

describe('crash-loop back-off', () => {
  it('restarts at once the first time, then waits 10 s, 20 s, 40 s... up to 5 min after each finish', () => {
    const backoff = new RestartBackoff(10_000, 300_000);
    let t = 1_000_000;
    expect(backoff.waitMs(t, t)).toBe(0);
    backoff.restarted(t);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      t += 1_000; // the container runs for a second, then crashes
      const wait = backoff.waitMs(t, t);
      waits.push(wait);
      t += wait;
      backoff.restarted(t - wait);
    }
    expect(waits).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    // After running longer than twice the maximum, it starts over.
    expect(backoff.waitMs(t + 700_000, t + 700_000)).toBe(0);
  });
  it('prints durations as Go does', () => {
    expect(goDuration(10_000)).toBe('10s');
    expect(goDuration(80_000)).toBe('1m20s');
    expect(goDuration(300_000)).toBe('5m0s');
    expect(goDuration(300)).toBe('300ms');
  });
});

describe('logs', () => {
  it('writes CRI records with real times and reads them back for --timestamps, --since and --tail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'churn-logs-'));
    try {
      const file = join(dir, '0.log');
      const writer = new LogWriter(file);
      writer.write('stdout', Buffer.from('first line\nsecond'));
      writer.write('stderr', Buffer.from('an error\n'));
      writer.write('stdout', Buffer.from('\n'));
      // A character split between two chunks of output.
      const euro = Buffer.from('€ third line\n');
      writer.write('stdout', euro.subarray(0, 1));
      writer.write('stdout', euro.subarray(1));
      writer.write('stdout', Buffer.from('x'.repeat(20_000)));
      await writer.close();
      const text = await readFile(file, 'utf8');
      expect(text.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F first line$/);
      expect(text).toContain(' stdout P xxxx');
      const entries = parseLog(text);
      expect(entries.map((e) => [e.stream, e.content.slice(0, 40), e.content.length])).toEqual([
        ['stdout', 'first line', 10],
        ['stderr', 'an error', 8],
        ['stdout', 'second', 6],
        ['stdout', '€ third line', 12],
        ['stdout', 'x'.repeat(40), 20_000],
      ]);
      expect(await readLog(file, { tailLines: 2 })).toBe(`€ third line\n${'x'.repeat(20_000)}\n`);
      expect((await readLog(file, { timestamps: true })).split('\n')[0]).toBe(
        `${entries[0]!.time} first line`,
      );
      expect(await readLog(file, { since: Date.now() + 60_000 })).toBe('');
      expect(await readLog(file, { since: entries[0]!.time, limitBytes: 5 })).toBe('first');
      const part = await readLogFrom(file, 0);
      expect(part.entries).toHaveLength(5);
      expect(await readLogFrom(file, part.offset)).toEqual({ entries: [], offset: part.offset });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('images and commands', () => {
  it('knows the churn-labs images and their default commands', () => {
    const api = resolveImage('churn-labs/churn-api:0.2.0');
    expect(api).toMatchObject({
      reference: 'docker.io/churn-labs/churn-api:0.2.0',
      runnable: true,
      cmd: ['churn-mlops', 'api'],
      workingDir: '/app',
      env: { CHURN_MLOPS_VERSION: '0.2.0' },
    });
    expect(resolveImage('docker.io/churn-labs/churn-ml:0.1.0').cmd).toEqual(['churn-mlops', '--help']);
    // As `up --registry` pushes them: the same workload, pulled from the registry.
    expect(resolveImage('localhost:5001/churn-labs/churn-api:0.2.0')).toMatchObject({
      reference: 'localhost:5001/churn-labs/churn-api:0.2.0',
      runnable: true,
      present: true,
      cmd: ['churn-mlops', 'api'],
    });
    expect(resolveImage('ghcr.io/acme/class/churn-labs/churn-ml:0.1.0').cmd).toEqual([
      'churn-mlops',
      '--help',
    ]);
    expect(resolveImage('ghcr.io/acme/churn-labs/churn-api:9.9.9').present).toBe(false);
    expect(resolveImage('docker.io/other/churn-labs/churn-api:0.1.0').runnable).toBe(false);
    expect(resolveImage('nginx')).toMatchObject({
      reference: 'docker.io/library/nginx:latest',
      runnable: false,
    });
    expect(resolveImage('registry.k8s.io/metrics-server/metrics-server:v0.7.2').reference).toBe(
      'registry.k8s.io/metrics-server/metrics-server:v0.7.2',
    );
  });
  it('builds argv as a container runtime does: command replaces ENTRYPOINT, args replace CMD', () => {
    const image = { ...resolveImage('churn-labs/churn-ml:0.1.0'), entrypoint: ['/entry'] };
    const c = (command?: string[], args?: string[]): Container => ({ name: 'c', image: 'x', command, args });
    expect(containerArgv(c(), image)).toEqual(['/entry', 'churn-mlops', '--help']);
    expect(containerArgv(c(undefined, ['batch-score']), image)).toEqual(['/entry', 'batch-score']);
    expect(containerArgv(c(['churn-mlops']), image)).toEqual(['churn-mlops']);
    expect(containerArgv(c(['churn-mlops'], ['seed-model']), image)).toEqual(['churn-mlops', 'seed-model']);
  });
  it('runs churn-mlops through the shim and shells as the local sh', () => {
    expect(hostArgv(['churn-mlops', 'api'], '/shim/churn-mlops')).toEqual(['/shim/churn-mlops', 'api']);
    expect(hostArgv(['/usr/local/bin/churn-mlops', 'api'], '/s')).toEqual(['/s', 'api']);
    expect(hostArgv(['/bin/sh', '-c', 'echo hi'], '/s')).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(hostArgv(['sh', '-c', 'x'], '/s')).toEqual(['/bin/sh', '-c', 'x']);
  });
  it('expands $(VAR) references as Kubernetes does', () => {
    const env = { A: 'one', B: 'two' };
    expect(expandReferences('$(A)-$(B)', env)).toBe('one-two');
    expect(expandReferences('$(C) $$(A) $A', env)).toBe('$(C) $(A) $A');
  });
  it('splits simple shell commands and refuses what needs a real shell', () => {
    expect(splitSimpleCommand(`ls -l '/app/my data' "$X"`, { X: 'y' })).toEqual([
      'ls',
      '-l',
      '/app/my data',
      'y',
    ]);
    expect(splitSimpleCommand('ls | wc -l', {})).toBeUndefined();
    expect(splitSimpleCommand('ls *.csv', {})).toBeUndefined();
    expect(splitSimpleCommand('echo "unclosed', {})).toBeUndefined();
  });
});

describe('pod phase', () => {
  const waiting = (reason: string, lastExit?: number): ContainerView => ({
    name: 'c',
    image: 'x',
    imageID: '',
    state: { waiting: { reason } },
    lastState:
      lastExit === undefined ? {} : { terminated: { exitCode: lastExit, reason: 'Error', finishedAt: 'x' } },
    ready: false,
    started: false,
    restartCount: lastExit === undefined ? 0 : 1,
  });
  const terminated = (exitCode: number): ContainerView => ({
    ...waiting(''),
    state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: 'x' } },
  });
  const phase = (policy: PodSpec['restartPolicy'], c: ContainerView) =>
    podPhase({
      spec: { restartPolicy: policy, containers: [{ name: 'c', image: 'x' }] },
      previous: undefined,
      hostIP: 'h',
      sandboxReady: true,
      initContainers: [],
      containers: [c],
    });
  it('follows getPhase', () => {
    expect(phase('Always', waiting('ContainerCreating'))).toBe('Pending');
    expect(phase('Always', waiting('CrashLoopBackOff', 1))).toBe('Running');
    expect(phase('Never', terminated(0))).toBe('Succeeded');
    expect(phase('Never', terminated(137))).toBe('Failed');
    expect(phase('OnFailure', terminated(1))).toBe('Running');
    expect(phase('Always', terminated(0))).toBe('Running');
  });
});
