import { describe, expect, it } from 'vitest';
import { gradeQuiz, parseAnswers } from '../../src/course/grade.js';
import { helpers, loadQuiz } from './quiz-fixture.js';

const quiz = await loadQuiz();
const { grade, answersFile, modelAnswers } = helpers(quiz);

describe('grading the section-19 quiz', () => {
  it('the model answers score the maximum', () => {
    const graded = gradeQuiz(quiz, modelAnswers());
    expect(graded.questions.filter((q) => q.score !== q.max)).toEqual([]);
    expect(graded.score).toBe(graded.max);
    expect(graded.percent).toBe(100);
  });

  it("right answers in a learner's own words and odd forms score the maximum", () => {
    const graded = gradeQuiz(quiz, answersFile('paraphrased.yaml'));
    expect(graded.questions.filter((q) => q.score !== q.max)).toEqual([]);
  });

  it('wrong answers score 0 on every question', () => {
    const graded = gradeQuiz(quiz, answersFile('wrong.yaml'));
    expect(graded.questions.filter((q) => q.score !== 0)).toEqual([]);
    expect(graded.questions).toHaveLength(quiz.questions.length);
  });

  it('choices and true/false take letters and words in the forms learners type', () => {
    for (const answer of ['B', 'b', 'B)', '(b)', 'B.', 'b) Run scheduled tasks periodically'])
      expect(grade('q1', answer).score, answer).toBe(1);
    for (const answer of ['A', 'c', 'Run scheduled tasks periodically'])
      expect(grade('q1', answer).score).toBe(0);
    for (const answer of [true, 'true', 'True', 'yes', 'y', 't']) expect(grade('q2', answer).score).toBe(1);
    for (const answer of [false, 'false', 'no']) expect(grade('q2', answer).score).toBe(0);
    for (const answer of [false, 'false', 'False', 'no', 'n', 'f']) expect(grade('q7', answer).score).toBe(1);
    const answers = parseAnswers('q1: B)\nq2: "true"\nq7: no\nq9: c\nq14: False\n', 'odd.yaml', quiz);
    const graded = gradeQuiz(quiz, answers).questions.filter((q) => answers.has(q.id));
    expect(graded.map((q) => q.score)).toEqual([1, 1, 1, 1, 1]);
  });

  const short: {
    id: string;
    paraphrases: string[];
    partial: { answer: string; score: number; missed: RegExp };
  }[] = [
    {
      id: 'q3',
      paraphrases: [
        'The kernel kills the process because it ran out of memory; it comes back after a back-off (CrashLoopBackOff if it keeps happening). kubectl get pods shows the restarts and Last State: OOMKilled.',
        "it's OOM killed with exit code 137, then restarted depending on the restart policy. check kubectl describe pod",
      ],
      partial: { answer: 'It is OOMKilled.', score: 1, missed: /restartPolicy.*kubectl describe pod/ },
    },
    {
      id: 'q4',
      paraphrases: [
        "That's 1440 runs a day, way too frequent. Jobs pile up and it costs a lot. Every 6 hours would be plenty.",
        'Every minute is too often: runs overlap when one takes more than a minute. Better: "0 */6 * * *".',
      ],
      partial: { answer: 'It runs every minute.', score: 1, missed: /harm.*better schedule/ },
    },
    {
      id: 'q8',
      paraphrases: [
        'Requests are what the scheduler uses to find a node with enough room; limits are the maximum the container is allowed. Above the CPU limit it gets throttled, above the memory limit it is OOMKilled.',
      ],
      partial: {
        answer: 'Over the CPU limit the container is throttled; over the memory limit it is OOMKilled.',
        score: 2,
        missed: /requests are what the scheduler reserves.*limits are the most/,
      },
    },
    {
      id: 'q10',
      paraphrases: ['Evicted first: BestEffort, then Burstable, then Guaranteed. churn-api is Burstable.'],
      partial: { answer: 'BestEffort goes first, Guaranteed last.', score: 1, missed: /Burstable/ },
    },
    {
      id: 'q12',
      paraphrases: [
        "once a week on Mon, eight o'clock in the morning, in the controller manager's time zone",
      ],
      partial: { answer: 'Every Monday at 8 AM.', score: 2, missed: /time zone/ },
    },
    {
      id: 'q15',
      paraphrases: [
        'Older Jobs are deleted so only the most recent 2 of each stay, which leaves their logs for debugging.',
      ],
      partial: {
        answer: 'They keep the 2 most recent successful and failed Jobs.',
        score: 1,
        missed: /inspected/,
      },
    },
    {
      id: 'q16',
      paraphrases: [
        'Readiness: the pod stops receiving traffic (it leaves the endpoints) and is not restarted. Liveness: the container is killed and restarted. Startup: liveness and readiness wait until it succeeds.',
      ],
      partial: {
        answer:
          'Liveness failures restart the container; readiness failures take the pod out of the endpoints.',
        score: 2,
        missed: /does not restart.*startup probe/,
      },
    },
    {
      id: 'q20',
      paraphrases: [
        'ceil(3*35/70) = ceil(1.5) = 2, so it goes down to 2, but only after the stabilization window (5 min).',
      ],
      partial: { answer: 'ceil(3*35/70) = 2 replicas', score: 2, missed: /stabilization/ },
    },
    {
      id: 'q23',
      paraphrases: [
        'The old image 0.1.0 runs again, as a new revision 3; history shows 2 and 3 because revision 1 was renumbered.',
      ],
      partial: { answer: 'The pods run 0.1.0 again.', score: 1, missed: /revision, 3.*revision 2/ },
    },
  ];
  for (const { id, paraphrases, partial } of short) {
    it(`${id}: paraphrases earn every point; a partial answer gets partial credit naming what it missed`, () => {
      for (const answer of paraphrases) {
        const graded = grade(id, answer);
        expect(graded.score, `${answer}\n${graded.feedback}`).toBe(graded.max);
      }
      const graded = grade(id, partial.answer);
      expect(graded.score).toBe(partial.score);
      expect(graded.score).toBeLessThan(graded.max);
      expect(graded.feedback).toMatch(/^Covered: .*Missed: /);
      expect(graded.feedback.split('Missed: ')[1]).toMatch(partial.missed);
    });
  }

  it('every short question has a key point for each part of its model answer and is graded by several phrasings', () => {
    for (const q of quiz.questions) {
      if (q.type !== 'short') continue;
      expect(q.keyPoints.length, q.id).toBeGreaterThanOrEqual(2);
      for (const k of q.keyPoints) expect(k.accept.length, `${q.id}: ${k.point}`).toBeGreaterThanOrEqual(2);
    }
  });
});
