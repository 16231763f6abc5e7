import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.js';

/** A YAML parse error in one line, without the position (the caller gives the line). */
export function yamlProblem(error: { message: string }): string {
  return (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** A mistake in a content file, reported as `labs/01-deploy-system.yaml:12: steps.0.checks: ...`. */
export class ContentError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${problem}`, 2);
    this.name = 'ContentError';
  }
}

/**
 * Parses YAML text and validates it with a schema. Errors carry the file, the line of the offending
 * node (or of its nearest parent that exists) and what is wrong, never a stack trace.
 */
export function parseContent<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line;
    throw new ContentError(file, line, `invalid YAML: ${yamlProblem(yamlError)}`);
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  return throwAt(file, doc, lineCounter, path, describeIssue(issue));
}

function throwAt(
  file: string,
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: (string | number)[],
  problem: string,
): never {
  let line: number | undefined;
  for (let depth = path.length; depth >= 0 && line === undefined; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
  }
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  throw new ContentError(file, line, `${where}${problem}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    return `unknown type; use one of the documented types (${issue.message})`;
  }
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
}
