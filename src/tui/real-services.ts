import type { KubeObject } from '../kube/objects.js';
import { checkExercise, type Lab, runSolution } from '../lab.js';
import type { NamespaceReading } from './live/namespace.js';
import type { Services } from './services.js';

/**
 * The services of the real app. What they need (execa, the doctor, the simulator, the environment)
 * is loaded when first used, so that the course map draws without waiting for any of it.
 */
export function realServices(): Services {
  return {
    async evaluate(lab, exercise, signal) {
      const result = await checkExercise(lab, exercise, signal);
      // The background simulated cluster crashed: start it again with its state, and read again.
      if (result.error && lab.simulated && lab.target.kubeconfig === lab.paths.simKubeconfig) {
        const { reviveSim } = await import('../cluster/background-sim.js');
        if (await reviveSim(lab.paths)) return checkExercise(lab, exercise, signal);
      }
      return result;
    },
    readNamespace,
    watch(lab, namespace, kinds, onChange) {
      let stopped = false;
      const started = import('./live/feed.js').then(({ startFeed }) =>
        stopped ? undefined : startFeed({ target: lab.target, namespace, kinds, onChange: () => onChange() }),
      );
      return async () => {
        stopped = true;
        await (await started)?.();
      };
    },
    runSolution: (lab, exercise, onEvent, signal) => runSolution(lab, exercise, onEvent, signal),
    incidents: {
      health: async (lab, signal) => (await import('../incidents.js')).healthNow(lab, signal),
      breakSystem: async (lab, incident, signal) =>
        (await import('../incidents.js')).breakSystem(lab, incident, () => {}, signal),
      restore: async (lab, incident, signal) =>
        (await import('../incidents.js')).restoreSystem(lab, incident, () => {}, signal),
    },
    doctor: async () => (await import('../cluster/doctor.js')).runDoctor(),
    // The background simulated cluster (one per CHURN_LABS_HOME), started if not running; quitting
    // the app leaves it running, as a kind cluster is, so its stop() does nothing.
    async startSimulator(home, log) {
      const [{ ensureSim }, { homePaths }] = await Promise.all([
        import('../cluster/background-sim.js'),
        import('../paths.js'),
      ]);
      const sim = await ensureSim(homePaths(home), { onWait: log });
      return {
        url: sim.url,
        kubeconfig: sim.kubeconfig,
        context: sim.context,
        note: sim.started
          ? `started in the background, process ${sim.pid}`
          : `already running, process ${sim.pid}`,
        stop: async () => {},
      };
    },
    async up(lab, options) {
      const { up } = await import('../cluster/environment.js');
      return up(lab, options);
    },
    async edit(file) {
      const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
      // Through sh, because $EDITOR may carry arguments ("code --wait").
      const { runAttached } = await import('../cluster/tool.js');
      const result = await runAttached('sh', ['-c', `${editor} "$1"`, 'editor', file]);
      if (result.exitCode === 127)
        return {
          ok: false,
          message: `The editor "${editor}" was not found. Set $EDITOR, or give a file path.`,
        };
      if (!result.ok)
        return {
          ok: false,
          message: `The editor "${editor}" exited with code ${result.exitCode ?? 'none'}.`,
        };
      return { ok: true };
    },
    debounceMs: 200,
    probeIntervalMs: 2_000,
  };
}

async function readNamespace(lab: Lab, namespace: string, signal: AbortSignal): Promise<NamespaceReading> {
  const [{ kubectl, unreachableReason }, { KINDS }, { PANEL_KINDS, summariseNamespace }] = await Promise.all([
    import('../cluster/kubectl.js'),
    import('../kube/objects.js'),
    import('./live/namespace.js'),
  ]);
  // A classroom learner may get their own namespace but not list them all: asked by name.
  const byName = lab.classroom !== undefined;
  const resources = [...(byName ? [] : ['namespaces']), ...PANEL_KINDS.map((kind) => KINDS[kind]!.resource)];
  const run = { signal, timeoutMs: 15_000 };
  const own = byName
    ? kubectl(lab.target, ['get', 'namespace', namespace, '--ignore-not-found', '-o', 'json'], run)
    : undefined;
  const result = await kubectl(lab.target, ['get', resources.join(','), '-n', namespace, '-o', 'json'], run);
  if (!result.ok) {
    return {
      ok: false,
      reason:
        unreachableReason(result, lab.target) ?? result.stderr.trim().split('\n').at(-1) ?? 'kubectl failed',
    };
  }
  try {
    const items = (JSON.parse(result.stdout) as { items?: KubeObject[] }).items ?? [];
    const ownAnswer = await own;
    const exists = ownAnswer
      ? ownAnswer.ok && ownAnswer.stdout.trim() !== ''
      : items.some((o) => o.kind === 'Namespace' && o.metadata.name === namespace);
    const inNamespace = items.filter((o) => o.kind !== 'Namespace');
    return { ok: true, view: summariseNamespace(namespace, inNamespace, exists) };
  } catch {
    return { ok: false, reason: 'kubectl answered with output that is not JSON.' };
  }
}
