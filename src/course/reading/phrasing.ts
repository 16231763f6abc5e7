/**
 * A key point's phrasings, as a course author writes them:
 *
 *   memory + killed|oom*|137        every group in one clause, in any order
 *   readiness + not + restart*      `not`: the clause negates what follows it
 *   best effort ... burstable ... guaranteed   groups in this order, in one sentence or one list
 *
 * A group is alternatives separated by `|`; an alternative is one or more words in a row; a word
 * ending in `*` matches any word it starts (`throttl*`). Words match the learner's words as written
 * or as their dictionary form (`killed` matches "kills"; `restart` matches "restarted"), and
 * ignore case and dashes (`besteffort` matches "Best-Effort").
 */
import { comparedFrom, isNegation, negationScope, squash, type Token } from './reader.js';

interface Word {
  text: string;
  prefix: boolean;
}
interface Group {
  alternatives: Word[][];
  /** The `not` group: a negation in the clause, which then does not negate the statement. */
  not: boolean;
  /** Index of the question's topic this group names, matched on what the clause is about. */
  topic?: number;
}
export interface Phrasing {
  source: string;
  ordered: boolean;
  groups: Group[];
}

function parseGroup(source: string): Group {
  const alternatives = source
    .split('|')
    .map((alt) => alt.trim())
    .filter((alt) => alt !== '')
    .map((alt) =>
      alt
        .split(/\s+/)
        .map((w) =>
          w.endsWith('*')
            ? { text: squash(w.slice(0, -1)), prefix: true }
            : { text: squash(w), prefix: false },
        )
        .filter((w) => w.text !== ''),
    )
    .filter((words) => words.length > 0);
  if (alternatives.length === 0) throw new Error(`"${source}" names no word`);
  const not =
    alternatives.length === 1 && alternatives[0]!.length === 1 && alternatives[0]![0]!.text === 'not';
  return { alternatives, not };
}

/** Parses a phrasing; throws with what is wrong for the content loader to report. */
export function parsePhrasing(source: string, topics: string[] = []): Phrasing {
  const ordered = source.includes(' ... ');
  const parts = ordered ? source.split(' ... ') : source.split(' + ');
  const groups = parts.map((part) => {
    const group = parseGroup(part);
    const names = (text: string) => text.split('|').map((a) => a.trim().toLowerCase());
    const topic = topics.findIndex((t) => names(part).every((a) => names(t).includes(a)));
    return topic >= 0 ? { ...group, topic } : group;
  });
  if (ordered && groups.length < 2)
    throw new Error(`"${source}": put "..." between the words to find in order`);
  return { source, ordered, groups };
}

/** The topics of a question as groups, to find what a clause is about. */
export function parseTopics(topics: string[]): Group[] {
  return topics.map(parseGroup);
}

/** Words written without spaces that a phrasing's word may join up: "0.1.0", "churn-api", "300s". */
const MAX_GLUED = 8;

/** How many tokens from `at` the word covers, or 0. Glued tokens ("0.1.0", "churn-api") join up. */
function wordAt(tokens: Token[], at: number, word: Word): number {
  const first = tokens[at];
  if (!first) return 0;
  const same = (text: string) => (word.prefix ? text.startsWith(word.text) : text === word.text);
  if (same(first.key) || same(first.lemmaKey)) return 1;
  let joined = first.key;
  const last = Math.min(tokens.length, at + MAX_GLUED);
  for (let i = at + 1; i < last && tokens[i]!.glued && joined.length < word.text.length; i++) {
    joined += tokens[i]!.key;
    if (same(joined)) return i - at + 1;
  }
  return 0;
}

/** Where the alternative starts matching at `at`: the index after it, or -1. */
function alternativeAt(tokens: Token[], at: number, words: Word[]): number {
  let i = at;
  for (const [k, word] of words.entries()) {
    // Between the words of a term, a dash, a slash or a comma may stand: "best - effort", "1, 2".
    while (
      k > 0 &&
      i < tokens.length &&
      (tokens[i]!.normal === '-' || tokens[i]!.normal === '/' || tokens[i]!.normal === ',')
    )
      i++;
    const n = wordAt(tokens, i, word);
    if (n === 0) return -1;
    i += n;
  }
  return i;
}

/** The first place at or after `from` where the group matches: [start, end), or undefined. */
export function findGroup(
  tokens: Token[],
  group: Group,
  from = 0,
  to = tokens.length,
): [number, number] | undefined {
  for (let i = from; i < to; i++) {
    for (const words of group.alternatives) {
      const end = alternativeAt(tokens, i, words);
      if (end > 0 && end <= to) return [i, end];
    }
  }
  return undefined;
}

/** The topics a clause names itself, leaving out those it compares with ("like CPU"). */
export function topicsOf(tokens: Token[], topics: Group[]): Set<number> {
  // "unlike CPU, which is throttled" is about CPU: a comparison that opens the clause is its topic.
  const from = comparedFrom(tokens);
  const end = from === 0 ? tokens.length : from;
  const found = new Set<number>();
  topics.forEach((topic, index) => {
    if (findGroup(tokens, topic, 0, end)) found.add(index);
  });
  return found;
}

export interface ClauseMatch {
  /** An odd number of negations before the last word matched (and not taken by a `not` group). */
  negated: boolean;
}

/** Matches an unordered phrasing on one clause, whose topics are given. */
export function matchClause(
  phrasing: Phrasing,
  tokens: Token[],
  topics: Set<number>,
): ClauseMatch | undefined {
  // Negations inside the words matched ("no longer", "not often enough") belong to the phrasing.
  const taken = new Set<number>();
  const at: number[] = [];
  for (const group of phrasing.groups) {
    if (group.topic !== undefined) {
      if (!topics.has(group.topic)) return undefined;
      continue;
    }
    if (group.not) {
      const found = tokens.findIndex((t, i) => isNegation(t) && !taken.has(i));
      if (found < 0) return undefined;
      taken.add(found);
      continue;
    }
    const found = findGroup(tokens, group);
    if (!found) return undefined;
    for (let i = found[0]; i < found[1]; i++) taken.add(i);
    at.push(found[0]);
  }
  // Each other negation flips the statement when its reach covers a word matched.
  let negations = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!isNegation(tokens[i]!) || taken.has(i)) continue;
    const end = negationScope(tokens, i);
    if (at.some((a) => a > i && a < end)) negations++;
  }
  return { negated: negations % 2 === 1 };
}

/** Matches an ordered phrasing on a run of tokens (a sentence, or a list's items one after another). */
export function matchInOrder(phrasing: Phrasing, tokens: Token[]): boolean {
  let from = 0;
  for (const group of phrasing.groups) {
    const found = findGroup(tokens, group, from);
    if (!found) return false;
    from = found[1];
  }
  return true;
}
