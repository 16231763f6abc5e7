import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { flushClassroom } from '../../src/classroom/learner.js';
import { ProgressSync } from '../../src/classroom/progress-sync.js';
import { findExercise } from '../../src/course/course.js';
import { emptyProgress, recordHint, recordPassedSteps } from '../../src/course/progress.js';
import { onProgressWritten, updateProgress } from '../../src/files/progress-store.js';
import { openLab } from '../../src/lab.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';

/**
 * A classroom learner's app keeps their progress also in the ConfigMap churn-labs-progress of
 * their namespace: every change the progress file takes, and back from it on a new machine.
 */
let sim: Simulator;
let dir: string;
let learnerConfig: string;

const kubectl = async (args: string[], input?: string) =>
  execa('kubectl', ['--kubeconfig', sim.kubeconfig, '--context', sim.context, ...args], {
    reject: false,
    input: input ?? '',
  });

const readConfigMap = async () => {
  const got = await kubectl([
    'get',
    'configmap',
    'churn-labs-progress',
    '-n',
    'churn-mlops-ana',
    '-o',
    'json',
  ]);
  return JSON.parse(got.stdout) as { data: Record<string, string>; metadata: { resourceVersion: string } };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'churn-labs-sync-'));
  sim = await startSimulator({ home: join(dir, 'sim'), controllers: false });
  await kubectl(['create', 'namespace', 'churn-mlops-ana']);
  // The learner's kubeconfig as classroom create writes it: one context with the churn-labs
  // extension (here with the simulator's own credentials).
  const admin = parse(await readFile(sim.kubeconfig, 'utf8'));
  const context = admin.contexts.find((c: { name: string }) => c.name === sim.context).context;
  learnerConfig = join(dir, 'ana.kubeconfig');
  await writeFile(
    learnerConfig,
    stringify({
      ...admin,
      contexts: [
        {
          name: 'churn-labs-ana',
          context: {
            ...context,
            namespace: 'churn-mlops-ana',
            extensions: [{ name: 'churn-labs', extension: { learner: 'ana', namespace: 'churn-mlops-ana' } }],
          },
        },
      ],
      'current-context': 'churn-labs-ana',
    }),
  );
}, 60_000);

afterAll(async () => {
  onProgressWritten(undefined);
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a classroom learner's progress", () => {
  it('is written to the ConfigMap in their namespace with every change, the newest last', async () => {
    const home = join(dir, 'machine-1');
    const lab = await openLab({ kubeconfig: learnerConfig, context: 'churn-labs-ana', home, warn: () => {} });
    expect(lab.classroom).toEqual({ learner: 'ana' });
    expect(lab.namespace).toBe('churn-mlops-ana');
    const deploy = findExercise(lab.course, 'deploy-system');
    // Changes in a burst: each is kept on disk at once, and the ConfigMap ends with the last.
    await updateProgress(lab.paths.progress, (p) => recordHint(p, 'deploy-system', 'namespace', 1));
    await updateProgress(lab.paths.progress, (p) => recordPassedSteps(p, deploy, ['namespace']));
    await updateProgress(lab.paths.progress, (p) => recordHint(p, 'deploy-system', 'apply', 2));
    await flushClassroom();
    const local = await readFile(lab.paths.progress, 'utf8');
    const configMap = await readConfigMap();
    expect(configMap.data['progress.json']).toBe(local);
    expect(JSON.parse(local).exercises['deploy-system'].hints).toEqual({ namespace: 1, apply: 2 });
    expect(Date.parse(configMap.data.updated!)).toBeGreaterThan(Date.now() - 60_000);
    // Replaced in place, not made again: another change moves its resourceVersion on.
    await updateProgress(lab.paths.progress, (p) => recordHint(p, 'deploy-system', 'apply', 3));
    await flushClassroom();
    const after = await readConfigMap();
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(
      Number(configMap.metadata.resourceVersion),
    );
    expect(JSON.parse(after.data['progress.json']!).exercises['deploy-system'].hints.apply).toBe(3);
  });

  it('comes back from the cluster on a machine with none', async () => {
    const home = join(dir, 'machine-2');
    const lab = await openLab({ kubeconfig: learnerConfig, context: 'churn-labs-ana', home, warn: () => {} });
    expect(existsSync(lab.paths.progress)).toBe(true);
    const local = JSON.parse(await readFile(lab.paths.progress, 'utf8'));
    expect(local.exercises['deploy-system'].steps).toHaveProperty('namespace');
    expect(local.exercises['deploy-system'].hints.apply).toBe(3);
  });

  it("is not touched by a lab that is not a classroom learner's", async () => {
    const before = await readConfigMap();
    const lab = await openLab({
      kubeconfig: sim.kubeconfig,
      context: sim.context,
      home: join(dir, 'admin'),
      warn: () => {},
    });
    expect(lab.classroom).toBeUndefined();
    await updateProgress(lab.paths.progress, (p) => recordHint(p, 'deploy-system', 'namespace', 1));
    await flushClassroom();
    expect((await readConfigMap()).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('warns once when the cluster refuses, and writes again with the next change', async () => {
    const warnings: string[] = [];
    const target = { context: sim.context, kubeconfig: sim.kubeconfig };
    const sync = new ProgressSync(target, 'churn-mlops-nobody', 'nobody', (m) => warnings.push(m));
    sync.push(emptyProgress());
    await sync.flush();
    sync.push(emptyProgress());
    await sync.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /could not be saved to the class's cluster .*churn-mlops-nobody.*namespaces "churn-mlops-nobody" not found/,
    );
    await kubectl(['create', 'namespace', 'churn-mlops-nobody']);
    sync.push(emptyProgress());
    await sync.flush();
    const got = await kubectl([
      'get',
      'configmap',
      'churn-labs-progress',
      '-n',
      'churn-mlops-nobody',
      '-o',
      'name',
    ]);
    expect(got.stdout).toBe('configmap/churn-labs-progress');
    expect(warnings).toHaveLength(1);
  });

  it('writes again after a conflict (the ConfigMap changed since it was read)', async () => {
    // Two machines of one learner writing at once: each write is a read then a replace at that
    // resourceVersion, so they race; the API server refuses the stale one with 409 and it retries.
    const target = { context: sim.context, kubeconfig: sim.kubeconfig };
    const warnings: string[] = [];
    const one = new ProgressSync(target, 'churn-mlops-ana', 'ana', (m) => warnings.push(m), 20);
    const two = new ProgressSync(target, 'churn-mlops-ana', 'ana', (m) => warnings.push(m), 20);
    for (let round = 0; round < 4; round++) {
      one.push(emptyProgress());
      two.push({ ...emptyProgress(), quizzes: {} });
      await Promise.all([one.flush(), two.flush()]);
    }
    expect(warnings).toEqual([]);
  });
});
