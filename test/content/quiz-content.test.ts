import { describe, expect, it } from 'vitest';
import type { Question } from '../../src/course/schema.js';
import { helpers, loadQuiz } from './quiz-fixture.js';

const quiz = await loadQuiz();
const { question } = helpers(quiz);

const OBJECTIVES = [
  'Deploy production-ready ML systems to Kubernetes',
  'Implement CronJobs for batch scoring',
  'Manage persistent storage with PVCs',
  'Configure resource limits and requests',
  'Set up monitoring and health checks',
  'Implement autoscaling',
  'Handle rolling updates and rollbacks',
];

describe('the section-19 quiz as content', () => {
  it('loads with the course loader', () => {
    expect(quiz).toBeDefined();
    expect(quiz.title).toMatch(/Section 19/);
  });

  it("starts with the seed's five questions in its order and types", () => {
    expect(quiz.questions.slice(0, 5).map((q) => [q.id, q.type])).toEqual([
      ['q1', 'choice'],
      ['q2', 'truefalse'],
      ['q3', 'short'],
      ['q4', 'short'],
      ['q5', 'yaml'],
    ]);
    expect(question('q1')).toMatchObject({ answer: 'B' });
    expect(question('q2')).toMatchObject({ answer: true });
    expect(question('q4').prompt).toContain('schedule: "* * * * *"');
  });

  it('has at least 10 more, numbered on, mixing the four types, each tied to a learning objective', () => {
    const more = quiz.questions.slice(5);
    expect(more.length).toBeGreaterThanOrEqual(10);
    expect(quiz.questions.map((q) => q.id)).toEqual(quiz.questions.map((_, i) => `q${i + 1}`));
    expect(new Set(quiz.questions.map((q) => q.type))).toEqual(
      new Set(['choice', 'truefalse', 'short', 'yaml']),
    );
    for (const q of quiz.questions) expect(OBJECTIVES, q.id).toContain(q.objective);
    expect(new Set(quiz.questions.map((q) => q.objective))).toEqual(new Set(OBJECTIVES));
  });

  it('covers each topic the section teaches', () => {
    const text = (q: Question) =>
      [
        q.prompt,
        q.explanation,
        'choices' in q ? JSON.stringify(q.choices) : '',
        'modelAnswer' in q ? q.modelAnswer : '',
      ].join('\n');
    const about = (pattern: RegExp) => quiz.questions.filter((q) => pattern.test(text(q))).map((q) => q.id);
    const topics: Record<string, RegExp> = {
      'access modes': /ReadWriteMany[\s\S]*ReadOnlyMany|ReadOnlyMany[\s\S]*ReadWriteMany/,
      'requests vs limits': /throttl[\s\S]*OOMKill|OOMKill[\s\S]*throttl/,
      'QoS classes':
        /BestEffort[\s\S]*Burstable[\s\S]*Guaranteed|Guaranteed[\s\S]*Burstable[\s\S]*BestEffort/,
      'eviction order': /evict/,
      'cron "0 */6 * * *"': /0 \*\/6 \* \* \*/,
      'cron "0 8 * * 1"': /0 8 \* \* 1/,
      'the three probes': /startupProbe[\s\S]*livenessProbe[\s\S]*readinessProbe/,
      'readiness removes from endpoints': /endpoints/,
      'HPA arithmetic': /ceil\(/,
      'maxSurge and maxUnavailable': /maxSurge[\s\S]*maxUnavailable/,
      'rollout undo': /rollout undo/,
      'create job --from': /create job[\s\S]*--from=cronjob/,
      'history limits': /successfulJobsHistoryLimit/,
      suspend: /suspend/,
    };
    for (const [topic, pattern] of Object.entries(topics)) expect(about(pattern), topic).not.toEqual([]);
  });

  it('weights the short answers and the design above the choices', () => {
    for (const q of quiz.questions) {
      if (q.type === 'choice' || q.type === 'truefalse') expect(q.points, q.id).toBe(1);
      else expect(q.points, q.id).toBeGreaterThanOrEqual(2);
      if (q.type === 'short') expect(q.points, q.id).toBe(q.keyPoints.reduce((s, k) => s + k.weight, 0));
    }
    expect(question('q5').points).toBeGreaterThan(
      Math.max(...quiz.questions.filter((q) => q.id !== 'q5').map((q) => q.points)),
    );
  });
});
