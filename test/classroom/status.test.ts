import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../cli/helpers.js';
import { type Classroom, startClassroom } from './helpers.js';

/**
 * classroom status and export read what the learners' apps keep in the cluster: each learner's
 * namespace and the progress ConfigMap in it. Here the progress is written as a learner's app
 * writes it, and the namespaces as classroom create labels them.
 */
let room: Classroom;

const labels = (name: string) => ({
  'app.kubernetes.io/managed-by': 'churn-labs',
  'churn-labs.dev/learner': name,
});

const ana = {
  version: 1,
  exercises: {
    'deploy-system': { steps: { namespace: '2026-01-05T10:00:00.000Z' }, hints: { apply: 2 } },
    'incident-bad-image': {
      steps: { heal: '2026-01-05T11:00:00.000Z' },
      hints: {},
      brokenAt: '2026-01-05T10:30:00.000Z',
      completedAt: '2026-01-05T11:00:00.000Z',
    },
  },
  quizzes: {
    'section-19': { best: 18, max: 25, attempts: 2, lastScore: 12, lastAt: '2026-01-05T12:00:00.000Z' },
  },
  position: { exercise: 'deploy-system', step: 'apply' },
};

function learner(name: string, progress: string | undefined, updated?: string) {
  const namespace = `churn-mlops-${name}`;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: labels(name) } },
    ...(progress === undefined
      ? []
      : [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'churn-labs-progress', namespace, labels: labels(name) },
            data: { 'progress.json': progress, ...(updated ? { updated } : {}) },
          },
        ]),
  ];
}

beforeAll(async () => {
  room = await startClassroom();
  const items = [
    ...learner('ana', JSON.stringify(ana), '2026-01-05T12:00:00.000Z'),
    ...learner('bob', JSON.stringify({ version: 1, exercises: {}, quizzes: {} })),
    ...learner('cy', '{not json'),
    // Not a learner: no managed-by label.
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'churn-mlops-dan' } },
  ];
  const applied = await room.kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
  );
  expect(applied.stderr).toBe('');
  // ana's current step (deploy-system/apply) reads the Deployment churn-api: one in her namespace only.
  await room.kubectl([
    'create',
    'deployment',
    'churn-api',
    '--image=churn-labs/churn-api:0.1.0',
    '-n',
    'churn-mlops-bob',
  ]);
}, 120_000);

afterAll(async () => {
  await room?.stop();
});

describe('classroom status', () => {
  it("prints the contract JSON, with each learner's place, checks, incidents and quiz", async () => {
    const run = await room.churnLabs(['classroom', 'status', '--json']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const { learners } = JSON.parse(run.stdout);
    expect(learners.map((l: { name: string }) => l.name)).toEqual(['ana', 'bob', 'cy']);
    const [a, b, c] = learners;
    expect(Object.keys(a).slice(0, 4)).toEqual(['name', 'namespace', 'exercises', 'quiz']);
    expect(a.namespace).toBe('churn-mlops-ana');
    expect(a.exercises).toHaveLength(19);
    expect(a.exercises[0]).toEqual({ id: 'deploy-system', status: 'todo' });
    expect(a.exercises.find((e: { id: string }) => e.id === 'incident-bad-image')).toEqual({
      id: 'incident-bad-image',
      status: 'done',
    });
    expect(a.quiz).toEqual({ score: 18, max: 25 });
    expect(a.incidentsSolved).toBe(1);
    expect(a.hints).toBe(2);
    expect(a.lastActivity).toBe('2026-01-05T12:00:00.000Z');
    expect(a.current.exercise).toBe('deploy-system');
    expect(a.current.step).toBe('apply');
    // Judged on her namespace, where nothing is applied yet.
    expect(a.current.checks.length).toBeGreaterThan(0);
    expect(a.current.checks.every((check: { passed: boolean | null }) => check.passed === false)).toBe(true);
    // bob is on the first step: his namespace exists, in his namespace, not churn-mlops.
    expect(b.quiz).toBeNull();
    expect(b.lastActivity).toBeNull();
    expect(b.current).toMatchObject({ exercise: 'deploy-system', step: 'namespace' });
    expect(b.current.checks).toEqual([expect.objectContaining({ id: 'namespace-exists', passed: true })]);
    expect(c.problem).toBe('progress.json is not JSON');
  });

  it('prints a table that fits 80 columns', async () => {
    const run = await room.churnLabs(['classroom', 'status']);
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
    expect(run.stdout).toMatch(/^ana +0\/10 +1\/9 +18\/25 .*deploy-system\/apply/m);
    expect(run.stdout).toMatch(/^bob +0\/10 +0\/9 +- +never +deploy-system\/namespace +✓$/m);
    expect(run.stdout).toMatch(/progress\.json is not JSON/);
    expect(run.stdout).not.toContain('dan');
  });

  it('redraws with --watch until Ctrl-C', async () => {
    const child = execa(process.execPath, [CLI, 'classroom', 'status', '--watch', ...room.admin], {
      reject: false,
      env: { CHURN_LABS_HOME: room.home, NO_COLOR: '1' },
      extendEnv: true,
      timeout: 60_000,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    while ((output.match(/refreshes every 3 s/g) ?? []).length < 2) await sleep(100);
    child.kill('SIGINT');
    const ended = await child;
    expect(ended.exitCode).toBe(0);
    expect(output.match(/^ana /gm)).toHaveLength(2);
  }, 60_000);

  it('refuses --json with --watch', async () => {
    const run = await room.churnLabs(['classroom', 'status', '--json', '--watch']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/one document; leave out --watch/);
  });
});

describe('classroom export', () => {
  it('prints one JSON row per learner', async () => {
    const run = await room.churnLabs(['classroom', 'export']);
    expect(run.exitCode).toBe(0);
    const { learners } = JSON.parse(run.stdout);
    expect(learners[0]).toEqual({
      name: 'ana',
      namespace: 'churn-mlops-ana',
      exercisesDone: 0,
      exercises: 10,
      incidentsSolved: 1,
      incidents: 9,
      quiz: 'section-19',
      quizBest: 18,
      quizMax: 25,
      lastActivity: '2026-01-05T12:00:00.000Z',
    });
    expect(learners).toHaveLength(3);
  });

  it('prints CSV with a header', async () => {
    const run = await room.churnLabs(['classroom', 'export', '--csv']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\r\n')).toEqual([
      'name,namespace,exercisesDone,exercises,incidentsSolved,incidents,quiz,quizBest,quizMax,lastActivity',
      'ana,churn-mlops-ana,0,10,1,9,section-19,18,25,2026-01-05T12:00:00.000Z',
      'bob,churn-mlops-bob,0,10,0,9,section-19,,,',
      'cy,churn-mlops-cy,0,10,0,9,section-19,,,',
    ]);
  });
});

describe('classroom create refuses bad input', () => {
  const file = async (name: string, text: string) => {
    const dir = join(room.home, 'files');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };
  /** `classroom create --learners <list> --yes`. */
  const create = (learners: string) =>
    room.churnLabs(['classroom', 'create', '--learners', learners, '--yes']);

  it('names the bad line, with exit 2', async () => {
    const run = await create(await file('bad.txt', 'ana\n\nBob\n'));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/bad\.txt:3: "Bob" is not a learner's name/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a duplicate', async () => {
    const run = await create(await file('dup.txt', 'ana\nana\n'));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/dup\.txt:2: "ana" is there twice \(first on line 1\)/);
  });

  it('says so for a missing file or a folder', async () => {
    const missing = await create(join(room.home, 'nope.txt'));
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/there is no such file/);
    const folder = await create(room.home);
    expect(folder.exitCode).toBe(2);
    expect(folder.stderr).toMatch(/not a regular file/);
  });

  it('asks for --yes when there is no terminal, and makes nothing', async () => {
    const run = await room.churnLabs(['classroom', 'create', '--learners', await file('new.txt', 'eve\n')]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/make 1 learner namespace \(eve\).*pass --yes/s);
    const ns = await room.kubectl([
      'get',
      'namespace',
      'churn-mlops-eve',
      '--ignore-not-found',
      '-o',
      'name',
    ]);
    expect(ns.stdout).toBe('');
  });

  it("refuses a namespace of that name that is not the class's", async () => {
    const run = await create(await file('dan.txt', 'dan\n'));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/churn-mlops-dan exists .* not made by churn-labs classroom create/);
  });
});
