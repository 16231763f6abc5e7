/**
 * Reads a short answer as statements: its lines, list items and table rows, their sentences (as
 * wink-nlp splits them) and the clauses of each sentence, with what each clause is about (its
 * topics), whether it is negated and whether it proposes a fix rather than says how things are.
 * Everything here is one pass over the text: no pattern runs over the learner's words.
 */
import type { Document, ItemSentence, ItemToken, ItsFunction, ItsHelpers, WinkMethods } from 'wink-nlp';

export interface Token {
  /** Lower case, as wink-nlp normalises it ("n't" is "not"). */
  normal: string;
  lemma: string;
  pos: string;
  /** Whether the token follows the previous one without a space ("churn" "-" "api"). */
  glued: boolean;
  /** `normal` and `lemma` as phrasings compare them: no dashes, underscores or commas. */
  key: string;
  lemmaKey: string;
}

/** Case, dashes and commas aside: `best-effort` is `besteffort`, `1,440` is `1440`. */
export const squash = (word: string) => word.toLowerCase().replace(/[-_,]/g, '');

export interface Clause {
  tokens: Token[];
  /** The sentence it belongs to, for matching words in order and for quoting. */
  sentence: Sentence;
  /** Index of the first token in the sentence's tokens. */
  start: number;
  /** Set when the clause (or the sentence from an earlier word on) proposes a change. */
  proposal: boolean;
}

export interface Sentence {
  /** As written, for quoting in feedback. */
  text: string;
  tokens: Token[];
  clauses: Clause[];
  /** Three or more short items with nothing said about them ("OOM, restart, describe"). */
  termList: boolean;
  /**
   * What the sentence is said to be about: the heading line it sits under ("Readiness:"), the
   * first cell of its table row, or the label it starts with ("Startup: ...").
   */
  heading: Token[];
  /** The list (numbered or bulleted) it is an item of, if any; items of one list share it. */
  list?: number;
}

type Nlp = WinkMethods;
let loaded: { nlp: Nlp; its: ItsHelpers } | undefined;

/**
 * Loads wink-nlp and its English model (about 100 ms, once per process). Only grading a short
 * answer needs them, so the CLI and the terminal app load them then and not at start-up.
 */
export async function loadReader(): Promise<void> {
  if (loaded) return;
  const [{ default: winkNLP }, { default: model }] = await Promise.all([
    import('wink-nlp'),
    import('wink-eng-lite-web-model'),
  ]);
  // Sentence boundaries, negation and parts of speech (lemmas come with them); no entities or sentiment.
  const nlp = winkNLP(model, ['sbd', 'negation', 'pos']);
  loaded = { nlp, its: nlp.its };
}

export function readerLoaded(): boolean {
  return loaded !== undefined;
}

/** What is read of one answer; the rest is refused with a sentence. */
export const MAX_ANSWER_CHARS = 20 * 1024;
/** A statement longer than this is cut into statements of this many words. */
const MAX_CLAUSE_TOKENS = 60;

const LIST_ITEM = /^(?:[-*•+]|\d{1,3}[.)])\s+/;
const NEGATIONS = new Set(['not', 'no', 'never', 'without', 'nothing', 'none', 'neither', 'nor', 'cannot']);
const CLAUSE_BREAKS = new Set([',', ';', ':', '|', '—', '–']);
const CONJUNCTIONS = new Set(['and', 'but', 'or', 'while', 'whereas', 'although', 'though', 'except']);
/** Words after which a topic is a comparison ("not throttled like CPU"), not what is talked about. */
const COMPARISONS = new Set(['like', 'unlike', 'than']);
/** Words that make the rest of a sentence a proposal rather than a statement of how things are. */
const PROPOSALS = new Set([
  'should',
  'could',
  'better',
  'instead',
  'recommend',
  'recommended',
  'suggest',
  'ideally',
  'prefer',
  'plenty',
  'reasonable',
  'sensible',
  'appropriate',
  'ought',
  'fix',
  'e.g.',
  'sense',
  'rather',
  'suffice',
  'suffices',
  'sufficient',
]);
/** An imperative opening a sentence ("Use 0 2 * * *", "Change it to ...") proposes too. */
const IMPERATIVES = new Set([
  'use',
  'set',
  'change',
  'replace',
  'switch',
  'try',
  'make',
  'schedule',
  'run',
  'add',
]);

export function isNegation(token: Token): boolean {
  return NEGATIONS.has(token.normal);
}

/** Reads an answer already capped at MAX_ANSWER_CHARS. */
export function readAnswer(text: string): Sentence[] {
  if (!loaded) throw new Error('loadReader() must be awaited before a short answer is graded');
  const { nlp, its } = loaded;
  const sentences: Sentence[] = [];
  const tokensOf = (s: ItemSentence | Document) => {
    const tokens: Token[] = [];
    s.tokens().each((t: ItemToken) => {
      const type = t.out(its.type);
      if (type === 'tabCRLF' || type === 'space') return;
      const normal = stripDot(t.out(its.normal));
      const lemma = stripDot(t.out(its.lemma as ItsFunction<string>));
      tokens.push({
        normal,
        lemma,
        pos: t.out(its.pos),
        glued: t.out(its.precedingSpaces) === '',
        key: squash(normal),
        lemmaKey: squash(lemma),
      });
    });
    return tokens;
  };
  let heading: Token[] = [];
  const read = (block: string, listId?: number, about = heading) => {
    nlp
      .readDoc(block)
      .sentences()
      .each((s: ItemSentence) => {
        const tokens = tokensOf(s);
        if (tokens.length > 0) sentences.push(sentence(s.out(), tokens, about, listId));
      });
  };
  let list = 0;
  let inList = false;
  let paragraph: string[] = [];
  let header: string[] | undefined;
  const flush = () => {
    if (paragraph.length > 0) read(paragraph.join(' '));
    paragraph = [];
  };
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') {
      flush();
      heading = [];
      inList = false;
      continue;
    }
    if (line.startsWith('|')) {
      flush();
      const cells = tableCells(line);
      if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
      if (!inList) {
        list++;
        header = undefined;
      }
      inList = true;
      // The row above a |---| line is the header: in a table of three columns or more it names
      // what each column is about ("| | requests | limits |"); a two-column header says little.
      const next = lines[index + 1]?.trim() ?? '';
      if (next.startsWith('|') && tableCells(next).every((c) => /^:?-+:?$/.test(c))) {
        header = cells;
        continue;
      }
      const named = cells.map((cell, i) =>
        i > 0 && header && header.length >= 3 && header[i] ? `${header[i]} ${cell}` : cell,
      );
      // A row reads as its cells, each a clause; the first cell is what the row is about.
      read(named.filter((c) => c !== '').join(' | '), list, tokensOf(nlp.readDoc(cells[0] ?? '')));
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      flush();
      if (!inList) list++;
      inList = true;
      read(line.slice(item[0].length), list);
      continue;
    }
    inList = false;
    if (line.endsWith(':') && line.split(/\s+/).length <= 8) {
      // "Readiness:" heads the lines under it: they are about what it names.
      flush();
      heading = tokensOf(nlp.readDoc(line.slice(0, -1)));
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return sentences;
}

function tableCells(line: string): string[] {
  const cells = line.split('|').map((c) => c.trim());
  // The pipes at either end leave an empty cell before and after.
  if (cells[0] === '') cells.shift();
  if (cells.at(-1) === '') cells.pop();
  return cells;
}

/** wink-nlp leaves a sentence's full stop on some words ("2am."). */
function stripDot(word: string): string {
  return word.length > 1 && word.endsWith('.') && word !== 'e.g.' ? word.slice(0, -1) : word;
}

function hasVerb(tokens: Token[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (tokens[i]!.pos === 'VERB' || tokens[i]!.pos === 'AUX') return true;
  return false;
}

function sentence(text: string, tokens: Token[], heading: Token[], list?: number): Sentence {
  const s: Sentence = { text: text.trim(), tokens, clauses: [], termList: false, heading, list };
  // Clauses: split at commas, semicolons, colons, arrows; at a conjunction when both sides have a verb.
  const starts: number[] = [0];
  let proposalFrom = Number.POSITIVE_INFINITY;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // "Once a day is enough" proposes; "a node with enough room" does not.
    const after = tokens[i + 1];
    const enough =
      t.normal === 'enough' &&
      (!after || after.pos === 'PUNCT' || ['for', 'to', 'if'].includes(after.normal));
    if ((PROPOSALS.has(t.normal) || enough) && i < proposalFrom) proposalFrom = i;
    if ((i === 0 || starts.at(-1) === i) && IMPERATIVES.has(t.normal) && i < proposalFrom) proposalFrom = i;
    const arrow = t.normal === '>' && tokens[i - 1]?.normal === '-';
    if (CLAUSE_BREAKS.has(t.normal) || t.normal === '→' || arrow) {
      if (i + 1 > starts.at(-1)!) starts.push(i + 1);
      continue;
    }
    // "and restarted" starts a clause; "2 and 3" does not.
    if (CONJUNCTIONS.has(t.normal) && i > starts.at(-1)! && tokens[i + 1]?.pos !== 'NUM') {
      const next = nextBreak(tokens, i + 1);
      if (hasVerb(tokens, starts.at(-1)!, i) && hasVerb(tokens, i + 1, next)) starts.push(i);
    }
    if (i - starts.at(-1)! >= MAX_CLAUSE_TOKENS) starts.push(i);
  }
  starts.push(tokens.length);
  let proposal = false;
  let label: Token[] = [];
  for (let c = 0; c + 1 < starts.length; c++) {
    const from = starts[c]!;
    const to = starts[c + 1]!;
    const own = tokens.slice(from, to).filter((t) => !(t.pos === 'PUNCT' && CLAUSE_BREAKS.has(t.normal)));
    if (own.length === 0) continue;
    if (proposalFrom < to) proposal = true;
    // "Readiness: removed from the endpoints", "| hour | 8 |": a short label before a colon or a
    // table's bar is what the clause after it is about, and reads as part of it.
    const end = tokens[to - 1]?.normal;
    if (
      (end === ':' || end === '|') &&
      own.length <= 3 &&
      !hasVerb(own, 0, own.length) &&
      c + 2 < starts.length
    ) {
      label = [...label, ...own];
      if (s.clauses.length === 0) s.heading = [...s.heading, ...own];
      continue;
    }
    s.clauses.push({ tokens: [...label, ...own], sentence: s, start: from, proposal });
    label = [];
  }
  if (label.length > 0) s.clauses.push({ tokens: label, sentence: s, start: 0, proposal });
  s.termList = isTermList(tokens);
  return s;
}

function nextBreak(tokens: Token[], from: number): number {
  for (let i = from; i < tokens.length; i++) if (CLAUSE_BREAKS.has(tokens[i]!.normal)) return i;
  return tokens.length;
}

/** Words that relate what they stand between, so that a short list says something. */
const RELATIONS = new Set([
  'first',
  'then',
  'last',
  'next',
  'before',
  'after',
  'finally',
  '=',
  '>',
  '→',
  ':',
]);

/**
 * Three or more items of at most three words, none of which says something: a single word says
 * nothing, and a longer item says something with an auxiliary, an inflected verb ("restarted"),
 * a negation or a word that relates ("first", "=", "→"). A list of terms, not statements.
 */
function isTermList(tokens: Token[]): boolean {
  const items: Token[][] = [];
  let current: Token[] = [];
  for (const t of tokens) {
    if (t.normal === ',' || t.normal === ';' || t.normal === '/' || t.normal === 'and' || t.normal === '.') {
      if (current.length > 0) items.push(current);
      current = [];
    } else if (t.pos !== 'PUNCT' || t.normal === ':') current.push(t);
  }
  if (current.length > 0) items.push(current);
  if (items.length < 3) return false;
  return items.every(
    (item) =>
      item.length === 1 ||
      (item.length <= 3 &&
        !item.some(
          (t) =>
            RELATIONS.has(t.normal) ||
            t.pos === 'AUX' ||
            (t.pos === 'VERB' && t.normal !== t.lemma) ||
            NEGATIONS.has(t.normal),
        )),
  );
}

/**
 * How far a negation at `at` reaches: up to its verb and the words that make up the verb ("not
 * throttled", "doesn't get restarted", "never succeeds"), or to the end of the clause when no verb
 * follows ("no restart"). "If it never succeeds the container is killed": "killed" is not negated.
 */
export function negationScope(tokens: Token[], at: number): number {
  let i = at + 1;
  while (i < tokens.length && tokens[i]!.pos !== 'VERB') i++;
  if (i >= tokens.length) return tokens.length;
  for (i++; i < tokens.length; i++) {
    const pos = tokens[i]!.pos;
    if (pos !== 'VERB' && pos !== 'AUX' && pos !== 'PART' && pos !== 'ADV') break;
  }
  return i;
}

/** The words a topic or comparison scan skips: "like CPU" in "not throttled like CPU". */
export function comparedFrom(tokens: Token[]): number {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (COMPARISONS.has(t.normal)) return i;
    if (t.normal === 'as' && (tokens[i + 1]?.normal === 'with' || tokens[i + 1]?.normal === 'for')) return i;
    if (t.normal === 'compared' || t.normal === 'contrary') return i;
  }
  return tokens.length;
}
