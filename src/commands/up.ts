import { registryProblem } from '../cluster/environment/registry.js';
import type { UpEvent } from '../cluster/environment-api.js';
import { usageError } from '../errors.js';
import { readLastLab } from '../files/last-lab.js';
import { clusterName, DEFAULT_CONTEXT, type Lab, rememberLab, SIM_CONTEXT } from '../lab.js';
import { isInteractive, wantsColor } from '../output.js';
import { type CommonOptions, labFrom, whileInterruptible } from './common.js';
import { confirm } from './confirm.js';

/**
 * `churn-labs up`: the environment's steps as lines. On a terminal each running step has a
 * spinner, its command and its elapsed time on one redrawn line; elsewhere (a pipe, CI, NO_COLOR)
 * plain lines and no escape codes.
 */
export async function up(
  options: CommonOptions & { simulate?: boolean; registry?: string; storageClass?: string },
): Promise<number> {
  if (options.simulate && (options.kubeconfig || (options.context && options.context !== SIM_CONTEXT)))
    throw usageError(
      `up --simulate brings up the simulated cluster (context ${SIM_CONTEXT}): leave out --context and --kubeconfig, or leave out --simulate to bring up the cluster they name.`,
    );
  let lab = await labFrom(options.simulate ? { ...options, context: SIM_CONTEXT } : options);
  const offKind = anyCluster(lab, options);
  const stream = process.stdout;
  // The simulated lab (--simulate, --context churn-labs-sim, or the lab last brought up) is started
  // in the background when it is not running: after a reboot, or after it crashed.
  if (lab.simulated && lab.target.kubeconfig === lab.paths.simKubeconfig) {
    const { ensureSim } = await import('../cluster/background-sim.js');
    const sim = await ensureSim(lab.paths, { onWait: (message) => stream.write(`${message}\n`) });
    // The line `sim serve` prints: scripts read the kubeconfig and the server from it.
    stream.write(`ready kubeconfig=${sim.kubeconfig} context=${sim.context} server=${sim.url}\n`);
    if (!sim.started) stream.write(`(the simulated cluster was already running, process ${sim.pid})\n`);
    lab = { ...lab, target: { context: sim.context, kubeconfig: sim.kubeconfig } };
  }
  const printer = createUpPrinter(stream, Boolean(stream.isTTY) && wantsColor(stream));
  return whileInterruptible((signal) => bringUpLab(lab, { ...options, ...offKind }, printer, stream, signal));
}

/**
 * On a cluster that is neither kind-churn-labs nor the simulated one, the images go to a registry:
 * --registry, or the one `up` used last time for this context. Elsewhere --registry and
 * --storage-class have nothing to do.
 */
function anyCluster(
  lab: Lab,
  options: { simulate?: boolean; registry?: string; storageClass?: string },
): { registry?: string; storageClass?: string } {
  const { context } = lab.target;
  const registry = options.registry?.trim().replace(/\/+$/, '');
  // A classroom learner's cluster, registry and class are the instructor's (their kubeconfig says them).
  if (lab.classroom) {
    const given =
      options.registry !== undefined
        ? '--registry'
        : options.storageClass !== undefined
          ? '--storage-class'
          : undefined;
    if (given)
      throw usageError(
        `${given} is for the instructor: context ${context} is a classroom learner's, whose images and storage class come with the kubeconfig from classroom create. Leave ${given} out.`,
      );
    return {};
  }
  if (options.simulate || lab.simulated || context === DEFAULT_CONTEXT) {
    const given =
      options.registry !== undefined
        ? '--registry'
        : options.storageClass !== undefined
          ? '--storage-class'
          : undefined;
    if (given)
      throw usageError(
        `${given} is for a cluster that is not churn-labs' own: context ${context} ${lab.simulated ? 'runs the images from this package' : "gets the images loaded into its node, and has kind's class standard"}. Leave ${given} out, or give --context NAME of the cluster to push to.`,
      );
    return {};
  }
  const last = readLastLab(lab.paths.lastLab);
  const remembered = last?.context === context ? last : undefined;
  const chosen = registry || remembered?.registry;
  if (!chosen)
    throw usageError(
      `Context ${context} is neither churn-labs' kind cluster (${DEFAULT_CONTEXT}) nor the simulated one (${SIM_CONTEXT}): give --registry REGISTRY, a registry this machine can push to and the cluster's nodes can pull from (like ghcr.io/my-org, or localhost:5001 for kind's local registry).`,
    );
  const problem = registryProblem(chosen);
  if (problem) throw usageError(`--registry ${chosen}: ${problem}.`);
  if (options.storageClass !== undefined && !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(options.storageClass))
    throw usageError(
      `--storage-class ${options.storageClass}: give the name of one of the cluster's StorageClasses (kubectl get storageclass --context ${context}).`,
    );
  return { registry: chosen, storageClass: options.storageClass ?? remembered?.storageClass };
}

async function bringUpLab(
  lab: Lab,
  options: CommonOptions & { registry?: string; storageClass?: string },
  printer: ReturnType<typeof createUpPrinter>,
  stream: NodeJS.WriteStream,
  signal: AbortSignal,
): Promise<number> {
  try {
    const { up: bringUp } = await import('../cluster/environment.js');
    const result = await bringUp(lab, {
      signal,
      onEvent: printer.event,
      confirmOverwrite: isInteractive()
        ? (files) =>
            printer.paused(() =>
              confirm(
                `You edited ${files.join(', ')} in your workspace, and this version of churn-labs has a newer one. Replace yours?`,
                undefined,
                '',
              ),
            )
        : undefined,
      registry: options.registry,
      storageClass: options.storageClass,
      // metrics-server goes into a cluster that is not ours only when allowed: --yes, or asked.
      confirmInstall: options.yes
        ? async () => true
        : isInteractive()
          ? (question) => printer.paused(() => confirm(question, undefined, ''))
          : undefined,
      // A cluster whose API does not answer may hold the learner's work: ask, or take --yes.
      confirmRecreate: options.yes
        ? async () => true
        : isInteractive()
          ? (question) => printer.paused(() => confirm(question, undefined, ''))
          : undefined,
    });
    printer.stop();
    if (result.canceled) {
      process.stderr.write('Stopped. Run churn-labs up again: it picks up where it stopped.\n');
      return 130;
    }
    if (!result.ok) return 1;
    await rememberLab(lab, result.lab);
    const changed = (result.steps ?? []).filter((s) => s.outcome === 'ok' && s.id !== 'preflight');
    if (changed.length === 0 || changed.every((s) => s.id === 'smoke'))
      stream.write('Everything was already up: nothing was created, rebuilt or reloaded.\n');
    stream.write(
      `The lab is up (${clusterName(lab)}). Your manifests are in ${lab.paths.workspace}/k8s. Next: churn-labs start, or churn-labs list.\n`,
    );
    return 0;
  } finally {
    printer.stop();
  }
}

interface Writable {
  write: (text: string) => unknown;
  columns?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Prints `up`'s events; `live` draws a spinner line (only ever on a terminal). */
export function createUpPrinter(stream: Writable, live: boolean) {
  const paint = (code: number, reset: number) => (text: string) =>
    live ? `\u001b[${code}m${text}\u001b[${reset}m` : text;
  const [green, red, yellow, dim] = [paint(32, 39), paint(31, 39), paint(33, 39), paint(2, 22)];
  let running: { title: string; command?: string; started: number } | undefined;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;

  const clear = () => live && running && stream.write('\r\u001b[2K');
  const draw = () => {
    if (!live || !running) return;
    // A pseudo-terminal may report 0 columns: take that as unknown.
    const width = Math.max(20, (stream.columns || 100) - 1);
    const elapsed = seconds(Date.now() - running.started);
    let text = `${FRAMES[frame++ % FRAMES.length]} ${running.title} ${elapsed}`;
    if (running.command) text += `  ${running.command}`;
    // One terminal line, or the carriage return would not get back to its start.
    if ([...text].length > width) text = `${[...text].slice(0, width - 1).join('')}…`;
    stream.write(`\r\u001b[2K${dim(text)}`);
  };
  const startTicker = () => {
    if (!live || timer) return;
    timer = setInterval(draw, 80);
    timer.unref();
  };
  const stopTicker = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  const event = (e: UpEvent) => {
    if (e.type === 'step-start') {
      running = { title: e.title, command: e.command, started: Date.now() };
      if (live) {
        draw();
        startTicker();
      } else stream.write(`→ ${e.title}${e.command ? `: ${e.command}` : ''}\n`);
    } else if (e.type === 'notice') {
      clear();
      stream.write(`${yellow('!')} ${e.message}\n`);
      draw();
    } else if (e.type === 'step-end') {
      stopTicker();
      clear();
      const title = running?.title ?? e.id;
      running = undefined;
      const mark =
        e.outcome === 'ok'
          ? green(live ? '✓' : 'ok')
          : e.outcome === 'skipped'
            ? dim(live ? '–' : 'skipped')
            : red(live ? '✗' : 'FAILED');
      stream.write(`${mark} ${title}${e.detail ? `: ${e.detail}` : ''} ${dim(`(${seconds(e.ms)})`)}\n`);
      if (e.outcome === 'failed') {
        if (e.fix) stream.write(`  ${yellow('fix:')} ${e.fix}\n`);
        if (e.outputTail) stream.write(`${dim(e.outputTail.replace(/^/gm, '  │ '))}\n`);
      }
    }
  };

  return {
    event,
    /** Runs `work` (a question) with the spinner line out of the way. */
    async paused<T>(work: () => Promise<T>): Promise<T> {
      stopTicker();
      clear();
      try {
        return await work();
      } finally {
        draw();
        startTicker();
      }
    },
    stop: () => {
      stopTicker();
      clear();
      running = undefined;
    },
  };
}
