import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, stringify } from 'yaml';
import { UserError } from '../errors.js';
import { refusals } from './admission.js';
import { yamlProblem } from './load.js';
import { loadReader, readerLoaded } from './reading/reader.js';
import type { Question, Quiz, RubricItem } from './schema.js';
import { capAnswer, feedback, judgePoints } from './short.js';
import { evaluateField, readPath } from './values.js';

export interface QuestionGrade {
  id: string;
  score: number;
  max: number;
  /** What was right and what was missed, in a sentence or two. */
  feedback: string;
}

export interface QuizGrade {
  quiz: string;
  score: number;
  max: number;
  percent: number;
  questions: QuestionGrade[];
}

/** An answer as given: a letter, a boolean, text, or (for a YAML design) the YAML or its parsed form. */
export type Answer = string | number | boolean | object | null;

const round = (n: number) => Math.round(n * 100) / 100;

/** At most this many YAML aliases are expanded in an answers file (an alias bomb is refused). */
const MAX_ALIASES = 100;

/**
 * Reads an answers file (`q1: B`, `q2: true`, `q3: text`, `q5: |` YAML). Unknown question ids,
 * an id answered twice and unreadable YAML are the learner's mistakes to fix: exit 2 with the
 * line. Every step is linear in the file's size: duplicate ids are found with a set, and aliases
 * are expanded at most MAX_ALIASES times.
 */
export function parseAnswers(text: string, file: string, quiz: Quiz): Map<string, Answer> {
  const lineCounter = new LineCounter();
  // uniqueKeys compares every key with every other: ids are checked below, in one pass.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const error = doc.errors[0];
  if (error?.code === 'MULTIPLE_DOCS') {
    throw new UserError(
      `${file}:${error.linePos?.[0]?.line ?? 1}: the answers file holds more than one YAML document (a line "---" starts another). Keep every answer in one; a design answer of several documents goes in a block under its id (q5: |), indented.`,
      2,
    );
  }
  if (error) {
    throw new UserError(
      `${file}:${error.linePos?.[0]?.line ?? 1}: the answers file is not valid YAML (${yamlProblem(error)}). Write one line per question, like "q1: B".`,
      2,
    );
  }
  if (doc.contents === null)
    throw new UserError(`${file}: the answers file is empty. Write one line per question, like "q1: B".`, 2);
  if (!isMap(doc.contents)) {
    throw new UserError(
      `${file}: the answers file must map question ids to answers, like "q1: B" on its own line.`,
      2,
    );
  }
  const byId = new Map(quiz.questions.map((q) => [q.id, q]));
  const seen = new Map<string, number | undefined>();
  const keys: string[] = [];
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const line =
      isScalar(pair.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
    const question = byId.get(key);
    if (!question) {
      throw new UserError(
        `${file}${line ? `:${line}` : ''}: "${key.length > 40 ? `${key.slice(0, 40)}…` : key}" is not a question of quiz ${quiz.id}; its questions are ${[...byId.keys()].join(', ')}.`,
        2,
      );
    }
    if (seen.has(key)) {
      const first = seen.get(key);
      throw new UserError(
        `${file}${line ? `:${line}` : ''}: ${key} is answered twice${first ? ` (first on line ${first})` : ''}. Keep one answer per question.`,
        2,
      );
    }
    seen.set(key, line);
    keys.push(key);
    // Only a design answer may be a structure (the YAML itself); the others are one value.
    if (question.type !== 'yaml' && (isMap(pair.value) || isSeq(pair.value))) {
      const at = pair.value.range !== undefined ? lineCounter.linePos(pair.value.range[0]).line : (line ?? 1);
      const form =
        question.type === 'choice'
          ? `one letter, like "${key}: B"`
          : question.type === 'truefalse'
            ? `true or false, like "${key}: true"`
            : `text on the same line, or a block under "${key}: |"`;
      throw new UserError(
        `${file}:${at}: ${key} takes ${form}, not a ${isMap(pair.value) ? 'mapping' : 'list'}.`,
        2,
      );
    }
  }
  let data: Record<string, unknown>;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES }) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ReferenceError)
      throw new UserError(
        `${file}: the answers file expands YAML aliases (*name) more than ${MAX_ALIASES} times. Write each answer out in full.`,
        2,
      );
    throw error;
  }
  const answers = new Map<string, Answer>();
  for (const key of keys) answers.set(key, (data[key] as Answer | undefined) ?? null);
  return answers;
}

/**
 * Loads what grading a short answer needs (the English model, about 100 ms), when any question of
 * these is short; call it before gradeQuestion or gradeQuiz. Other questions need nothing.
 */
export async function prepareGrading(questions: Question[]): Promise<void> {
  if (!readerLoaded() && questions.some((q) => q.type === 'short')) await loadReader();
}

export function gradeQuiz(quiz: Quiz, answers: Map<string, Answer>): QuizGrade {
  const questions = quiz.questions.map((q) => gradeQuestion(q, answers.get(q.id)));
  const score = round(questions.reduce((s, q) => s + q.score, 0));
  const max = round(questions.reduce((s, q) => s + q.max, 0));
  return {
    quiz: quiz.id,
    score,
    max,
    percent: max === 0 ? 0 : Math.round((score / max) * 1000) / 10,
    questions,
  };
}

export function gradeQuestion(question: Question, answer: Answer | undefined): QuestionGrade {
  const max = question.points;
  const grade = (fraction: number, feedback: string): QuestionGrade => ({
    id: question.id,
    score: round(max * fraction),
    max,
    feedback,
  });
  if (answer === undefined || answer === null || (typeof answer === 'string' && answer.trim() === '')) {
    return grade(0, 'Not answered.');
  }
  switch (question.type) {
    case 'choice': {
      const letter =
        typeof answer === 'string'
          ? /^\s*\(?([A-Za-z])(?:[).:\s]|$)/.exec(answer)?.[1]?.toUpperCase()
          : undefined;
      if (!letter)
        return grade(
          0,
          `Answer with the letter of a choice (${question.choices.map((c) => c.key).join(', ')}).`,
        );
      const right = question.choices.find((c) => c.key === question.answer)!;
      if (letter === question.answer) return grade(1, `Correct: ${right.key}) ${right.text}.`);
      const given = question.choices.find((c) => c.key === letter);
      return grade(
        0,
        `${given ? `${letter}) ${given.text} is not it` : `There is no choice ${letter}`}; the answer is ${right.key}) ${right.text}.`,
      );
    }
    case 'truefalse': {
      const value = toBoolean(answer);
      if (value === undefined) return grade(0, 'Answer true or false.');
      return value === question.answer
        ? grade(1, `Correct: ${question.answer ? 'true' : 'false'}.`)
        : grade(0, `Not so: the statement is ${question.answer ? 'true' : 'false'}.`);
    }
    case 'short': {
      const { text, cut } = capAnswer(typeof answer === 'string' ? answer : stringify(answer));
      const verdicts = judgePoints(question, text);
      const total = verdicts.reduce((s, v) => s + v.point.weight, 0);
      const earned = verdicts.filter((v) => v.earned).reduce((s, v) => s + v.point.weight, 0);
      return grade(earned / total, cut ? `${feedback(verdicts)} ${cut}` : feedback(verdicts));
    }
    case 'yaml':
      return gradeDesign(question, answer, grade);
  }
}

function toBoolean(answer: Answer): boolean | undefined {
  if (typeof answer === 'boolean') return answer;
  if (typeof answer !== 'string') return undefined;
  const word = answer.trim().toLowerCase();
  if (['true', 't', 'yes', 'y'].includes(word)) return true;
  if (['false', 'f', 'no', 'n'].includes(word)) return false;
  return undefined;
}

type Doc = { kind?: unknown; metadata?: { name?: unknown } } & Record<string, unknown>;

/** A design answer's YAML as its documents, or what does not parse and on which line of it. */
export function parseDesign(text: string): { docs: unknown[] } | { problem: string; line?: number } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter });
  // An empty stream comes back as one object rather than a list: no documents.
  if (!Array.isArray(parsed)) return { docs: [] };
  const error = parsed.flatMap((d) => d.errors)[0];
  if (error) return { problem: yamlProblem(error), line: error.linePos?.[0]?.line };
  return { docs: parsed.map((d) => d.toJS() as unknown) };
}

function gradeDesign(
  question: Extract<Question, { type: 'yaml' }>,
  answer: Answer,
  grade: (fraction: number, feedback: string) => QuestionGrade,
): QuestionGrade {
  let docs: Doc[];
  if (typeof answer === 'string') {
    const parsed = parseDesign(answer);
    if ('problem' in parsed) {
      const { line, problem } = parsed;
      return grade(
        0,
        `The YAML does not parse${line ? ` (line ${line} of the answer)` : ''}: ${problem}. Fix it and grade again.`,
      );
    }
    docs = parsed.docs.filter((d): d is Doc => typeof d === 'object' && d !== null && !Array.isArray(d));
  } else {
    const list = Array.isArray(answer) ? answer : [answer];
    docs = list.filter((d): d is Doc => typeof d === 'object' && d !== null && !Array.isArray(d));
  }
  if (docs.length === 0) return grade(0, 'The answer holds no Kubernetes objects (documents with a kind).');
  const items = question.rubric.map((item) => {
    const met = meets(item, docs);
    const found = met ? [] : whatIsThere(item, docs);
    return {
      requirement: found.length > 0 ? `${item.requirement} (${found.join('; ')})` : item.requirement,
      weight: item.weight,
      met,
    };
  });
  if (question.accepted) {
    // Earned by the design the question asks for, not by any document that happens to be valid.
    const complete = question.rubric.every((item) => docs.some((d) => d.kind === item.kind));
    const refused = refusals(docs);
    items.push({
      requirement:
        refused.length === 0
          ? question.accepted.requirement
          : `${question.accepted.requirement}; it refuses: ${refused.join('; ')}`,
      weight: question.accepted.weight,
      met: complete && refused.length === 0,
    });
  }
  const total = items.reduce((s, r) => s + r.weight, 0);
  const met = items.filter((item) => item.met);
  const missed = items.filter((item) => !item.met);
  const earned = met.reduce((s, r) => s + r.weight, 0);
  if (missed.length === 0) return grade(1, `All ${met.length} requirements met.`);
  return grade(
    earned / total,
    `Met ${met.length} of ${items.length} requirements. Missing: ${missed.map((r) => r.requirement).join('; ')}.`,
  );
}

/** A path as the learner would name the field: `.spec.scaleTargetRef.name` is "scaleTargetRef". */
function fieldName(path: string): string {
  const parts = path
    .replace(/\[[^\]]*\]/g, '')
    .split('.')
    .filter((p) => p !== '');
  if (parts.at(-1) === 'name' && parts.length > 1) return parts.at(-2)!;
  return parts
    .slice(-2)
    .filter((p, i) => i === 1 || p !== 'spec')
    .join('.');
}

/**
 * What the answer has where a requirement is missed, naming the values found: "maxReplicas is 5;
 * expected 10", "scaleTargetRef names my-app; the Deployment is my-api". A field with no value at
 * all is left to the requirement itself.
 */
function whatIsThere(item: RubricItem, docs: Doc[]): string[] {
  const doc = docs.find((d) => d.kind === item.kind);
  if (!doc) return [];
  const found: string[] = [];
  for (const field of item.fields) {
    if (field.present !== undefined) continue;
    try {
      const outcome = evaluateField(doc, field);
      if (!outcome.passed && outcome.found !== 'none')
        found.push(`${fieldName(field.path)} is ${outcome.found}; expected ${outcome.expected}`);
    } catch {
      // A path the document cannot have: nothing to name.
    }
  }
  for (const ref of item.refers) {
    const values = readPath(doc, ref.path).map(String);
    const names = docs.filter((d) => d.kind === ref.kind).map((d) => String(d.metadata?.name));
    if (values.length === 0 || values.some((v) => names.includes(v))) continue;
    found.push(
      `${fieldName(ref.path)} names ${values.join(', ')}; ${names.length > 0 ? `the ${ref.kind} is ${names.join(', ')}` : `there is no ${ref.kind}`}`,
    );
  }
  return found;
}

function meets(item: RubricItem, docs: Doc[]): boolean {
  return docs
    .filter((d) => d.kind === item.kind)
    .some(
      (doc) =>
        item.fields.every((field) => {
          try {
            return evaluateField(doc, field).passed;
          } catch {
            return false;
          }
        }) &&
        item.refers.every((ref) => {
          const names = new Set(docs.filter((d) => d.kind === ref.kind).map((d) => d.metadata?.name));
          return readPath(doc, ref.path).some((value) => names.has(value));
        }),
    );
}
