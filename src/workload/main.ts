import { parseArgs } from 'node:util';
import { isUserError, UserError } from '../errors.js';
import { loadConfig } from './config.js';
import { volumeLayout } from './layout.js';
import { createLogger } from './log.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

interface Command {
  summary: string;
  usage: string;
  options: OptionSpec;
}

const COMMANDS: Record<string, Command> = {
  api: { summary: 'serve predictions over HTTP on $PORT (default 8000)', usage: 'api', options: {} },
  'seed-model': {
    summary: 'generate the data, train the baseline model, register it as production',
    usage: 'seed-model',
    options: {},
  },
  'batch-score': {
    summary: 'score every recent user; write <data>/predictions/predictions_<time>.csv',
    usage: 'batch-score [--users N]   (N synthetic users held in memory at once)',
    options: { users: { type: 'string' } },
  },
  'check-drift': {
    summary: 'compare recent data with the training data (PSI per feature); write a report',
    usage: 'check-drift',
    options: {},
  },
  'train-candidate': {
    summary: 'train a candidate model on the latest data',
    usage: 'train-candidate',
    options: {},
  },
  'promote-model': {
    summary: 'promote the newest candidate if it beats production, and say why either way',
    usage: 'promote-model',
    options: {},
  },
  load: {
    summary: 'put load on the API (for the autoscaling exercise)',
    usage: 'load [--url URL] [--concurrency N] [--duration SECONDS]',
    options: { url: { type: 'string' }, concurrency: { type: 'string' }, duration: { type: 'string' } },
  },
};

const appVersion = () => process.env.CHURN_MLOPS_VERSION || '0.1.0';

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    `churn-mlops ${appVersion()}: the churn prediction system of the churn-mlops course`,
    '',
    'Usage: churn-mlops <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Options: --help, --version, --debug (show stack traces of unexpected errors)',
    '',
    'Environment:',
    '  CHURN_MLOPS_CONFIG   the YAML config file (the ConfigMap churn-mlops-config); defaults without it',
    '  PORT                 where `api` listens (default 8000)',
    '  CHURN_MLOPS_HOST     the address `api` listens on (default: all interfaces)',
    '  CHURN_MLOPS_VERSION  the version /health reports (default 0.1.0)',
    "  CHURN_MLOPS_FS_ROOT  a folder standing for / (how the simulated cluster maps a pod's volumes)",
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`churn-mlops ${appVersion()}\n`);
    return 0;
  }
  if (!name) {
    process.stderr.write(`${helpText()}\nchurn-mlops: give a command, e.g. churn-mlops api.\n`);
    return 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(
      `churn-mlops: unknown command "${name}"; the commands are ${Object.keys(COMMANDS).join(', ')} (see churn-mlops --help).\n`,
    );
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`Usage: churn-mlops ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args: rest,
        options: command.options,
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      const reason = (error as Error).message.split(/\.\s|\n/)[0];
      throw new UserError(`${reason}. Usage: churn-mlops ${command.usage}`, 2);
    }
    return await run(name, values);
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`churn-mlops ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    const detail = debug
      ? ((error as Error)?.stack ?? String(error))
      : ((error as Error)?.message ?? String(error));
    process.stderr.write(
      `churn-mlops ${name} failed unexpectedly: ${detail}${debug ? '' : ' (run with --debug for details)'}\n`,
    );
    return 1;
  }
}

async function run(name: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const loaded = await loadConfig();
  const log = createLogger(loaded.config.app.log_level);
  for (const warning of loaded.warnings) log.warn(warning);
  const layout = volumeLayout(loaded.config);
  if (name === 'api') {
    const { runApi } = await import('./api/run.js');
    const port = integer('PORT', process.env.PORT ?? '8000', 0, 65535);
    await runApi({
      config: loaded.config,
      layout,
      log,
      version: appVersion(),
      port,
      // The simulated node runs pods as local processes: there they answer on loopback only.
      host: process.env.CHURN_MLOPS_HOST || undefined,
      configSource: loaded.source,
    });
    return 0;
  }
  if (name === 'load') {
    const { defaultLoadUrl, runLoad } = await import('./load.js');
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    process.once('SIGINT', () => stop.abort());
    await runLoad({
      url: typeof values.url === 'string' ? values.url : defaultLoadUrl(),
      concurrency: integer('--concurrency', String(values.concurrency ?? '10'), 1, 1000),
      duration: integer('--duration', String(values.duration ?? '0'), 0, 7 * 24 * 3600),
      log,
      signal: stop.signal,
    });
    return 0;
  }
  // A job in a container may be PID 1, which ignores SIGTERM unless it is handled: stop at once,
  // which is safe because every file is written whole or not at all.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.warn(
        `${name} stopped by ${signal}; files it already wrote are complete, no half-written file is left`,
      );
      process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
    });
  }
  const context = { config: loaded.config, layout, log, now: () => new Date() };
  const jobs = await import('./jobs/index.js');
  switch (name) {
    case 'seed-model':
      await jobs.seedModel(context);
      break;
    case 'batch-score':
      await jobs.batchScore(context, {
        users:
          values.users === undefined ? undefined : integer('--users', String(values.users), 1, 50_000_000),
      });
      break;
    case 'check-drift':
      await jobs.checkDrift(context);
      break;
    case 'train-candidate':
      await jobs.trainCandidate(context);
      break;
    case 'promote-model':
      await jobs.promoteModel(context);
      break;
  }
  return 0;
}

function integer(label: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UserError(`${label} must be a whole number from ${min} to ${max} (got "${text}").`, 2);
  }
  return value;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The API and the load generator end by signal; their timers and sockets are closed by then,
    // but exit explicitly so that a stray handle can never keep a stopped pod alive.
    if (code !== 0 || process.argv[2] === 'api' || process.argv[2] === 'load') process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`churn-mlops failed unexpectedly: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
