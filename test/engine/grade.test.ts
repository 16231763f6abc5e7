import { describe, expect, it } from 'vitest';
import { gradeQuestion, gradeQuiz, parseAnswers, prepareGrading } from '../../src/course/grade.js';
import { parseContent } from '../../src/course/load.js';
import { quizSchema } from '../../src/course/schema.js';

const quiz = parseContent(
  quizSchema,
  `id: mini
title: A small quiz
seed: Assessment Questions
questions:
  - id: q1
    type: choice
    prompt: What's the purpose of a CronJob?
    explanation: It runs scheduled tasks.
    choices:
      - {key: A, text: Run containers continuously}
      - {key: B, text: Run scheduled tasks periodically}
    answer: B
  - id: q2
    type: truefalse
    prompt: PVCs provide storage that persists across pod restarts.
    explanation: Their lifecycle is independent of pods.
    answer: true
  - id: q3
    type: short
    points: 3
    prompt: What happens if a container exceeds its memory limit?
    explanation: The kernel's OOM killer ends it.
    modelAnswer: It is OOMKilled, restarted per its restartPolicy; kubectl describe pod shows it.
    keyPoints:
      - point: the container is killed (OOMKilled)
        says: ['oom*|out of memory|137', 'kill*']
      - point: it is restarted according to the restart policy
        says: ['restart*']
      - point: kubectl describe pod shows the OOMKilled reason
        accept: ['describe', 'lastState', 'last state']
  - id: q5
    type: yaml
    points: 3
    prompt: Design a PVC and a Deployment that uses it.
    explanation: The claim must be ReadWriteOnce and mounted by the Deployment.
    modelAnswer: see the course
    rubric:
      - id: pvc-rwo
        requirement: a PersistentVolumeClaim with ReadWriteOnce
        kind: PersistentVolumeClaim
        fields: [{path: '.spec.accessModes[*]', equals: ReadWriteOnce}]
      - id: deploy-probes
        requirement: a Deployment with a readiness probe
        kind: Deployment
        fields: [{path: '.spec.template.spec.containers[*].readinessProbe', present: true}]
      - id: deploy-volume
        requirement: the Deployment mounts the claim
        kind: Deployment
        refers: [{path: '.spec.template.spec.volumes[*].persistentVolumeClaim.claimName', kind: PersistentVolumeClaim}]
`,
  'quizzes/mini.yaml',
);
const q = (id: string) => quiz.questions.find((x) => x.id === id)!;
await prepareGrading(quiz.questions);

const design = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-pvc}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          readinessProbe: {httpGet: {path: /ready, port: 8000}}
      volumes:
        - name: storage
          persistentVolumeClaim: {claimName: data-pvc}
`;

describe('grading', () => {
  it('choice: letters in several forms', () => {
    for (const answer of ['B', 'b', 'B)', '(b)', 'B. Run scheduled tasks'])
      expect(gradeQuestion(q('q1'), answer).score).toBe(1);
    expect(gradeQuestion(q('q1'), 'A')).toEqual({
      id: 'q1',
      score: 0,
      max: 1,
      feedback:
        'A) Run containers continuously is not it; the answer is B) Run scheduled tasks periodically.',
    });
    expect(gradeQuestion(q('q1'), 'Z').feedback).toMatch(/There is no choice Z/);
    expect(gradeQuestion(q('q1'), 'Run scheduled tasks').score).toBe(0);
  });

  it('true/false: booleans and words', () => {
    for (const answer of [true, 'true', 'True', 'yes', 't'])
      expect(gradeQuestion(q('q2'), answer).score).toBe(1);
    expect(gradeQuestion(q('q2'), false).score).toBe(0);
    expect(gradeQuestion(q('q2'), 'maybe').feedback).toBe('Answer true or false.');
  });

  it('short answer: key points with alternative phrasings and partial credit', () => {
    const full = gradeQuestion(
      q('q3'),
      'The container gets OOMKilled, then the kubelet restarts it; kubectl describe pod shows the reason.',
    );
    expect(full).toMatchObject({ score: 3, feedback: 'All 3 key points covered.' });
    const paraphrase = gradeQuestion(
      q('q3'),
      'It runs out of memory and the kernel kills it (exit code 137). Depending on restartPolicy it will restart; look at lastState.',
    );
    expect(paraphrase.score).toBe(3);
    const partial = gradeQuestion(q('q3'), 'It is killed by the OOM killer.');
    expect(partial.score).toBe(1);
    expect(partial.feedback).toBe(
      'Covered: the container is killed (OOMKilled). Missed: it is restarted according to the restart policy (nothing in your answer says it); kubectl describe pod shows the OOMKilled reason (nothing in your answer says it).',
    );
    expect(gradeQuestion(q('q3'), 'The pod gets more memory automatically.').score).toBe(0);
    expect(gradeQuestion(q('q3'), '   ').feedback).toBe('Not answered.');
  });

  it('YAML design: credit per requirement on the parsed documents, cross-document links checked', () => {
    expect(gradeQuestion(q('q5'), design)).toMatchObject({ score: 3, feedback: 'All 3 requirements met.' });
    const wrongClaim = design.replace('claimName: data-pvc', 'claimName: other-pvc');
    expect(gradeQuestion(q('q5'), wrongClaim)).toMatchObject({
      score: 2,
      feedback:
        'Met 2 of 3 requirements. Missing: the Deployment mounts the claim (persistentVolumeClaim.claimName names other-pvc; the PersistentVolumeClaim is data-pvc).',
    });
    const rwx = wrongClaim.replace('[ReadWriteOnce]', '[ReadWriteMany]');
    expect(gradeQuestion(q('q5'), rwx).score).toBe(1);
  });

  it('YAML design: a syntax error scores 0 with its line; odd input never crashes', () => {
    const broken = design.replace('  accessModes: [ReadWriteOnce]', '  accessModes: [ReadWriteOnce');
    const graded = gradeQuestion(q('q5'), broken);
    expect(graded.score).toBe(0);
    expect(graded.feedback).toMatch(/^The YAML does not parse \(line \d+ of the answer\)/);
    for (const odd of ['just text', '- a\n- b', '42', '---\n---\n', 'kind: [', '{}', 'null']) {
      expect(() => gradeQuestion(q('q5'), odd)).not.toThrow();
      expect(gradeQuestion(q('q5'), odd).score).toBe(0);
    }
  });

  it('grades a whole answers file, and refuses unknown ids and broken files with the line', () => {
    const answers = parseAnswers(
      `q1: B\nq2: true\nq3: OOMKilled and restarted\nq5: |\n${design.replace(/^/gm, '  ')}`,
      'answers.yaml',
      quiz,
    );
    const grade = gradeQuiz(quiz, answers);
    expect(grade).toMatchObject({ quiz: 'mini', score: 7, max: 8, percent: 87.5 });
    expect(grade.questions.map((x) => x.id)).toEqual(['q1', 'q2', 'q3', 'q5']);
    expect(() => parseAnswers('q1: B\nq9: A\n', 'answers.yaml', quiz)).toThrow(
      /^answers\.yaml:2: "q9" is not a question of quiz mini/,
    );
    expect(() => parseAnswers('q1: [B\n', 'answers.yaml', quiz)).toThrow(
      /^answers\.yaml:\d+: the answers file is not valid YAML/,
    );
    expect(() => parseAnswers('- B\n- true\n', 'answers.yaml', quiz)).toThrow(
      /must map question ids to answers/,
    );
    expect(() => parseAnswers('', 'answers.yaml', quiz)).toThrow(/is empty/);
    // An unanswered question scores 0 and says so.
    expect(gradeQuiz(quiz, parseAnswers('q1: B\n', 'a.yaml', quiz)).questions[1]).toEqual({
      id: 'q2',
      score: 0,
      max: 1,
      feedback: 'Not answered.',
    });
  });

  it('accepts a YAML design given as a mapping rather than a block string', () => {
    const answers = parseAnswers(
      'q5:\n  kind: PersistentVolumeClaim\n  metadata: {name: p}\n  spec: {accessModes: [ReadWriteOnce]}\n',
      'a.yaml',
      quiz,
    );
    expect(gradeQuiz(quiz, answers).questions.find((x) => x.id === 'q5')!.score).toBe(1);
  });
});
