// Grading short answers (issue 14): agreement with the teacher on the graded corpus
// (test/content/corpus/), and the time to grade answers files of 1 KB, 100 KB and 1 MB, in the
// process (the grading itself, the English model already loaded) and through the CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SHORT = ['q3', 'q4', 'q8', 'q10', 'q12', 'q15', 'q16', 'q20', 'q23'];
const SENTENCES = [
  'The container is killed by the OOM killer and the kubelet restarts it; kubectl describe pod shows it.',
  'It runs every minute, so runs overlap and eat CPU and memory; it should run daily at 2am.',
  'Requests are what the scheduler reserves, limits are the maximum: CPU is throttled, memory is OOMKilled.',
  '- BestEffort first\n- then Burstable\n- Guaranteed last\n',
  '| probe | on failure |\n|---|---|\n| readiness | out of the endpoints, not restarted |\n',
];

/** An answers file of about `bytes`, its size spread over the short answers, in varied styles. */
export function answersFile(bytes) {
  const each = Math.floor(bytes / SHORT.length);
  const lines = ['q1: B', 'q2: true'];
  for (const [i, id] of SHORT.entries()) {
    let text = '';
    for (let k = i; text.length < each; k++) text += `${SENTENCES[k % SENTENCES.length]}\n`;
    lines.push(`${id}: |\n${text.slice(0, each).replace(/^/gm, '  ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function gradingBench({ root, cli, quick }) {
  const { build } = await import('esbuild');
  const entry = join(root, 'dist', '.bench-grading.mjs');
  await build({
    stdin: {
      contents: [
        "export { gradeQuiz, parseAnswers, prepareGrading } from './src/course/grade.ts';",
        "export { parseContent } from './src/course/load.ts';",
        "export { quizSchema } from './src/course/schema.ts';",
        "export { agreement, loadCorpus } from './test/content/corpus.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: entry,
    logLevel: 'silent',
    banner: {
      js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
    },
  });
  const m = await import(entry);
  rmSync(entry, { force: true });
  const { readFileSync } = await import('node:fs');
  const quiz = m.parseContent(
    m.quizSchema,
    readFileSync(join(root, 'quizzes', 'section-19.yaml'), 'utf8'),
    'quizzes/section-19.yaml',
  );
  const results = [];
  const record = (name, value, target, unit, pass) => results.push({ name, value, target, unit, pass });

  const loadStart = performance.now();
  await m.prepareGrading(quiz.questions);
  const load = performance.now() - loadStart;
  const measured = await m.agreement(quiz, m.loadCorpus(join(root, 'test', 'content', 'corpus')));
  const n = measured.answers;
  record(
    `corpus: within half a point of the teacher (${n} answers)`,
    measured.withinHalf * 100,
    '≥ 90%',
    '%',
    measured.withinHalf >= 0.9,
  );
  record(
    `corpus: within one point of the teacher (${n} answers)`,
    measured.withinOne * 100,
    '≥ 98%',
    '%',
    measured.withinOne >= 0.98,
  );
  record(
    `corpus: gross errors (${n} answers)`,
    measured.gross.length,
    '0',
    'answers',
    measured.gross.length === 0,
  );
  for (const [id, q] of Object.entries(measured.byQuestion))
    console.log(`     ${id}: ${(q.withinHalf * 100).toFixed(1)}% of ${q.answers} within half a point`);
  console.log(
    `     (the English model loads in ${Math.round(load)} ms, once, when a short answer is first graded)`,
  );

  const home = mkdtempSync(join(tmpdir(), 'churn-labs-bench-grading-'));
  try {
    const runs = quick ? 3 : 7;
    const sizes = [
      ['1 KB', 1024],
      ['100 KB', 100 * 1024],
      ['1 MB', 1024 * 1024],
    ];
    const times = {};
    for (const [label, bytes] of sizes) {
      const text = answersFile(bytes);
      const samples = [];
      m.gradeQuiz(quiz, m.parseAnswers(text, 'answers.yaml', quiz)); // warm-up
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        m.gradeQuiz(quiz, m.parseAnswers(text, 'answers.yaml', quiz));
        samples.push(performance.now() - start);
      }
      samples.sort((a, b) => a - b);
      times[label] = samples[Math.floor(samples.length / 2)];
      record(
        `grading a ${label} answers file (in-process)`,
        times[label],
        '≤ 2000 ms',
        'ms',
        times[label] <= 2000,
      );
      if (label === '1 MB') {
        const file = join(home, 'answers.yaml');
        writeFileSync(file, text);
        const env = { ...process.env, CHURN_LABS_HOME: home, NO_COLOR: '1' };
        const cliSamples = [];
        for (let i = 0; i < runs; i++) {
          const start = performance.now();
          const result = spawnSync(
            process.execPath,
            [cli, 'quiz', 'section-19', '--answers', file, '--json'],
            { env, stdio: 'ignore' },
          );
          cliSamples.push(performance.now() - start);
          if (result.status !== 0) throw new Error(`quiz --answers exited ${result.status}`);
        }
        cliSamples.sort((a, b) => a - b);
        const cliMs = cliSamples[Math.floor(cliSamples.length / 2)];
        record(
          'churn-labs quiz --answers, 1 MB (a new Node process, model included)',
          cliMs,
          '≤ 2000 ms',
          'ms',
          cliMs <= 2000,
        );
      }
    }
    // Each short answer is read up to 20 KB: a 100 KB file is read whole (11 KB an answer), a
    // 1 MB file 180 KB of it. Linear time: the same time per KB read for both.
    const perKb = times['1 MB'] / 180 / (times['100 KB'] / 100);
    record(
      'grading time per KB read, 1 MB file / 100 KB file (linear: about 1)',
      perKb,
      '≤ 3×',
      '×',
      perKb <= 3,
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return results;
}
