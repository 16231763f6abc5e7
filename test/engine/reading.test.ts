import { describe, expect, it } from 'vitest';
import { gradeQuestion, prepareGrading } from '../../src/course/grade.js';
import { ContentError, parseContent } from '../../src/course/load.js';
import { nestedQuantifier, quizSchema } from '../../src/course/schema.js';

/** How a short answer is read: statements, not words. One small question per behaviour. */
const quiz = parseContent(
  quizSchema,
  `id: reading
title: Reading short answers
seed: Assessment Questions
questions:
  - id: q1
    type: short
    points: 2
    prompt: What happens over the CPU limit, and over the memory limit?
    explanation: CPU is throttled, memory is OOMKilled.
    modelAnswer: Over the CPU limit it is throttled; over the memory limit it is OOMKilled.
    topics: [cpu, memory]
    keyPoints:
      - point: over the CPU limit it is throttled
        says: ['cpu + throttl*|slow*']
        denies: ['cpu + kill*|oom*']
      - point: over the memory limit it is OOMKilled
        says: ['memory + kill*|oom*']
        denies: ['memory + throttl*|slow*']
  - id: q2
    type: short
    points: 2
    prompt: What is wrong with the schedule "* * * * *"?
    explanation: It runs every minute.
    modelAnswer: It runs every minute; use "0 2 * * *".
    keyPoints:
      - point: it runs every minute
        says: ['every minute']
        denies: ['once a day|daily']
      - point: a better schedule
        proposal: true
        says: ['daily|once a day']
        accept: ['\\b[0-5]?\\d [0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+']
  - id: q3
    type: short
    points: 1
    prompt: In what order are the QoS classes evicted?
    explanation: BestEffort, Burstable, Guaranteed.
    modelAnswer: BestEffort first, then Burstable, then Guaranteed.
    keyPoints:
      - point: BestEffort, then Burstable, then Guaranteed
        says: ['best effort|besteffort ... burstable ... guaranteed']
        denies: ['guaranteed + first']
`,
  'quizzes/reading.yaml',
);
await prepareGrading(quiz.questions);
const grade = (id: string, answer: string) => gradeQuestion(quiz.questions.find((q) => q.id === id)!, answer);

describe('reading a short answer', () => {
  it('earns a point stated in a sentence, a clause, a list item or a table row', () => {
    for (const answer of [
      'Over the CPU limit the container is throttled, over the memory limit it is OOMKilled.',
      'When it goes over its memory limit, the kernel kills it. CPU above the limit just slows it down.',
      '- CPU: throttled\n- memory: OOMKilled',
      '| resource | over the limit |\n|---|---|\n| CPU | throttled |\n| memory | killed |',
      'Memory:\n- the container is OOMKilled\n\nCPU:\n- it gets throttled',
    ])
      expect(grade('q1', answer).score, answer).toBe(2);
  });

  it('gives nothing for a bare list of terms, and says why', () => {
    const graded = grade('q1', 'CPU, throttling, memory, OOM');
    expect(graded.score).toBe(0);
    expect(graded.feedback).toContain('(only named in a list, not said: "CPU, throttling, memory, OOM")');
  });

  it('loses a point said the wrong way round or negated, quoting the sentence', () => {
    const reversed = grade('q1', 'Over the CPU limit it is killed. Over the memory limit it slows down.');
    expect(reversed.score).toBe(0);
    expect(reversed.feedback).toBe(
      'Missed: over the CPU limit it is throttled (your answer says otherwise: "Over the CPU limit it is killed."); over the memory limit it is OOMKilled (your answer says otherwise: "Over the memory limit it slows down.").',
    );
    expect(grade('q1', 'CPU is not throttled. Memory is OOMKilled.').feedback).toContain(
      'over the CPU limit it is throttled (your answer says otherwise: "CPU is not throttled.")',
    );
  });

  it('does not read a misconception quoted to deny it, or a comparison, as a claim', () => {
    for (const answer of [
      'Over the memory limit it is OOMKilled: it is not throttled like CPU. CPU is throttled.',
      'Memory over the limit is killed, unlike CPU which is throttled.',
      'Memory is not slowed down, it is OOMKilled; CPU is throttled, not killed.',
    ])
      expect(grade('q1', answer).score, `${answer}\n${grade('q1', answer).feedback}`).toBe(2);
  });

  it('reads a proposed fix as a proposal: it earns the fix and contradicts nothing', () => {
    const right = grade('q2', 'It runs every minute. It should be 0 2 * * * so it runs once a day at 2am.');
    expect(right.score, right.feedback).toBe(2);
    // "once a day" said of the schedule as it is, is a misreading.
    const misread = grade('q2', 'It runs once a day.');
    expect(misread.score).toBe(0);
    expect(misread.feedback).toContain('(your answer says otherwise: "It runs once a day.")');
    // A fix alone earns the fix only.
    expect(grade('q2', 'Use 0 2 * * * instead.').score).toBe(1);
  });

  it('reads a ranking in a sentence, a numbered list or a table, and the reverse as a contradiction', () => {
    for (const answer of [
      'BestEffort first, then Burstable, then Guaranteed.',
      '1. BestEffort\n2. Burstable\n3. Guaranteed',
      '| order | class |\n|---|---|\n| 1 | BestEffort |\n| 2 | Burstable |\n| 3 | Guaranteed |',
    ])
      expect(grade('q3', answer).score, answer).toBe(1);
    expect(grade('q3', 'Guaranteed first, then Burstable, then BestEffort.').score).toBe(0);
  });

  it('reads 20 KB of an answer and says what it left, in time linear in the answer', () => {
    const sentence = 'Over the memory limit it is OOMKilled and over the CPU limit it is throttled. ';
    const long = sentence.repeat(2000);
    const graded = grade('q1', long);
    expect(graded.score).toBe(2);
    expect(graded.feedback).toMatch(
      /Only the first 20 KB of this answer were read; the other \d+ KB were not graded\./,
    );
    // Text made to trip a reader: no spaces, one run of words, of commas, of negations, of list
    // items or table rows. Read in linear time each takes well under a second (quadratic: 20 s).
    const odd = ['a'.repeat(20_000), 'cpu '.repeat(5_000), ','.repeat(20_000), 'not '.repeat(5000)];
    odd.push('- x\n'.repeat(5000), '| a | b |\n'.repeat(2000), '1. guaranteed\n\n'.repeat(1500));
    for (const text of odd) {
      const started = performance.now();
      for (const id of ['q1', 'q2', 'q3']) grade(id, text);
      expect(performance.now() - started, text.slice(0, 10)).toBeLessThan(3000);
    }
  });

  it('refuses, when the quiz loads, a pattern that can backtrack for ever and a phrasing with no word', () => {
    for (const source of ['(a+)+', '(\\w*\\s?)*', '(?:x|y+){2,}', '((ab)*c)+'])
      expect(nestedQuantifier(source), source).toBe(true);
    for (const source of ['(?:(?!x)[^.;])*?', 'a+b*', '[(a+)]+', '\\(a+\\)+', '(ab)+c*'])
      expect(nestedQuantifier(source), source).toBe(false);
    const broken = (keyPoint: string) => () =>
      parseContent(
        quizSchema,
        `id: x\ntitle: X\nseed: S\nquestions:\n  - id: q1\n    type: short\n    prompt: P\n    explanation: E\n    modelAnswer: M\n    keyPoints:\n      - point: p\n${keyPoint}`,
        'quizzes/x.yaml',
      );
    expect(broken("        accept: ['(a+)+b']\n")).toThrow(ContentError);
    expect(broken("        accept: ['(a+)+b']\n")).toThrow(/can take for ever/);
    expect(broken("        says: ['cpu + |']\n")).toThrow(/names no word/);
    expect(broken('        weight: 1\n')).toThrow(/say how the point is earned/);
  });
});
