import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, churnLabs, tempHome } from '../cli/helpers.js';

/** Black-box: the built program grades answers files as the CLI contract says (run `npm run build` first). */
const ANSWERS = join(process.cwd(), 'test', 'content', 'answers');

describe('churn-labs quiz section-19 --answers', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before these tests.`);
    env = await tempHome();
  });
  afterAll(() => env.cleanup());
  const quiz = (...args: string[]) => churnLabs(['quiz', ...args], { home: env.home });
  const answers = async (name: string, text: string) => {
    const file = join(env.home, name);
    await writeFile(file, text);
    return file;
  };
  const json = (stdout: string) =>
    JSON.parse(stdout) as {
      quiz: string;
      score: number;
      max: number;
      percent: number;
      questions: { id: string; score: number; max: number; feedback: string }[];
    };

  it('keeps the grade of an answers file apart from the attempts made in the app', async () => {
    const home = await tempHome();
    try {
      await churnLabs(['quiz', 'section-19', '--answers', join(ANSWERS, 'paraphrased.yaml')], {
        home: home.home,
      });
      const progress = await churnLabs(['progress', '--json'], { home: home.home });
      const quiz = (
        JSON.parse(String(progress.stdout)) as {
          quizzes: { attempts: number; best: number | null; file: { score: number; max: number } | null }[];
        }
      ).quizzes[0]!;
      expect(quiz.attempts).toBe(0);
      expect(quiz.best).toBeNull();
      expect(quiz.file?.score).toBe(quiz.file?.max);
      const text = await churnLabs(['progress'], { home: home.home });
      expect(text.stdout).toMatch(/Quiz section-19: not taken yet; last answers file graded (\d+) \/ \1/);
    } finally {
      await home.cleanup();
    }
  });

  it("grades right answers in a learner's words: one JSON document of the contract's shape, full marks, exit 0", async () => {
    const result = await quiz('section-19', '--answers', join(ANSWERS, 'paraphrased.yaml'), '--json');
    expect(result.exitCode).toBe(0);
    const graded = json(String(result.stdout));
    expect(Object.keys(graded)).toEqual(['quiz', 'score', 'max', 'percent', 'questions']);
    expect(graded).toMatchObject({ quiz: 'section-19', percent: 100 });
    expect(graded.score).toBe(graded.max);
    expect(graded.questions.map((q) => q.id)).toEqual(Array.from({ length: 23 }, (_, i) => `q${i + 1}`));
    for (const q of graded.questions) {
      expect(Object.keys(q)).toEqual(['id', 'score', 'max', 'feedback']);
      expect(typeof q.feedback).toBe('string');
    }
  });

  it('grades wrong answers 0 and still exits 0; the default quiz is section-19', async () => {
    const result = await quiz('--answers', join(ANSWERS, 'wrong.yaml'), '--json');
    expect(result.exitCode).toBe(0);
    const graded = json(String(result.stdout));
    expect(graded).toMatchObject({ quiz: 'section-19', score: 0, percent: 0 });
    expect(graded.questions.every((q) => q.score === 0)).toBe(true);
  });

  it('gives partial credit and names the missed point', async () => {
    const file = await answers('partial.yaml', 'q3: The container is OOMKilled and restarted.\n');
    const graded = json(String((await quiz('section-19', '--answers', file, '--json')).stdout));
    const q3 = graded.questions.find((q) => q.id === 'q3')!;
    expect(q3).toMatchObject({ score: 2, max: 3 });
    expect(q3.feedback).toMatch(/Missed: kubectl describe pod/);
    expect(graded.questions.find((q) => q.id === 'q1')!.feedback).toBe('Not answered.');
  });

  it('scores a q5 that is not valid YAML 0 with its line, grades the rest, exits 0', async () => {
    const file = await answers(
      'broken-q5.yaml',
      'q1: B\nq5: |\n  apiVersion: v1\n  kind: PersistentVolumeClaim\n  spec:\n    accessModes: [ReadWriteOnce\n',
    );
    const result = await quiz('section-19', '--answers', file, '--json');
    expect(result.exitCode).toBe(0);
    const graded = json(String(result.stdout));
    expect(graded.questions.find((q) => q.id === 'q5')).toMatchObject({ score: 0, max: 13 });
    expect(graded.questions.find((q) => q.id === 'q5')!.feedback).toMatch(/line \d+ of the answer/);
    expect(graded.score).toBe(1);
  });

  it('prints the model answer and the explanation after grading, without --json', async () => {
    const result = await quiz('section-19', '--answers', join(ANSWERS, 'wrong.yaml'));
    expect(result.exitCode).toBe(0);
    const out = String(result.stdout);
    expect(out).toMatch(/^Section 19 quiz: .*: 0 \/ \d+ \(0%\)/);
    expect(out).toContain('Model answer: ```yaml');
    expect(out).toMatch(/Why: This corrects two mistakes in the course text's model answer/);
  });

  it('refuses an unknown question id with exit 2, naming the file and line', async () => {
    const file = await answers('unknown.yaml', 'q1: B\nq42: A\n');
    const result = await quiz('section-19', '--answers', file, '--json');
    expect(result.exitCode).toBe(2);
    expect(String(result.stdout)).toBe('');
    expect(String(result.stderr)).toContain(`${file}:2: "q42" is not a question of quiz section-19`);
    expect(String(result.stderr)).not.toMatch(/\n\s+at /);
  });

  it('refuses an answers file that is not YAML, a missing file and an unknown quiz with exit 2', async () => {
    const broken = await answers('broken.yaml', 'q1: B\nq2: [true\n');
    const notYaml = await quiz('section-19', '--answers', broken, '--json');
    expect(notYaml.exitCode).toBe(2);
    expect(String(notYaml.stderr)).toMatch(new RegExp(`${broken}:\\d+: the answers file is not valid YAML`));
    const missing = await quiz('section-19', '--answers', join(env.home, 'nope.yaml'), '--json');
    expect(missing.exitCode).toBe(2);
    expect(String(missing.stderr)).toMatch(/does not exist/);
    const unknownQuiz = await quiz('section-20', '--answers', join(ANSWERS, 'wrong.yaml'), '--json');
    expect(unknownQuiz.exitCode).toBe(2);
    expect(String(unknownQuiz.stderr)).toMatch(/There is no quiz "section-20"/);
  });
});
