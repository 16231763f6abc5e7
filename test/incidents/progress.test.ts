import { describe, expect, it } from 'vitest';
import {
  emptyProgress,
  hintsUsed,
  progressProblem,
  recordBreak,
  recordHint,
  recordPassedSteps,
  solveSeconds,
} from '../../src/course/progress.js';
import type { Exercise } from '../../src/course/schema.js';

const incident = { id: 'incident-x', steps: [{ id: 'heal' }] } as unknown as Exercise;

describe("an incident's progress", () => {
  it('records when it broke, the hints, and when it was solved; a new break starts over', () => {
    let p = recordBreak(emptyProgress(), 'incident-x', new Date('2026-01-01T10:00:00Z'));
    p = recordHint(p, 'incident-x', 'heal', 2);
    p = recordPassedSteps(p, incident, ['heal'], new Date('2026-01-01T10:12:30Z'));
    const entry = p.exercises['incident-x'];
    expect(entry).toEqual({
      steps: { heal: '2026-01-01T10:12:30.000Z' },
      hints: { heal: 2 },
      brokenAt: '2026-01-01T10:00:00.000Z',
      completedAt: '2026-01-01T10:12:30.000Z',
    });
    expect(solveSeconds(entry)).toBe(750);
    expect(hintsUsed(entry)).toBe(2);
    expect(progressProblem(p)).toBeUndefined();
    const again = recordBreak(p, 'incident-x', new Date('2026-01-02T10:00:00Z'));
    expect(again.exercises['incident-x']).toEqual({
      steps: {},
      hints: {},
      brokenAt: '2026-01-02T10:00:00.000Z',
    });
    expect(solveSeconds(again.exercises['incident-x'])).toBeUndefined();
  });

  it('refuses a progress file whose brokenAt is not text', () => {
    const bad = { ...emptyProgress(), exercises: { 'incident-x': { steps: {}, hints: {}, brokenAt: 3 } } };
    expect(progressProblem(bad)).toBe('exercises.incident-x.brokenAt: expected text');
  });
});
