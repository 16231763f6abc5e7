import { describe, expect, it } from 'vitest';
import { printResult } from '../../src/commands/check.js';
import type { ExerciseResult } from '../../src/course/judge.js';
import { createOutput } from '../../src/output.js';

/** What `churn-labs check` (and `solve`) print under the steps, without colour. */
function printed(result: ExerciseResult): string[] {
  const lines: string[] = [];
  printResult({ ...createOutput(false), line: (text = '') => lines.push(text) }, 'A title', result);
  return lines;
}

const step = (id: string, passed: boolean) => ({ id, title: id, passed, recorded: false, checks: [] });

describe('the last line of a check', () => {
  it('says an incident of one step passes without counting it ("All 1 steps")', () => {
    const lines = printed({ exercise: 'incident-pending', passed: true, steps: [step('heal', true)] });
    expect(lines.at(-1)).toBe('The step passes.');
    const red = printed({ exercise: 'incident-pending', passed: false, steps: [step('heal', false)] });
    expect(red.at(-1)).toBe('The step does not pass yet. Run churn-labs hint incident-pending for a nudge.');
  });

  it('counts the steps of an exercise of several', () => {
    expect(printed({ exercise: 'x', passed: true, steps: [step('a', true), step('b', true)] }).at(-1)).toBe(
      'All 2 steps pass.',
    );
    expect(printed({ exercise: 'x', passed: false, steps: [step('a', true), step('b', false)] }).at(-1)).toBe(
      '1 of 2 steps pass. Run churn-labs hint x for a nudge.',
    );
  });
});
