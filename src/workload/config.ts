/*
 * The churn-mlops config file: the ConfigMap `churn-mlops-config`, key `config.yaml`, mounted at
 * /app/config/config.yaml and named by $CHURN_MLOPS_CONFIG. Every key is optional:
 *
 *   app:
 *     name: churn-mlops
 *     log_level: info            # debug | info | warn | error
 *   paths:
 *     data: /app/data            # raw/ (training.csv, recent.csv), predictions/
 *     artifacts: /app/artifacts  # models/, metrics/, registry/model_registry.json
 *   api:
 *     max_body_bytes: 65536      # a larger POST body gets 413
 *     model_poll_seconds: 2      # how often the API looks for a (new) production model
 *   model:
 *     threshold: 0.5             # will_churn = churn_probability >= threshold
 *   data:
 *     users: 5000                # synthetic users per data set
 *     seed: 19
 *   drift:
 *     psi_threshold: 0.2         # a feature whose PSI exceeds this has drifted
 *   training:
 *     min_improvement: 0.005     # a candidate's held-out AUC must beat production's by this much
 *
 * A missing file means all defaults (with one warning); a file that is not YAML or holds a wrong
 * type is refused with one sentence naming the key, because a silently ignored setting is worse.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import * as z from 'zod/mini';
import { UserError } from '../errors.js';

// zod/mini rather than zod: the workload bundle stays small, so pods and jobs start fast.
const setting = <T extends z.core.SomeType>(schema: T, fallback: z.core.util.NoUndefined<z.core.output<T>>) =>
  z._default(schema, fallback);
// Every key of a section has a default, so an absent section is an empty one (TypeScript cannot see that).
const section = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.prefault(z.object(shape), {} as z.input<z.ZodMiniObject<T>>);

export const configSchema = z.object({
  app: section({
    name: setting(z.string().check(z.minLength(1)), 'churn-mlops'),
    log_level: setting(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  }),
  paths: section({
    data: setting(z.string().check(z.minLength(1)), '/app/data'),
    artifacts: setting(z.string().check(z.minLength(1)), '/app/artifacts'),
  }),
  api: section({
    max_body_bytes: setting(z.int().check(z.positive()), 65536),
    model_poll_seconds: setting(z.number().check(z.gte(0.05), z.lte(3600)), 2),
  }),
  model: section({ threshold: setting(z.number().check(z.gte(0), z.lte(1)), 0.5) }),
  data: section({
    users: setting(z.int().check(z.gte(50), z.lte(10_000_000)), 5000),
    seed: setting(z.int(), 19),
  }),
  drift: section({ psi_threshold: setting(z.number().check(z.positive()), 0.2) }),
  training: section({ min_improvement: setting(z.number().check(z.gte(0), z.lte(1)), 0.005) }),
});

export type Config = z.infer<typeof configSchema>;

export interface LoadedConfig {
  config: Config;
  /** Where the config came from, as the container sees it (for messages). */
  source: string | undefined;
  warnings: string[];
}

/**
 * Maps a path as the container sees it (/app/data) to where it lives on this machine: under
 * $CHURN_MLOPS_FS_ROOT when the simulated cluster runs the pod as a local process, else itself.
 */
export function onDisk(containerPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = env.CHURN_MLOPS_FS_ROOT;
  if (root && isAbsolute(containerPath)) return join(root, containerPath);
  return resolve(containerPath);
}

export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const source = env.CHURN_MLOPS_CONFIG || undefined;
  if (!source) return { config: configSchema.parse({}), source, warnings: [] };
  let text: string;
  try {
    text = await readFile(onDisk(source, env), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UserError(`Cannot read the config file ${source}: ${(error as Error).message}.`, 2);
    }
    return {
      config: configSchema.parse({}),
      source,
      warnings: [`config file ${source} not found; using the default settings`],
    };
  }
  return { ...parseConfig(text, source), source };
}

export function parseConfig(text: string, source: string): { config: Config; warnings: string[] } {
  const document = parseDocument(text, { prettyErrors: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0].line;
    const where = line ? ` at line ${line}` : '';
    throw new UserError(
      `The config file ${source} is not valid YAML${where}: ${firstSentence(yamlError.message)}.`,
      2,
    );
  }
  const raw: unknown = document.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(
      `The config file ${source} must be a YAML mapping of settings (app, paths, api, ...).`,
      2,
    );
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.') || '(top level)';
    throw new UserError(
      `The config file ${source} has an invalid value for ${key}: ${describeIssue(issue)}. Fix that key or remove it to use the default.`,
      2,
    );
  }
  const unknown = unknownKeys(raw as Record<string, unknown>, configSchema.parse({}));
  const warnings = unknown.length
    ? [`config file ${source}: ignoring unknown key(s) ${unknown.join(', ')}`]
    : [];
  return { config: result.data, warnings };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`;
    case 'too_small':
      if (issue.origin === 'string') return 'expected a non-empty text';
      return `expected ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      return `expected ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of ${issue.values.join(', ')}`;
    default:
      return issue.message;
  }
}

function firstSentence(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?\s*$/, '')
    .replace(/[.:]\s*$/, '');
}

/** Keys the file sets that no setting has: a typo there would otherwise be silently ignored. */
function unknownKeys(raw: Record<string, unknown>, known: Record<string, unknown>, prefix = ''): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(known, key)) found.push(prefix + key);
    else if (isMapping(value) && isMapping(known[key])) {
      found.push(...unknownKeys(value, known[key], `${prefix}${key}.`));
    }
  }
  return found;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
