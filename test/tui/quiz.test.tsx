import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProgress } from '../../src/files/progress-store.js';
import type { Lab } from '../../src/lab.js';
import { realServices } from '../../src/tui/real-services.js';
import { PVC_ANSWER, tempLab } from './fixtures.js';
import { KEYS, renderApp, TestCluster, until } from './harness.js';

let lab: Lab;
let cleanup: () => Promise<void>;
const savedEditor = { EDITOR: process.env.EDITOR, VISUAL: process.env.VISUAL };
beforeEach(async () => {
  ({ lab, cleanup } = await tempLab());
  delete process.env.VISUAL;
});
afterEach(async () => {
  process.env.EDITOR = savedEditor.EDITOR;
  if (savedEditor.EDITOR === undefined) delete process.env.EDITOR;
  if (savedEditor.VISUAL !== undefined) process.env.VISUAL = savedEditor.VISUAL;
  await cleanup();
});

const takeQuiz = (services = new TestCluster().services()) =>
  renderApp(lab, services, { only: { screen: 'quiz', quiz: 'section-19' } });

/** Answers q1 to q3: B (right), True (wrong), a short answer with one of its two key points. */
async function answerFirstThree(app: ReturnType<typeof takeQuiz>) {
  await app.waitForText('question 1 of 4');
  expect(app.lastFrame()).toContain('› A) Deployment');
  app.press(KEYS.down);
  await app.waitForText('› B) CronJob');
  app.press(KEYS.enter);
  const feedback = await app.waitForText('✓ 1 of 1: Correct: B) CronJob.');
  expect(feedback).toContain('Model answer');
  expect(feedback).toContain('A CronJob creates Jobs on a schedule.');
  app.press(KEYS.enter);
  await app.waitForText('question 2 of 4');
  app.press(KEYS.enter);
  const wrong = await app.waitForText('✗ 0 of 1: Not so: the statement is false.');
  expect(wrong).toContain('RWO allows one node.');
  app.press(KEYS.enter);
  await app.waitForText('question 3 of 4');
  for (const letter of 'It gets OOMKilled?') app.press(letter);
  await app.waitForText('It gets OOMKilled?');
  expect(app.lastFrame()).not.toContain('Any key closes this.');
  app.press(KEYS.enter);
  const partial = await app.waitForText(
    '~ 0.5 of 1: Covered: it is OOMKilled. Missed: it is restarted (nothing in your answer says it).',
  );
  expect(partial).toContain('The kernel OOM-kills it and the kubelet restarts it.');
  app.press(KEYS.enter);
  await app.waitForText('question 4 of 4');
}

describe('the quiz', () => {
  it('asks each type of question, grades it, and records the score', async () => {
    const answer = join(lab.paths.home, 'pvc.yaml');
    await writeFile(answer, PVC_ANSWER);
    const app = takeQuiz();
    await answerFirstThree(app);
    await app.waitForText('Read it from a file');
    app.press(KEYS.down);
    app.press(KEYS.enter);
    await app.waitForText('The path of a YAML file');
    app.press(join(lab.paths.home, 'missing.yaml'));
    app.press(KEYS.enter);
    await app.waitForText(`There is no file ${join(lab.paths.home, 'missing.yaml')}.`);
    app.press(answer);
    app.press(KEYS.enter);
    await app.waitForText('✓ 1 of 1: All 2 requirements met.');
    app.press(KEYS.enter);
    const summary = await app.waitForText('Your score: 2.5 / 4 (62.5%)');
    expect(summary).toContain('✓ Question 1 (1/1): Which kind runs batch scoring on a schedule?');
    expect(summary).toContain('~ Question 3 (0.5/1)');
    await until(
      async () => (await loadProgress(lab.paths.progress)).progress.quizzes['section-19']?.best === 2.5,
      'the score to be saved',
    );
    const saved = (await loadProgress(lab.paths.progress)).progress.quizzes['section-19'];
    expect(saved).toMatchObject({ best: 2.5, max: 4, attempts: 1, lastScore: 2.5 });
    app.press(KEYS.enter);
    await until(() => app.exits.length > 0, 'the quiz to end');
    expect(app.exits).toEqual([0]);
  });

  it('keeps each answer as it is given: the next visit carries on, and the finished attempt forgets them', async () => {
    const first = takeQuiz();
    await first.waitForText('question 1 of 4');
    first.press(KEYS.down);
    first.press(KEYS.enter);
    await first.waitForText('✓ 1 of 1: Correct: B) CronJob.');
    first.press(KEYS.enter);
    await first.waitForText('question 2 of 4');
    first.press(KEYS.enter);
    await first.waitForText('✗ 0 of 1: Not so: the statement is false.');
    // Leaving the quiz (or the app) loses no answer.
    first.press('q');
    await until(() => first.exits.length > 0, 'the quiz to end');
    await first.close();
    await until(
      async () =>
        Object.keys((await loadProgress(lab.paths.progress)).progress.quizAnswers?.['section-19'] ?? {})
          .length === 2,
      'both answers to be kept',
    );
    const kept = (await loadProgress(lab.paths.progress)).progress;
    expect(kept.quizAnswers).toEqual({ 'section-19': { q1: 'B', q2: true } });
    expect(kept.position).toEqual({ quiz: 'section-19' });
    expect(kept.quizzes).toEqual({});

    const second = takeQuiz();
    await second.waitForText('Carrying on: questions 1 to 2 of 4 answered, 1 of their 2 points scored.');
    await second.waitForText('question 3 of 4');
    for (const letter of 'It gets OOMKilled and restarted.') second.press(letter);
    await second.waitForText('It gets OOMKilled and restarted.');
    second.press(KEYS.enter);
    await second.waitForText('✓ 1 of 1');
    second.press(KEYS.enter);
    await second.waitForText('question 4 of 4');
    await second.close();

    // Every question answered before the score was seen: the last feedback again, then the score.
    const third = takeQuiz();
    await third.waitForText('question 4 of 4');
    const answer = join(lab.paths.home, 'pvc.yaml');
    await writeFile(answer, PVC_ANSWER);
    third.press(KEYS.down);
    third.press(KEYS.enter);
    await third.waitForText('The path of a YAML file');
    third.press(answer);
    third.press(KEYS.enter);
    await third.waitForText('✓ 1 of 1: All 2 requirements met.');
    await until(
      async () =>
        Object.keys((await loadProgress(lab.paths.progress)).progress.quizAnswers?.['section-19'] ?? {})
          .length === 4,
      'all four answers to be kept',
    );
    await third.close();
    const fourth = takeQuiz();
    const again = await fourth.waitForText(
      'Carrying on: questions 1 to 4 of 4 answered, 3 of their 4 points scored.',
    );
    expect(again).toContain('✓ 1 of 1: All 2 requirements met.');
    fourth.press(KEYS.enter);
    await fourth.waitForText('Your score: 3 / 4 (75%)');
    await until(
      async () => (await loadProgress(lab.paths.progress)).progress.quizzes['section-19']?.best === 3,
      'the score to be saved',
    );
    // The attempt is over: the next one starts afresh.
    expect((await loadProgress(lab.paths.progress)).progress.quizAnswers).toBeUndefined();
    await fourth.close();
    const fifth = takeQuiz();
    await fifth.waitForText('question 1 of 4');
    expect(fifth.lastFrame()).not.toContain('Carrying on');
    // A key handled means the effects of opening the quiz have run: its save is under way, and
    // close waits for it.
    fifth.press(KEYS.down);
    await fifth.waitForText('› B) CronJob');
    await fifth.close();
  });

  it("takes the YAML answer from the learner's editor, keeping the draft", async () => {
    const editor = join(lab.paths.home, 'editor.sh');
    const answer = join(lab.paths.home, 'pvc.yaml');
    await writeFile(answer, PVC_ANSWER);
    // An "editor" that adds the answer under the draft's comments, as a learner would.
    await writeFile(editor, `#!/bin/sh\ncat '${answer}' >> "$1"\n`);
    await chmod(editor, 0o755);
    process.env.EDITOR = editor;
    const services = { ...new TestCluster().services(), edit: realServices().edit };
    const app = takeQuiz(services);
    await answerFirstThree(app);
    await app.waitForText(`Write it in your editor (${editor})`);
    app.press(KEYS.enter);
    await app.waitForText('✓ 1 of 1: All 2 requirements met.');
    const draft = await readFile(join(lab.paths.home, 'quiz', 'section-19-q4.yaml'), 'utf8');
    expect(draft).toMatch(/^# Your answer to q4, in YAML\./);
    expect(draft).toContain('# Write a PersistentVolumeClaim named churn-mlops-pvc for 10Gi.');
    expect(draft).toContain('name: churn-mlops-pvc');
    await app.close();
  });

  it('says what went wrong when the editor fails or leaves no answer', async () => {
    process.env.EDITOR = 'false';
    const services = { ...new TestCluster().services(), edit: realServices().edit };
    const app = takeQuiz(services);
    await answerFirstThree(app);
    await app.waitForText('Write it in your editor (false)');
    app.press(KEYS.enter);
    await app.waitForText('The editor "false" exited with code 1.');
    process.env.EDITOR = 'true';
    app.press(KEYS.enter);
    await app.waitForText('has no answer in it yet');
    // A typo is shown with its line, to be fixed and submitted again, not graded 0.
    const editor = join(lab.paths.home, 'typo.sh');
    await writeFile(editor, `#!/bin/sh\nprintf 'kind: PersistentVolumeClaim\\nspec: [\\n' >> "$1"\n`);
    await chmod(editor, 0o755);
    process.env.EDITOR = editor;
    app.press(KEYS.enter);
    const frame = await app.waitForText('the YAML does not parse');
    expect(frame.replace(/\n/g, ' ')).toMatch(
      /section-19-q4\.yaml:\d+: the YAML does not parse \(.+\)\. Fix it, save, and choose again\./,
    );
    const now = frame.slice(frame.lastIndexOf('question 4 of 4'));
    expect(now).not.toMatch(/\d of 1:/);
    expect(now).toContain('Write it in your editor');
    await app.close();
  });

  it('submits text typed so fast that it arrives with its Enter in one chunk', async () => {
    const app = takeQuiz();
    for (const question of [1, 2]) {
      await app.waitForText(`question ${question} of 4`);
      app.press(KEYS.enter);
      await app.waitForText('Enter next question');
      app.press(KEYS.enter);
    }
    await app.waitForText('question 3 of 4');
    app.press('It is OOMKilled, then restarted\r');
    await app.waitForText('✓ 1 of 1: All 2 key points covered.');
    await app.close();
  });

  it('leaves with q, or with Esc from a text field', async () => {
    const app = takeQuiz();
    await app.waitForText('question 1 of 4');
    expect(app.lastFrame()).toContain('q leave the quiz');
    app.press('q');
    await until(() => app.exits.length > 0, 'q to leave');

    const again = takeQuiz();
    await again.waitForText('question 1 of 4');
    again.press(KEYS.enter);
    await again.waitForText('Enter next question');
    again.press(KEYS.enter);
    await again.waitForText('question 2 of 4');
    again.press(KEYS.enter);
    await again.waitForText('Enter next question');
    again.press(KEYS.enter);
    await again.waitForText('Esc leave the quiz');
    again.press('q');
    await again.waitForText('› q');
    expect(again.exits).toEqual([]);
    again.press(KEYS.escape);
    await until(() => again.exits.length > 0, 'Esc to leave');
    // Nothing is recorded for a quiz left half way.
    expect((await loadProgress(lab.paths.progress)).progress.quizzes).toEqual({});
  });

  it('keeps a half-typed short answer through Esc, and through quitting the app, and shows it again', async () => {
    const reach3 = async (app: ReturnType<typeof takeQuiz>) => {
      await app.waitForText('question 3 of 4');
    };
    const app = takeQuiz();
    await app.waitForText('question 1 of 4');
    app.press(KEYS.enter);
    await app.waitForText('Enter next question');
    app.press(KEYS.enter);
    await app.waitForText('question 2 of 4');
    app.press(KEYS.enter);
    await app.waitForText('Enter next question');
    app.press(KEYS.enter);
    await reach3(app);
    for (const letter of 'The container is') app.press(letter);
    await app.waitForText('› The container is');
    app.press(KEYS.escape);
    await until(() => app.exits.length > 0, 'Esc to leave');
    await app.close();
    expect((await loadProgress(lab.paths.progress)).progress.quizDrafts).toEqual({
      'section-19': { q3: 'The container is' },
    });

    // Back on the question: the text is there to go on with; quitting the app keeps the rest.
    const again = takeQuiz();
    await reach3(again);
    await again.waitForText('› The container is');
    for (const letter of ' killed') again.press(letter);
    await again.waitForText('› The container is killed');
    await again.close();
    expect((await loadProgress(lab.paths.progress)).progress.quizDrafts?.['section-19']?.q3).toBe(
      'The container is killed',
    );

    // Submitted, it is an answer and no longer a draft.
    const third = takeQuiz();
    await reach3(third);
    await third.waitForText('› The container is killed');
    third.press(KEYS.enter);
    await third.waitForText('of 1:');
    await third.close();
    const progress = (await loadProgress(lab.paths.progress)).progress;
    expect(progress.quizDrafts).toBeUndefined();
    expect(progress.quizAnswers?.['section-19']?.q3).toBe('The container is killed');
  });
});
