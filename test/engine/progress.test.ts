import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  answeredQuestions,
  emptyProgress,
  forgetQuizAnswers,
  isDone,
  nextExercise,
  recordHint,
  recordPassedSteps,
  recordQuiz,
  recordQuizAnswer,
  resetExercise,
} from '../../src/course/progress.js';
import { exerciseSchema } from '../../src/course/schema.js';
import { loadProgress, updateProgress } from '../../src/files/progress-store.js';

const exercise = (id: string, steps: string[]) =>
  exerciseSchema.parse({
    id,
    title: id,
    seed: 'x',
    intro: 'x',
    steps: steps.map((s) => ({
      id: s,
      title: s,
      instructions: 'x',
      checks: [{ id: 'c', title: 'c', type: 'exists', kind: 'Namespace', name: 'x' }],
      hints: ['h'],
      solution: ['true'],
    })),
  });

describe('progress transitions', () => {
  const a = exercise('a', ['one', 'two']);
  const b = exercise('b', ['one']);

  it('a step that passed once stays passed, and the exercise completes with its last step', () => {
    const at = new Date('2026-11-24T10:00:00Z');
    let p = recordPassedSteps(emptyProgress(), a, ['one'], at);
    expect(isDone(p, a)).toBe(false);
    p = recordPassedSteps(p, a, ['one', 'two'], new Date('2026-11-24T11:00:00Z'));
    expect(p.exercises.a!.steps.one).toBe('2026-11-24T10:00:00.000Z');
    expect(isDone(p, a)).toBe(true);
    expect(p.exercises.a!.completedAt).toBe('2026-11-24T11:00:00.000Z');
    expect(nextExercise(p, [a, b])?.id).toBe('b');
  });

  it('keeps the best quiz score and counts attempts; hints only go up', () => {
    let p = recordQuiz(emptyProgress(), 'section-19', 12, 20);
    p = recordQuiz(p, 'section-19', 9, 20);
    expect(p.quizzes['section-19']).toMatchObject({ best: 12, lastScore: 9, attempts: 2, max: 20 });
    p = recordHint(recordHint(p, 'a', 'one', 2), 'a', 'one', 1);
    expect(p.exercises.a!.hints.one).toBe(2);
  });

  it("keeps a quiz attempt's answers until the attempt is over, and counts them", () => {
    const quiz = { id: 'section-19', questions: [{ id: 'q1' }, { id: 'q2' }, { id: 'q3' }] } as Parameters<
      typeof answeredQuestions
    >[1];
    let p = recordQuizAnswer(emptyProgress(), 'section-19', 'q1', 'B');
    p = recordQuizAnswer(p, 'section-19', 'q2', false);
    p = recordQuizAnswer(p, 'other', 'q1', 'text');
    expect(p.quizAnswers).toEqual({ 'section-19': { q1: 'B', q2: false }, other: { q1: 'text' } });
    expect(answeredQuestions(p, quiz)).toBe(2);
    p = forgetQuizAnswers(p, 'section-19');
    expect(p.quizAnswers).toEqual({ other: { q1: 'text' } });
    expect(answeredQuestions(p, quiz)).toBe(0);
    expect(forgetQuizAnswers(p, 'other').quizAnswers).toBeUndefined();
    expect(resetExercise(recordQuizAnswer(p, 'section-19', 'q1', 'A'))).toEqual(emptyProgress());
  });

  it('resets one exercise or everything', () => {
    let p = recordPassedSteps(recordPassedSteps(emptyProgress(), a, ['one', 'two']), b, ['one']);
    p = recordQuiz(p, 'section-19', 5, 20);
    expect(Object.keys(resetExercise(p, 'a').exercises)).toEqual(['b']);
    expect(resetExercise(p)).toEqual(emptyProgress());
  });
});

describe('the progress file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-progress-'));
    file = join(dir, 'progress.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts fresh when there is none, and writes a versioned file', async () => {
    expect((await loadProgress(file)).progress).toEqual(emptyProgress());
    await updateProgress(file, (p) => recordQuiz(p, 'section-19', 3, 20));
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written.version).toBe(1);
    expect(written.quizzes['section-19'].best).toBe(3);
  });

  it('creates the state folder on the first write', async () => {
    const nested = join(dir, 'not', 'yet', 'there', 'progress.json');
    await updateProgress(nested, (p) => recordQuiz(p, 'section-19', 2, 20));
    expect(JSON.parse(await readFile(nested, 'utf8')).quizzes['section-19'].best).toBe(2);
  });

  it('moves a corrupted file aside with a warning and starts a fresh one', async () => {
    await writeFile(file, '{"version": 1, "exercises": {"a": ');
    const loaded = await updateProgress(file, (p) => recordQuiz(p, 'section-19', 1, 20));
    expect(loaded.warning).toMatch(
      /could not be read \(it is not valid JSON\)\. It was moved to .*progress\.json\.corrupt-/,
    );
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('progress.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), 'utf8')).toBe('{"version": 1, "exercises": {"a": ');
    expect(JSON.parse(await readFile(file, 'utf8')).quizzes['section-19'].best).toBe(1);
  });

  it('moves aside a file of the wrong shape too', async () => {
    await writeFile(file, JSON.stringify({ version: 1, exercises: [], quizzes: {} }));
    const loaded = await loadProgress(file);
    expect(loaded.warning).toMatch(/exercises: /);
    await writeFile(
      file,
      JSON.stringify({ version: 1, exercises: {}, quizzes: {}, quizAnswers: { s: ['B'] } }),
    );
    expect((await loadProgress(file)).warning).toMatch(/quizAnswers\.s: expected a mapping/);
    await writeFile(file, JSON.stringify({ version: 1, exercises: {}, quizzes: {}, position: { quiz: 3 } }));
    expect((await loadProgress(file)).warning).toMatch(/position\.quiz: expected text/);
    await writeFile(file, '[]');
    expect((await loadProgress(file)).warning).toMatch(
      /^Your progress file could not be read \(it is not a JSON object\)\./,
    );
  });

  it('refuses to touch a file written by a newer churn-labs', async () => {
    await writeFile(file, JSON.stringify({ version: 99, exercises: {}, quizzes: {} }));
    await expect(updateProgress(file, (p) => p)).rejects.toThrow(
      /written by a newer churn-labs \(format 99\)/,
    );
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(99);
  });

  it('loses no update when several processes write at once', async () => {
    // Bundle the store into a script and run four real processes, each recording 15 quiz ids.
    const script = join(dir, 'writer.mjs');
    await esbuild.build({
      stdin: {
        contents: `import { updateProgress } from './src/files/progress-store.ts';
          import { recordQuiz } from './src/course/progress.ts';
          const [file, who] = process.argv.slice(2);
          for (let i = 0; i < 15; i++) await updateProgress(file, (p) => recordQuiz(p, who + '-' + i, i, 15));`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    await Promise.all(['w1', 'w2', 'w3', 'w4'].map((who) => execa('node', [script, file, who])));
    const quizzes = Object.keys(JSON.parse(await readFile(file, 'utf8')).quizzes);
    expect(quizzes).toHaveLength(60);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });
});
