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
        'It is OOMKilled (exit 137) and the kubelet brings it up again; kubectl describe pod shows Last State OOMKilled.',
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
        'Requests are what the scheduler reserves; limits are the most it may use. Over the CPU limit it is throttled, over the memory limit OOMKilled.',
      ],
      partial: {
        answer: 'Over the CPU limit the container is throttled; over the memory limit it is OOMKilled.',
        score: 2,
        missed: /requests are what the scheduler reserves.*limits are the most/,
      },
    },
    {
      id: 'q10',
      paraphrases: [
        'Evicted first: BestEffort, then Burstable, then Guaranteed. churn-api is Burstable.',
        'BestEffort first, then Burstable, then Guaranteed. A churn-api pod counts as Burstable.',
        'BestEffort first, then Burstable, then Guaranteed. churn-api belongs to Burstable.',
      ],
      partial: { answer: 'BestEffort goes first, Guaranteed last.', score: 1, missed: /Burstable/ },
    },
    {
      id: 'q12',
      paraphrases: [
        "once a week on Mon, eight o'clock in the morning, in the controller manager's time zone",
        "Mondays at 8 in the morning, in UTC (the controller manager's zone).",
      ],
      partial: { answer: 'Every Monday at 8 AM.', score: 2, missed: /time zone/ },
    },
    {
      id: 'q15',
      paraphrases: [
        'Older Jobs are deleted so only the most recent 2 of each stay, which leaves their logs for debugging without finished Jobs piling up.',
        'The CronJob holds on to just the two newest successful and failed Jobs and deletes the rest, so their logs can be inspected; keeping them all would clutter etcd.',
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
        'Readiness: the pod stops receiving traffic (it leaves the endpoints) and is not restarted. Liveness: the container is killed and restarted. Startup: if it never succeeds, the container is restarted too.',
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

  // Answers that get the facts the wrong way round: the words of the key points are all there,
  // about the wrong resource or probe, or negated. They must not earn those points, and the
  // feedback must say the answer contradicts them.
  const misconceptions: { id: string; answer: string; score: number; contradicts: RegExp }[] = [
    {
      id: 'q3',
      answer: 'It gets throttled, it is not killed. Nothing restarts it.',
      score: 0,
      contradicts: /OOM killer.*says otherwise.*restartPolicy \(your answer says otherwise/,
    },
    {
      id: 'q4',
      answer: 'Nothing is wrong, every minute is fine; use 0 * * * * if you like.',
      score: 1,
      contradicts: /runs every minute.*\(your answer says otherwise/,
    },
    {
      id: 'q4',
      answer:
        'It runs only once a day at midnight, so predictions are stale. Better: 0 */6 * * * and it would use less cpu.',
      score: 1,
      // "it would use less cpu" comes with the fix proposed: it says nothing about the harm.
      contradicts:
        /runs every minute.*\(your answer says otherwise.*the harm.*\(nothing in your answer says it\)/,
    },
    {
      id: 'q4',
      answer: 'Nothing is wrong: it runs every minute. Use 0 2 * * * if it is too expensive.',
      score: 1,
      contradicts: /runs every minute.*\(your answer says otherwise.*the harm.*\(your answer says otherwise/,
    },
    {
      id: 'q8',
      answer:
        'Requests are the maximum. Limits are the minimum the container gets. Over the CPU limit the container is killed; over memory it slows down.',
      score: 0,
      contradicts:
        /scheduler reserves.*otherwise.*most a container may use.*otherwise.*throttles.*otherwise.*OOMKilled \(your answer says otherwise/,
    },
    {
      id: 'q12',
      answer: "Every Monday at 8 AM in the learner's own time zone.",
      score: 2,
      contradicts:
        /kube-controller-manager's time zone.*\(your answer says otherwise: "Every Monday at 8 AM in the learner's own time zone\."\)/,
    },
    {
      id: 'q16',
      answer:
        'Readiness: the container is restarted. Liveness: the container is not restarted, it keeps running and is removed from the endpoints. Startup: if it fails, the container is restarted.',
      score: 1,
      contradicts:
        /endpoints \(no traffic\) \(your answer says otherwise.*does not restart the container \(your answer says otherwise.*killed and restarted \(your answer says otherwise/,
    },
    {
      id: 'q20',
      answer: 'ceil(3*35/70) = ceil(1.5) = 2 replicas, at once: there is no stabilization for this.',
      score: 2,
      contradicts: /stabilization window \(your answer says otherwise/,
    },
    {
      id: 'q20',
      answer:
        'ceil(1.5) = 2, so it goes to 2 replicas right at the next 15s sync; the 5 min stabilization only applies to scale up.',
      score: 2,
      contradicts: /stabilization window \(your answer says otherwise/,
    },
  ];
  for (const { id, answer, score, contradicts } of misconceptions) {
    it(`${id}: an answer that says it the wrong way round earns nothing for it, and is told so`, () => {
      const graded = grade(id, answer);
      expect(graded.score, graded.feedback).toBe(score);
      expect(graded.feedback.split('Missed: ')[1]).toMatch(contradicts);
    });
  }

  it('a point said right in one sentence counts even when another sentence negates something else', () => {
    const right = [
      [
        'q3',
        'It is OOMKilled, not throttled like CPU would be. The container, not the pod, is restarted. kubectl describe pod shows it.',
      ],
      [
        'q4',
        'It fires 60 times an hour, so a new batch run begins while the previous one is still scoring. Use "0 2 * * *".',
      ],
      [
        'q8',
        'Requests are the minimum the scheduler reserves, limits are the maximum. Over CPU it is throttled, not killed; over memory it is killed, unlike CPU which is throttled.',
      ],
      ['q10', 'BestEffort first, then Burstable, Guaranteed last. churn-api runs as Burstable.'],
      ['q12', "Mondays at 08:00 UTC, the controller manager's zone, not your own time zone."],
      [
        'q15',
        'The controller prunes finished Jobs beyond two successes and two failures, so their logs stay for debugging and the rest do not pile up.',
      ],
      [
        'q16',
        'Liveness restarts the container, readiness removes it from the endpoints without restarting it. Startup probe failing: the container is restarted, it is not left hanging.',
      ],
      ['q20', 'ceil(1.5) = 2 replicas. Not at once: it waits for the 5-minute stabilization window.'],
    ] as const;
    for (const [id, answer] of right) {
      const graded = grade(id, answer);
      expect(graded.score, `${id}: ${graded.feedback}`).toBe(graded.max);
    }
  });

  it('refuses answers of the wrong shape with their line, and a file of several documents, with what to write', () => {
    const refused = (text: string) => {
      try {
        parseAnswers(text, 'answers.yaml', quiz);
      } catch (error) {
        return { message: (error as Error).message, code: (error as { exitCode?: number }).exitCode };
      }
      return undefined;
    };
    expect(refused('q2: true\nq1: [A, B]\n')).toEqual({
      message: 'answers.yaml:2: q1 takes one letter, like "q1: B", not a list.',
      code: 2,
    });
    expect(refused('q2:\n  a: 1\n')?.message).toBe(
      'answers.yaml:2: q2 takes true or false, like "q2: true", not a mapping.',
    );
    expect(refused('q3: {a: b}\n')?.message).toBe(
      'answers.yaml:1: q3 takes text on the same line, or a block under "q3: |", not a mapping.',
    );
    expect(refused('q1: B\n---\nq2: true\n')?.message).toMatch(
      /^answers\.yaml:2: the answers file holds more than one YAML document \(a line "---" starts another\)\./,
    );
    // The design answer may be the YAML itself, as a structure; a number is just a wrong answer.
    expect(refused('q5:\n  kind: PersistentVolumeClaim\nq3: 12\n')).toBeUndefined();
  });

  it('every short question has a key point for each part of its model answer and is graded by several phrasings', () => {
    for (const q of quiz.questions) {
      if (q.type !== 'short') continue;
      expect(q.keyPoints.length, q.id).toBeGreaterThanOrEqual(2);
      for (const k of q.keyPoints) {
        // Alternatives count: "oom*|137|out of memory" is three ways of saying it.
        const ways = [...k.says, ...k.accept].flatMap((p) => p.split('|'));
        expect(ways.length, `${q.id}: ${k.point}`).toBeGreaterThanOrEqual(2);
      }
    }
  });
});
