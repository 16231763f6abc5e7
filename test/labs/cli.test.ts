import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordPassedSteps, recordQuizAnswer } from '../../src/course/progress.js';
import { readSources } from '../../src/files/course-files.js';
import { parseCourse } from '../../src/files/parse-course.js';
import { updateProgress } from '../../src/files/progress-store.js';
import { churnLabs, tempHome } from '../cli/helpers.js';

/** The built CLI on the course as data: `list` and `hint` need no cluster. */
const parsed = parseCourse(readSources());
// The ten exercises here; the incidents after them are tested in test/incidents/.
const course = { ...parsed, exercises: parsed.exercises.filter((e) => !e.incident) };
let home: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ home, cleanup } = await tempHome());
});
afterAll(async () => {
  await cleanup?.();
});

describe('churn-labs list and hint on the ten exercises', () => {
  it('lists the ten in course order, all to do', async () => {
    const result = await churnLabs(['list', '--json'], { home });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const listed = JSON.parse(String(result.stdout)) as {
      exercises: { id: string; title: string; status: string }[];
    };
    expect(listed.exercises.slice(0, 10)).toEqual(
      course.exercises.map((e) => ({ id: e.id, title: e.title, status: 'todo', kind: 'exercise' })),
    );
  });

  it("gives the first and the last hint of each exercise's first step, the workspace filled in", async () => {
    for (const exercise of course.exercises) {
      const step = exercise.steps[0]!;
      const last = step.hints.length;
      for (const level of [1, last]) {
        // No --level is the next hint: the first one, on a fresh progress file.
        const args = level === 1 ? ['hint', exercise.id] : ['hint', exercise.id, '--level', String(level)];
        const result = await churnLabs(args, { home: `${home}/${exercise.id}` });
        const stdout = String(result.stdout);
        expect(result.exitCode, `${exercise.id} ${String(result.stderr)}`).toBe(0);
        expect(stdout).toContain(`Hint ${level} of ${last}, step 1 of ${exercise.id}`);
        const hint = step.hints[level - 1]!.replaceAll('{{workspace}}', `${home}/${exercise.id}/workspace`)
          .replaceAll('{{namespace}}', 'churn-mlops')
          .replaceAll('{{images}}', 'churn-labs');
        expect(stdout).toContain(hint.split('\n')[0]!.trim());
        expect(stdout).not.toContain('{{');
        if (level === last) expect(stdout).toContain(`churn-labs solve ${exercise.id}`);
      }
    }
  }, 120_000);

  it("once every step has passed, says so, and --level N still shows the last step's hint N", async () => {
    const exercise = course.exercises[0]!;
    const done = `${home}/done`;
    await updateProgress(`${done}/progress.json`, (p) =>
      recordPassedSteps(
        p,
        exercise,
        exercise.steps.map((s) => s.id),
      ),
    );
    const next = await churnLabs(['hint', exercise.id], { home: done });
    expect(next.exitCode).toBe(0);
    expect(String(next.stdout)).toMatch(
      /^Every step of deploy-system has passed; there is nothing left to hint/,
    );
    const last = exercise.steps.at(-1)!;
    const review = await churnLabs(['hint', exercise.id, '--level', '1'], { home: done });
    expect(review.exitCode, String(review.stderr)).toBe(0);
    expect(String(review.stdout)).toContain(
      `Hint 1 of ${last.hints.length}, step ${exercise.steps.length} of ${exercise.id}: ${last.title}`,
    );
  });

  it('progress: exercises done, the quiz scores, an attempt under way, and what comes next', async () => {
    const dir = `${home}/progress`;
    const first = course.exercises[0]!;
    await updateProgress(`${dir}/progress.json`, (p) =>
      recordQuizAnswer(
        recordPassedSteps(
          p,
          first,
          first.steps.map((s) => s.id),
        ),
        'section-19',
        'q1',
        'B',
      ),
    );
    const json = await churnLabs(['progress', '--json'], { home: dir });
    expect(json.exitCode, String(json.stderr)).toBe(0);
    const report = JSON.parse(String(json.stdout));
    expect(report.exercises).toMatchObject({ done: 1, total: course.exercises.length });
    expect(report.quizzes).toEqual([
      {
        id: 'section-19',
        title: course.quizzes[0]!.title,
        best: null,
        max: null,
        attempts: 0,
        answered: 1,
        questions: course.quizzes[0]!.questions.length,
        file: null,
      },
    ]);
    expect(report.next).toEqual({ exercise: course.exercises[1]!.id });
    const text = await churnLabs(['progress'], { home: dir });
    expect(String(text.stdout)).toContain(
      `Quiz section-19: not taken yet; 1 of ${course.quizzes[0]!.questions.length} answered so far in an attempt under way, to carry on with in churn-labs start`,
    );
    expect(String(text.stdout)).toContain(`Exercises: 1 of ${course.exercises.length} done`);
  });
});
