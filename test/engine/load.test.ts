import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentError, parseContent } from '../../src/course/load.js';
import { exerciseSchema, quizSchema } from '../../src/course/schema.js';
import { loadCourse } from '../../src/files/course-files.js';

const exercise = `id: demo
title: A demo exercise
seed: Hands-On Exercise 1
intro: |
  Some **Markdown**.
steps:
  - id: first
    title: Create the namespace
    instructions: Create it.
    commands:
      - kubectl create namespace churn-mlops
    checks:
      - id: ns
        title: the namespace exists
        type: exists
        kind: Namespace
        name: churn-mlops
    hints:
      - Use kubectl create.
    solution:
      - kubectl create namespace churn-mlops
`;

function problem(
  text: string,
  schema: typeof exerciseSchema | typeof quizSchema = exerciseSchema,
): ContentError {
  try {
    parseContent(schema, text, 'labs/01-demo.yaml');
  } catch (error) {
    if (error instanceof ContentError) return error;
    throw error;
  }
  throw new Error('expected a ContentError');
}

describe('parseContent', () => {
  it('accepts a valid exercise and fills defaults', () => {
    const parsed = parseContent(exerciseSchema, exercise, 'labs/01-demo.yaml');
    // No namespace of its own: it works in the lab's (churn-mlops, or a classroom learner's).
    expect(parsed.namespace).toBeUndefined();
    expect(parsed.steps[0]!.checks[0]!.type).toBe('exists');
  });

  it('reports invalid YAML with its line', () => {
    const error = problem(exercise.replace('    title: Create the namespace', '    title: [unclosed'));
    expect(error.message).toMatch(/^labs\/01-demo\.yaml:\d+: invalid YAML: /);
    expect(error.exitCode).toBe(2);
  });

  it('names the field and the line of a wrong value', () => {
    const error = problem(exercise.replace('        type: exists', '        type: exist'));
    expect(error.line).toBe(15);
    expect(error.message).toMatch(/^labs\/01-demo\.yaml:15: steps\.0\.checks\.0(\.type)?: /);
  });

  it('names an unknown field', () => {
    const error = problem(
      exercise.replace('    instructions: Create it.', '    instructions: Create it.\n    hint: typo'),
    );
    expect(error.message).toBe('labs/01-demo.yaml:7: steps.0: unknown field hint');
  });

  it('names a missing field at its parent', () => {
    const error = problem(
      exercise.replace('    solution:\n      - kubectl create namespace churn-mlops\n', ''),
    );
    expect(error.message).toMatch(/^labs\/01-demo\.yaml:7: steps\.0\.solution: /);
  });

  it('rejects a regular expression that does not compile, at load time', () => {
    const broken = exercise.replace(
      '        type: exists\n        kind: Namespace\n        name: churn-mlops',
      '        type: logs\n        target: job/manual-batch\n        pattern: "Batch (scoring"',
    );
    const error = problem(broken);
    expect(error.message).toMatch(/steps\.0\.checks\.0\.pattern: not a valid regular expression/);
    expect(error.line).toBe(17);
  });

  it('rejects a step without checks or hints, and duplicate ids', () => {
    expect(
      problem(exercise.replace(/ {4}checks:[\s\S]*?name: churn-mlops\n/, '    checks: []\n')).message,
    ).toMatch(/the learner can never finish it/);
    const twice = exercise.replace(
      'steps:\n',
      'steps:\n  - id: first\n    title: t\n    instructions: i\n    checks: [{id: a, title: t, type: exists, kind: Namespace, name: x}]\n    hints: [h]\n    solution: [s]\n',
    );
    expect(problem(twice).message).toMatch(/step id "first" is used twice/);
  });

  it('checks a quiz: the answer must be one of the choices; ids are q1, q2...', () => {
    const quiz = `id: section-19
title: Quiz
seed: Assessment Questions
questions:
  - id: q1
    type: choice
    prompt: What is a CronJob for?
    explanation: It runs scheduled tasks.
    choices:
      - {key: A, text: Run containers continuously}
      - {key: B, text: Run scheduled tasks periodically}
    answer: C
`;
    expect(problem(quiz, quizSchema).message).toBe(
      'labs/01-demo.yaml:12: questions.0.answer: the answer "C" is not one of the choices',
    );
    expect(problem(quiz.replace('id: q1', 'id: question1'), quizSchema).message).toMatch(
      /question ids are q1, q2/,
    );
  });
});

describe('loadCourse', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-content-'));
    await mkdir(join(dir, 'labs'));
    await mkdir(join(dir, 'quizzes'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const dirs = () => ({ labs: join(dir, 'labs'), quizzes: join(dir, 'quizzes') });

  it('orders exercises by file name', async () => {
    await writeFile(join(dir, 'labs', '02-second.yaml'), exercise.replace('id: demo', 'id: second'));
    await writeFile(join(dir, 'labs', '01-first.yaml'), exercise.replace('id: demo', 'id: first'));
    expect((await loadCourse(dirs())).exercises.map((e) => e.id)).toEqual(['first', 'second']);
  });

  it('insists the id matches the file name', async () => {
    await writeFile(join(dir, 'labs', '01-other.yaml'), exercise);
    await expect(loadCourse(dirs())).rejects.toThrow(
      /the id "demo" does not match the file name \(01-other\.yaml\)/,
    );
  });

  it('insists requires names an exercise', async () => {
    await writeFile(
      join(dir, 'labs', '01-demo.yaml'),
      exercise.replace('intro:', 'requires: [nothing-here]\nintro:'),
    );
    await expect(loadCourse(dirs())).rejects.toThrow(/requires "nothing-here", which is not an exercise/);
  });

  it('reports a file it cannot parse with its path, never a stack', async () => {
    await writeFile(join(dir, 'labs', '01-demo.yaml'), 'id: demo\n  title: bad indentation\n');
    const caught = await loadCourse(dirs()).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(ContentError);
    expect((caught as ContentError).message).toMatch(/01-demo\.yaml:\d+: invalid YAML/);
  });
});
