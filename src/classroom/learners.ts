import { usageError } from '../errors.js';

/**
 * A class's learners file: one name a line, blank lines and `#` comments allowed. A name becomes
 * the namespace `churn-mlops-<name>` and the context `churn-labs-<name>`, so it must be a DNS
 * label (lowercase letters, digits and `-`, starting and ending with a letter or digit) short
 * enough for the namespace's 63 characters.
 */
export const NAMESPACE_PREFIX = 'churn-mlops-';
export const MAX_NAME_LENGTH = 63 - NAMESPACE_PREFIX.length;
/** A class, not a city: the file is read whole, and every learner is one apply and one kubeconfig. */
export const MAX_LEARNERS = 500;
export const MAX_FILE_BYTES = 64 * 1024;

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The problem with a learner's name, or undefined when it is a good one. */
export function nameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH)
    return `"${name}" is ${name.length} characters long; a name has at most ${MAX_NAME_LENGTH} (the namespace churn-mlops-<name> has at most 63)`;
  if (!NAME.test(name))
    return `"${name}" is not a learner's name: use lowercase letters, digits and -, starting and ending with a letter or digit (like ana or team-2)`;
  return undefined;
}

/** The names in the file, in its order; a bad line or a name given twice is a usage error naming the line. */
export function parseLearners(text: string, file: string): string[] {
  if (Buffer.byteLength(text) > MAX_FILE_BYTES)
    throw usageError(
      `${file} is larger than ${MAX_FILE_BYTES / 1024} KB; a learners file has one name a line, at most ${MAX_LEARNERS} names.`,
    );
  const names: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const number = index + 1;
    const problem = nameProblem(line);
    if (problem) throw usageError(`${file}:${number}: ${problem}.`);
    const before = seen.get(line);
    if (before !== undefined)
      throw usageError(
        `${file}:${number}: "${line}" is there twice (first on line ${before}); give each learner once.`,
      );
    seen.set(line, number);
    names.push(line);
  });
  if (names.length === 0)
    throw usageError(`${file} names no learner: write one name a line (lowercase letters, digits and -).`);
  if (names.length > MAX_LEARNERS)
    throw usageError(`${file} names ${names.length} learners; a class has at most ${MAX_LEARNERS}.`);
  return names;
}

export const learnerNamespace = (name: string) => `${NAMESPACE_PREFIX}${name}`;
export const learnerContext = (name: string) => `churn-labs-${name}`;
