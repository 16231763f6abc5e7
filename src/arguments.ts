import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createOutput } from './output.js';
import { packageVersion } from './paths.js';

/**
 * Arguments -> one command, with commander. Each command lives in its own module, loaded only when
 * it runs, so that `list` never loads the terminal app (Ink, React) and starts as fast as Node itself.
 */

// Number('') is 0: an empty value (an unset variable in a script) is refused, not read as 0.
const positiveNumber = (value: string) => {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('give a number of seconds, like 60.');
  return n;
};
const positiveInteger = (value: string) => {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number from 1 up.');
  return n;
};
const portNumber = (value: string) => {
  const n = positiveInteger(value);
  if (n > 65535) throw new InvalidArgumentError('give a port from 1 to 65535.');
  return n;
};
/**
 * An empty --context would leave kubectl on the kubeconfig's current-context, the one cluster the
 * program must never fall back to; an empty --kubeconfig would be read as "none given".
 */
const nonEmpty = (what: string) => (value: string) => {
  if (value.trim() === '') throw new InvalidArgumentError(`give ${what}; it cannot be empty.`);
  return value;
};

type Action = (...args: never[]) => Promise<number>;

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('churn-labs')
    .description('Learn production Kubernetes from a terminal: Section 19 of the churn-mlops course.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .option(
      '--context <name>',
      'the kube context to use (default: the lab last brought up here, else kind-churn-labs)',
      nonEmpty('a context name, like kind-churn-labs'),
    )
    .option(
      '--kubeconfig <path>',
      'the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)',
      nonEmpty('the path of a kubeconfig file'),
    )
    .option('--debug', 'show stack traces of internal errors')
    .showSuggestionAfterError(true)
    // Each command's --help lists --context and --kubeconfig too: they apply to every command.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  program.configureOutput({
    writeErr: (text) => process.stderr.write(text),
    outputError: (text, write) =>
      write(
        `${text.replace(/^error: /, 'churn-labs: ').trimEnd()}\nRun churn-labs --help for the commands.\n`,
      ),
  });

  /** Loads the command's module only when it runs, and passes the global options along. */
  const lazy =
    (load: () => Promise<Action>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const action = await load();
      const opts = { ...command.optsWithGlobals() } as Record<string, unknown>;
      setExit(await (action as (...a: unknown[]) => Promise<number>)(...args.slice(0, -2), opts));
    };

  program
    .command('start')
    .description('the interactive course: preflight, lab environment, exercises with live checks, quiz')
    .option('--simulate', 'use the built-in simulated cluster (no Docker needed)')
    .action(lazy(async () => (await import('./commands/start.js')).start));

  program
    .command('doctor')
    .description('check everything the labs need (Docker, kind, kubectl, memory)')
    .option('--json', 'print one JSON document')
    .action(lazy(async () => (await import('./commands/doctor.js')).doctor));

  program
    .command('up')
    .description('bring the lab environment up: kind cluster, images, metrics-server, manifests')
    .option('--simulate', 'start the built-in simulated cluster in the background (no Docker needed)')
    .option(
      '--yes',
      'delete and re-create a kind cluster whose API does not answer, and install metrics-server on another cluster that lacks it, without asking',
    )
    .option(
      '--registry <registry>',
      'with --context of a cluster that is not kind: push the images to this registry (like ghcr.io/my-org)',
      nonEmpty('a registry, like ghcr.io/my-org or localhost:5001'),
    )
    .option(
      '--storage-class <class>',
      "with --registry: the StorageClass the lab's claims use (default: standard if the cluster has it, else its default class)",
      nonEmpty('the name of a StorageClass'),
    )
    .action(lazy(async () => (await import('./commands/up.js')).up));

  program
    .command('down')
    .description('delete the kind cluster, or stop the background simulated cluster (--simulate)')
    .option('--simulate', 'stop the simulated cluster; its state is kept for the next up --simulate')
    .option('--yes', 'do not ask first')
    .action(lazy(async () => (await import('./commands/down.js')).down));

  program
    .command('list')
    .description('the exercises and incidents in course order, with their status')
    .option('--json', 'print one JSON document')
    .action(lazy(async () => (await import('./commands/list.js')).list));

  program
    .command('check')
    .description("evaluate an exercise's or incident's checks against the cluster")
    .argument('<exercise>', 'the exercise or incident id (see churn-labs list)')
    .option('--json', 'print one JSON document')
    .option('--wait <seconds>', 're-check until all pass or the time is up', positiveNumber)
    .action(lazy(async () => (await import('./commands/check.js')).check));

  program
    .command('solve')
    .description("run the exercise's or incident's reference solution, then check it")
    .argument('<exercise>', 'the exercise or incident id')
    .option('--yes', 'do not ask first')
    .action(lazy(async () => (await import('./commands/solve.js')).solve));

  program
    .command('hint')
    .description('show the next hint for the step you are on, or hint N')
    .argument('<exercise>', 'the exercise or incident id')
    .option('--level <n>', 'show hint N of the current step', positiveInteger)
    .action(lazy(async () => (await import('./commands/hint.js')).hint));

  program
    .command('quiz')
    .description('take a quiz; with --answers, grade a file of answers')
    .argument('[quiz]', 'the quiz id', 'section-19')
    .option('--answers <file>', 'a YAML file of answers (q1: B, q2: true, ...)')
    .option('--json', 'print one JSON document')
    .action(lazy(async () => (await import('./commands/quiz.js')).quiz));

  program
    .command('progress')
    .description('exercises done, quiz scores, what comes next')
    .option('--json', 'print one JSON document')
    .action(lazy(async () => (await import('./commands/progress.js')).progress));

  program
    .command('reset')
    .description('forget the progress of one exercise, or of all; for an incident, also put the system back')
    .argument('[exercise]', 'the exercise or incident id; all exercises and quizzes when left out')
    .option('--yes', 'do not ask first')
    .action(lazy(async () => (await import('./commands/reset.js')).reset));

  program
    .command('incident')
    .description('on call: break the running system as an incident does, and print the page (the symptom)')
    .argument('<incident>', 'the incident id (see churn-labs list)')
    .option('--yes', 'do not ask first')
    .action(lazy(async () => (await import('./commands/incident.js')).incident));

  const sim = program.command('sim').description('the simulated cluster');
  sim
    .command('serve')
    .description('run the simulated cluster in the foreground')
    .addOption(
      new Option('--port <n>', 'the port to listen on (default: any free port)').argParser(portNumber),
    )
    .addOption(
      new Option('--time-scale <n>', 'run CronJob schedules this many times faster than real time').argParser(
        (value: string) => {
          const n = Number(value);
          if (!Number.isFinite(n) || n <= 0)
            throw new InvalidArgumentError('give a number above 0, like 60.');
          return n;
        },
      ),
    )
    .action(lazy(async () => (await import('./commands/sim.js')).serve));

  return program;
}

/**
 * Parses the arguments and runs the command they name; its exit code, or commander's for help,
 * the version and usage errors (which commander has printed). Errors of the command propagate.
 */
export async function runArguments(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    // commander answers `help <anything>` with the main help and exit 0; an unknown name is a mistake.
    const [first, second] = argv.slice(2);
    if (first === 'help' && second !== undefined && !second.startsWith('-')) {
      const known = program.commands.find((c) => c.name() === second || c.aliases().includes(second));
      if (!known) {
        createOutput(false).error(
          `churn-labs: unknown command '${second}'. Run churn-labs --help for the commands.`,
        );
        return 2;
      }
    }
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : 2;
  }
}
