/**
 * Grading a short answer by its statements. A key point is earned when a clause of the answer
 * states it (matches one of its `says` phrasings, not negated) and no clause contradicts it (a
 * `says` phrasing negated, or a `denies` phrasing). A bare list of terms states nothing; a clause
 * that proposes a fix ("should run daily") states nothing about how things are, so it neither
 * contradicts a point nor earns one, except a point about the fix itself (`proposal: true`).
 */
import {
  matchClause,
  matchInOrder,
  type Phrasing,
  parsePhrasing,
  parseTopics,
  topicsOf,
} from './reading/phrasing.js';
import { MAX_ANSWER_CHARS, readAnswer, type Sentence, type Token } from './reading/reader.js';
import type { KeyPoint, Question } from './schema.js';

type Short = Extract<Question, { type: 'short' }>;

export interface PointVerdict {
  point: KeyPoint;
  earned: boolean;
  /** A sentence that states it, one that contradicts it, one that only names its words. */
  states?: Sentence;
  contradicts?: Sentence;
  names?: Sentence;
}

interface Compiled {
  topics: ReturnType<typeof parseTopics>;
  points: { point: KeyPoint; says: Phrasing[]; denies: Phrasing[]; accept: RegExp[]; reject: RegExp[] }[];
}
const compiled = new WeakMap<Short, Compiled>();

function compile(question: Short): Compiled {
  let c = compiled.get(question);
  if (!c) {
    c = {
      topics: parseTopics(question.topics),
      points: question.keyPoints.map((point) => ({
        point,
        says: point.says.map((p) => parsePhrasing(p, question.topics)),
        denies: point.denies.map((p) => parsePhrasing(p, question.topics)),
        accept: point.accept.map((p) => new RegExp(p, 'i')),
        reject: point.reject.map((p) => new RegExp(p, 'i')),
      })),
    };
    compiled.set(question, c);
  }
  return c;
}

/** A clause as text, for an author's regular expression: bounded, so no pattern runs long. */
function clauseText(tokens: Token[]): string {
  let text = '';
  for (const t of tokens) text += (t.glued || text === '' ? '' : ' ') + t.normal;
  return text.slice(0, 1000);
}

export function capAnswer(text: string): { text: string; cut?: string } {
  if (text.length <= MAX_ANSWER_CHARS) return { text };
  return {
    text: text.slice(0, MAX_ANSWER_CHARS),
    cut: `Only the first ${MAX_ANSWER_CHARS / 1024} KB of this answer were read; the other ${Math.ceil((text.length - MAX_ANSWER_CHARS) / 1024)} KB were not graded. A short answer takes a few sentences.`,
  };
}

export function judgePoints(question: Short, text: string): PointVerdict[] {
  const { topics, points } = compile(question);
  const sentences = readAnswer(text);
  // What each clause is about: the topics it names, or those of the clause before it in the
  // sentence ("When it exceeds its memory limit, it is killed"), or of the heading above it.
  const clauseTopics = new Map<object, Set<number>>();
  for (const s of sentences) {
    const heading = s.heading.length > 0 ? topicsOf(s.heading, topics) : new Set<number>();
    let previous = heading;
    for (const clause of s.clauses) {
      const own = topicsOf(clause.tokens, topics);
      // A heading or label says what the sentence is about more surely than the clause before.
      const about = own.size > 0 ? new Set([...own, ...heading]) : heading.size > 0 ? heading : previous;
      clauseTopics.set(clause, about);
      previous = about;
    }
  }
  // A list's items one after another, for words that must come in order (a ranking).
  const lists = new Map<number, { first: Sentence; tokens: Token[] }>();
  for (const s of sentences) {
    if (s.list === undefined) continue;
    const list = lists.get(s.list) ?? { first: s, tokens: [] };
    for (const t of s.tokens) list.tokens.push(t);
    lists.set(s.list, list);
  }

  return points.map(({ point, says, denies, accept, reject }) => {
    const verdict: PointVerdict = { point, earned: false };
    const claim = (s: Sentence) => {
      verdict.states ??= s;
    };
    const contradict = (s: Sentence) => {
      verdict.contradicts ??= s;
    };
    // A negated statement ("does not kill pods randomly") contradicts the point only when nothing
    // in the answer states it; a statement of the point the wrong way round always does.
    let negatedAt: Sentence | undefined;
    for (const s of sentences) {
      for (const clause of s.clauses) {
        const about = clauseTopics.get(clause)!;
        const matches = says.filter((p) => !p.ordered).map((p) => matchClause(p, clause.tokens, about));
        const text = accept.length + reject.length > 0 ? clauseText(clause.tokens) : '';
        const stated = matches.some((m) => m?.negated === false) || accept.some((r) => r.test(text));
        // "Old Jobs don't pile up" says it with a negation of its own: a phrasing with `not` took it.
        const negated = !stated && matches.some((m) => m?.negated === true);
        const denied =
          denies.some((p) => !p.ordered && matchClause(p, clause.tokens, about)?.negated === false) ||
          reject.some((r) => r.test(text));
        if (s.termList && !point.named) {
          if (stated) verdict.names ??= s;
          continue;
        }
        // A fix proposed earns the point about the fix, and says nothing about how things are.
        if (clause.proposal !== point.proposal) continue;
        if (stated) claim(s);
        if (negated) negatedAt ??= s;
        if (denied) contradict(s);
      }
      for (const p of says) if (p.ordered && matchInOrder(p, s.tokens)) claim(s);
      for (const p of denies) if (p.ordered && matchInOrder(p, s.tokens)) contradict(s);
    }
    for (const { first, tokens } of lists.values()) {
      for (const p of says) if (p.ordered && matchInOrder(p, tokens)) claim(first);
      for (const p of denies) if (p.ordered && matchInOrder(p, tokens)) contradict(first);
    }
    if (!verdict.states && negatedAt) contradict(negatedAt);
    verdict.earned = verdict.states !== undefined && verdict.contradicts === undefined;
    return verdict;
  });
}

const quote = (s: Sentence) => {
  const text = s.text.replace(/\s+/g, ' ');
  return `"${text.length > 120 ? `${text.slice(0, 117)}…` : text}"`;
};

/** The feedback: what was covered, and for each point missed the sentence read (or that none said it). */
export function feedback(verdicts: PointVerdict[]): string {
  const hit = verdicts.filter((v) => v.earned);
  const missed = verdicts.filter((v) => !v.earned);
  if (missed.length === 0) return `All ${hit.length} key points covered.`;
  const got = hit.length > 0 ? `Covered: ${hit.map((v) => v.point.point).join('; ')}. ` : '';
  const why = (v: PointVerdict) =>
    v.contradicts
      ? `${v.point.point} (your answer says otherwise: ${quote(v.contradicts)})`
      : v.names
        ? `${v.point.point} (only named in a list, not said: ${quote(v.names)})`
        : `${v.point.point} (nothing in your answer says it)`;
  return `${got}Missed: ${missed.map(why).join('; ')}.`;
}
