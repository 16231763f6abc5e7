import { execFileSync } from 'node:child_process';
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
    expect(q3.feedback).toMatch(
      /Missed: you see it with kubectl describe pod.*\(nothing in your answer says it\)/,
    );
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

  it('refuses a YAML alias bomb, and more than 100 alias expansions, with exit 2 and a sentence', async () => {
    // Each level is ten of the one above: 10^5 lists if it were expanded.
    const levels = ['  a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of ['b', 'c', 'd', 'e'].entries()) {
      const above = 'abcd'[i]!;
      levels.push(`  ${name}: &${name} [${Array.from({ length: 10 }, () => `*${above}`).join(', ')}]`);
    }
    const bomb = await answers('bomb.yaml', `q5:\n${levels.join('\n')}\n`);
    const many = await answers(
      'aliases.yaml',
      `q5:\n  a: &a x\n${Array.from({ length: 101 }, (_, i) => `  k${i}: *a`).join('\n')}\n`,
    );
    for (const file of [bomb, many]) {
      const started = Date.now();
      const result = await quiz('section-19', '--answers', file, '--json');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.exitCode).toBe(2);
      expect(String(result.stderr)).toContain(
        `${file}: the answers file expands YAML aliases (*name) more than 100 times. Write each answer out in full.`,
      );
      expect(String(result.stderr)).not.toMatch(/internal error|\n\s+at /);
    }
    // A few aliases are only a way of writing: graded as usual.
    const few = await answers('few.yaml', 'q1: &b B\nq11: *b\n');
    const graded = await quiz('section-19', '--answers', few, '--json');
    expect(graded.exitCode).toBe(0);
    expect(json(String(graded.stdout)).score).toBe(2);
  });

  it('finds a question answered twice in linear time: 40,000 keys are refused at once, with the lines', async () => {
    const file = await answers(
      'many.yaml',
      `q1: B\n${Array.from({ length: 40_000 }, (_, i) => `q${(i % 23) + 1}: A`).join('\n')}\n`,
    );
    const started = Date.now();
    const result = await quiz('section-19', '--answers', file, '--json');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(
      `${file}:2: q1 is answered twice (first on line 1). Keep one answer per question.`,
    );
  });

  it('refuses a FIFO, a folder and a file over 2 MB with exit 2 and a sentence, without reading for ever', async () => {
    const fifo = join(env.home, 'answers.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const result = await quiz('section-19', '--answers', fifo, '--json');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr)).toContain(
      `Cannot read the answers file ${fifo}: it is not a regular file (a FIFO)`,
    );
    const folder = await quiz('section-19', '--answers', env.home, '--json');
    expect(folder.exitCode).toBe(2);
    expect(String(folder.stderr)).toMatch(/it is (a folder|not a regular file \(a folder\))/);
    const huge = await answers('huge.yaml', `q3: "${'x'.repeat(3 * 1024 * 1024)}"\n`);
    const big = await quiz('section-19', '--answers', huge, '--json');
    expect(big.exitCode).toBe(2);
    expect(String(big.stderr)).toContain(
      `The answers file ${huge} is 3.0 MB; an answers file is at most 2 MB.`,
    );
  });

  it('grades a 1 MB answers file in under 2 s, reading 20 KB of each short answer and saying so', async () => {
    const shortIds = ['q3', 'q4', 'q8', 'q10', 'q12', 'q15', 'q16', 'q20', 'q23'];
    const sentence =
      'The container is killed by the OOM killer and the kubelet restarts it, as describe shows. ';
    const long = sentence.repeat(Math.ceil((1024 * 1024) / shortIds.length / sentence.length));
    const file = await answers('long.yaml', shortIds.map((id) => `${id}: "${long}"`).join('\n'));
    const started = Date.now();
    const result = await quiz('section-19', '--answers', file, '--json');
    const took = Date.now() - started;
    expect(result.exitCode).toBe(0);
    // A new Node process included; the grading itself is measured by npm run bench.
    expect(took).toBeLessThan(4000);
    const q3 = json(String(result.stdout)).questions.find((q) => q.id === 'q3')!;
    expect(q3.score).toBe(3);
    expect(q3.feedback).toMatch(
      /Only the first 20 KB of this answer were read; the other \d+ KB were not graded\./,
    );
  });
});
