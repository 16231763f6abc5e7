import { describe, expect, it } from 'vitest';
import { readSources } from '../../src/files/course-files.js';
import { parseCourse } from '../../src/files/parse-course.js';

/**
 * The incidents as data: the contract's nine, in its order, after the ten exercises; and the cause
 * named nowhere the learner looks before fixing it (the list, the map, the page, the check titles
 * and the messages of failing checks).
 */
const course = parseCourse(readSources());
const incidents = course.exercises.filter((e) => e.incident);

/** Per incident, the words that would give its cause away. */
const CAUSE_WORDS: Record<string, RegExp> = {
  'incident-crashloop': /log.?level|verbose|configmap|churn-mlops-config/i,
  'incident-bad-image': /image|tag|pull|0\.2\.1/i,
  'incident-not-ready': /readiness|probe|readyz|path|port/i,
  'incident-no-endpoints': /selector|label|v2/i,
  'incident-pending': /memory|request|asks? for|64Gi|insufficient|resources/i,
  'incident-hpa-blind': /request|cpu request|resources|missing/i,
  'incident-batch-oom': /memory|oom|kill|limit|24Mi/i,
  'incident-cron-silent': /suspend/i,
  'incident-volume-pending': /storage ?class|fast-ssd|claim|pvc|provision/i,
};

/**
 * Checks that pass on the broken system and fail only after a workaround (the tests on the
 * simulated cluster show both): their message may name what the learner just did.
 */
const WORKAROUND_ONLY = new Set([
  'incident-not-ready/kept-gate',
  'incident-hpa-blind/hpa-there',
  'incident-volume-pending/keeps-cache',
]);

describe('the nine incidents', () => {
  it("come after the ten exercises, with the contract's ids in its order", () => {
    expect(course.exercises.slice(0, 10).some((e) => e.incident)).toBe(false);
    expect(course.exercises.slice(10).map((e) => e.id)).toEqual(Object.keys(CAUSE_WORDS));
  });

  it('never name the cause in the title, the page, a check title or a check message', () => {
    for (const incident of incidents) {
      const words = CAUSE_WORDS[incident.id]!;
      const seen = [
        incident.title,
        incident.incident!.symptom,
        incident.incident!.since,
        ...incident.steps.flatMap((s) => [s.title, s.instructions, ...s.checks.map((c) => c.title)]),
      ];
      for (const text of seen) expect(text, incident.id).not.toMatch(words);
    }
  });

  it('give a message of their own to every check whose finding could name the cause', () => {
    for (const incident of incidents)
      for (const check of incident.steps.flatMap((s) => s.checks))
        if (check.type === 'fields' || check.type === 'exists')
          if (check.id !== 'three-ready' && check.id !== 'schedule')
            expect(check.message, `${incident.id}/${check.id}`).toBeDefined();
    for (const incident of incidents)
      for (const check of incident.steps.flatMap((s) => s.checks))
        if (check.message && !WORKAROUND_ONLY.has(`${incident.id}/${check.id}`))
          expect(check.message, `${incident.id}/${check.id}`).not.toMatch(CAUSE_WORDS[incident.id]!);
  });

  it('teach the diagnosis in at least three hints, and solve with the diagnosis before the fix', () => {
    for (const incident of incidents) {
      const [step] = incident.steps;
      expect(step!.hints.length, incident.id).toBeGreaterThanOrEqual(3);
      // The first solution commands look (get, describe, logs, rollout status/history).
      expect(step!.solution[0], incident.id).toMatch(
        /^kubectl (get|describe|logs|rollout (status|history))\b/,
      );
      for (const command of step!.solution) {
        for (const [, seconds] of command.matchAll(/--timeout=(\d+)s/g))
          expect(Number(seconds), `${incident.id}: ${command}`).toBeLessThanOrEqual(110);
        expect(command, incident.id).not.toMatch(/\s(-w|--watch)(\s|$)|port-forward/);
      }
    }
  });

  it('break and reset with commands that run in the namespace of the lab', () => {
    for (const incident of incidents) {
      for (const command of [...incident.incident!.break, ...incident.incident!.reset])
        if (/\bkubectl (patch|set|apply|delete|create|scale|rollout|replace)\b/.test(command))
          expect(command, incident.id).toMatch(/-n \{\{namespace\}\}/);
    }
  });
});
