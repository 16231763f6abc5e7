import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExerciseResult } from '../../src/course/judge.js';
import { checkUntil, forget, shell, summary } from '../labs/helpers.js';
import { type CourseSim, INTERRUPT, runLogged, startCourseSim, WRONG_MOVE } from './course-sim.js';

/**
 * Every solution converges from any state its own steps leave: run it, forget the progress
 * (`churn-labs reset <id>`) and run it again from what the first run left; for the exercises whose
 * steps change the cluster, also stop it mid-way (as Esc does) and run `solve` again.
 * After a typical wrong move (WRONG_MOVE) too. `before`: the exercises solved first, to start from the state they leave.
 */
export function convergeSuite(name: string, before: string[], ids: string[]): void {
  let course: CourseSim;
  const passes = async (id: string, label: string) => {
    const run = await runLogged(course.lab, id);
    expect(run.ok, `${id} (${label}):\n${run.log}`).toBe(true);
    const result: ExerciseResult = await checkUntil(course.lab, id, (r) => r.passed, 150);
    expect(result.passed, `${id} (${label}):\n${summary(result)}\n${run.log}`).toBe(true);
  };

  beforeAll(async () => {
    course = await startCourseSim(`churn-labs-${name}-`);
    for (const id of before) await passes(id, 'before');
  }, 600_000);

  afterAll(async () => {
    await course?.stop();
  }, 60_000);

  describe(`${name}: each solution, again, and after an interruption`, () => {
    for (const id of ids) {
      it(`${id}${WRONG_MOVE[id] ? ' (after a wrong move)' : ''}${INTERRUPT[id] ? ' (interrupted once)' : ''}`, async () => {
        await passes(id, 'first run');
        await forget(course.lab, id);
        await passes(id, 'run again');
        const wrong = WRONG_MOVE[id];
        if (wrong) {
          await forget(course.lab, id);
          await shell(course.lab, wrong);
          await passes(id, `after: ${wrong}`);
        }
        const interrupt = INTERRUPT[id];
        if (!interrupt) return;
        await forget(course.lab, id);
        const stopped = await runLogged(course.lab, id, interrupt);
        expect(stopped.ok, stopped.log).toBe(false);
        await passes(id, 'solve again after the interruption');
      }, 900_000);
    }
  });
}
