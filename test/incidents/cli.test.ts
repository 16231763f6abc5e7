import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordPassedSteps } from '../../src/course/progress.js';
import { readSources } from '../../src/files/course-files.js';
import { parseCourse } from '../../src/files/parse-course.js';
import { updateProgress } from '../../src/files/progress-store.js';
import { churnLabs, tempHome } from '../cli/helpers.js';

/** The built CLI on the incidents, where no cluster is needed: list, check, hint, incident, progress. */
const course = parseCourse(readSources());
const INCIDENTS = [
  'incident-crashloop',
  'incident-bad-image',
  'incident-not-ready',
  'incident-no-endpoints',
  'incident-pending',
  'incident-hpa-blind',
  'incident-batch-oom',
  'incident-cron-silent',
  'incident-volume-pending',
];
let home: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ home, cleanup } = await tempHome());
});
afterAll(async () => cleanup?.());

describe('churn-labs on the incidents, without a cluster', () => {
  it('lists the nine incidents after the ten exercises, kind "incident"', async () => {
    const result = await churnLabs(['list', '--json'], { home });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const listed = JSON.parse(String(result.stdout)) as {
      exercises: { id: string; kind: string; status: string }[];
    };
    expect(listed.exercises).toHaveLength(19);
    expect(listed.exercises.slice(0, 10).every((e) => e.kind === 'exercise')).toBe(true);
    expect(listed.exercises.slice(10).map((e) => [e.id, e.kind, e.status])).toEqual(
      INCIDENTS.map((id) => [id, 'incident', 'todo']),
    );
    const text = String((await churnLabs(['list'], { home })).stdout);
    expect(text).toMatch(/On call \(after Exercise 1\)/);
  });

  it('lines the ids up in list, whether an incident is solved or to do', async () => {
    const aligned = `${home}/aligned`;
    const solvedOne = course.exercises.find((e) => e.id === 'incident-bad-image')!;
    await updateProgress(`${aligned}/progress.json`, (p) =>
      recordPassedSteps(
        p,
        solvedOne,
        solvedOne.steps.map((s) => s.id),
      ),
    );
    const text = String((await churnLabs(['list'], { home: aligned })).stdout);
    const lines = text.split('\n').filter((l) => /\bincident-[a-z-]+\s/.test(l));
    expect(lines).toHaveLength(9);
    expect(lines.some((l) => l.includes('✓ solved'))).toBe(true);
    expect(new Set(lines.map((l) => l.indexOf('incident-'))).size, text).toBe(1);
  });

  it('checks, hints and solves nothing of an incident not started, and says how to start it', async () => {
    const checked = await churnLabs(['check', 'incident-crashloop', '--json'], { home });
    expect(checked.exitCode).toBe(1);
    expect(JSON.parse(String(checked.stdout)).error).toMatch(
      /has not started.*churn-labs incident incident-crashloop/,
    );
    const hinted = await churnLabs(['hint', 'incident-crashloop'], { home });
    expect(hinted.exitCode).toBe(1);
    expect(String(hinted.stderr)).toMatch(/has not started/);
    const solved = await churnLabs(['solve', 'incident-crashloop', '--yes'], { home });
    expect(solved.exitCode).toBe(1);
    expect(String(solved.stderr)).toMatch(/has not started/);
  });

  it('refuses an unknown incident (exit 2) and an incident before Exercise 1 is done (exit 1)', async () => {
    const unknown = await churnLabs(['incident', 'deploy-system', '--yes'], { home });
    expect(unknown.exitCode).toBe(2);
    expect(String(unknown.stderr)).toMatch(
      /There is no incident "deploy-system"\. The incidents are: incident-crashloop/,
    );
    const early = await churnLabs(['incident', 'incident-crashloop', '--yes'], { home });
    expect(early.exitCode).toBe(1);
    expect(String(early.stderr)).toMatch(/Exercise 1 deploys, and it is not done yet/);
  });

  it('asks before breaking anything, and without a terminal needs --yes', async () => {
    const done = `${home}/asks`;
    const exercise = course.exercises[0]!;
    await updateProgress(`${done}/progress.json`, (p) =>
      recordPassedSteps(
        p,
        exercise,
        exercise.steps.map((s) => s.id),
      ),
    );
    // No cluster answers: the health check says so, before anything is asked or broken.
    const result = await churnLabs(['incident', 'incident-crashloop', '--context', 'no-such-context'], {
      home: done,
    });
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/no kube context no-such-context|not reachable|not up/i);
  });

  it('progress counts the incidents, none solved', async () => {
    const result = await churnLabs(['progress', '--json'], { home });
    const report = JSON.parse(String(result.stdout));
    expect(report.exercises.total).toBe(10);
    expect(report.incidents).toMatchObject({ solved: 0, total: 9 });
    expect(report.incidents.items[0]).toEqual({
      id: 'incident-crashloop',
      title: course.exercises.find((e) => e.id === 'incident-crashloop')!.title,
      status: 'todo',
      hints: 0,
      seconds: null,
      brokenAt: null,
      solvedAt: null,
    });
    expect(String((await churnLabs(['progress'], { home })).stdout)).toMatch(/Incidents: 0 of 9 solved/);
  });
});
