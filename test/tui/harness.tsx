import { render } from 'ink-testing-library';
import type { DoctorReport } from '../../src/cluster/doctor.js';
import type { UpOptions, UpResult } from '../../src/cluster/environment-api.js';
import type { Probe } from '../../src/course/checks.js';
import { judgeExercise } from '../../src/course/judge.js';
import { passedSteps } from '../../src/course/progress.js';
import type { Check } from '../../src/course/schema.js';
import { type KubeObject, Snapshot } from '../../src/kube/objects.js';
import { type Lab, namespaceOf, readProgress, type SolutionEvent } from '../../src/lab.js';
import { App } from '../../src/tui/app/App.js';
import type { Route } from '../../src/tui/app/CourseScreens.js';
import { summariseNamespace } from '../../src/tui/live/namespace.js';
import type { Services } from '../../src/tui/services.js';
import { Session } from '../../src/tui/session.js';

/**
 * Services a test drives. The verdicts come from the real judge over objects the test puts in the
 * "cluster"; what the app does with them (the screens, progress, keys) is the real app.
 */
export class TestCluster {
  objects: KubeObject[] = [];
  httpStatus = 503;
  evaluations = 0;
  reachable = true;
  watches: { kinds: readonly string[]; onChange: () => void; stopped: boolean }[] = [];
  solution: SolutionEvent[] = [];
  solutionOk = true;
  solutionSignal: AbortSignal | undefined;
  doctorReport: DoctorReport = doctorReport({});
  upEvents: Parameters<UpOptions['onEvent']>[0][] = [];
  upResult: UpResult = { ok: true };
  upCalls: { lab: Lab; options: UpOptions }[] = [];
  /** When set, `up` waits for this before it ends (to see a step running, or to interrupt it). */
  upGate: Promise<void> | undefined;
  simulatorStarts = 0;
  simulatorStops = 0;

  add(object: KubeObject) {
    this.objects.push(object);
  }

  /** Something changed in the cluster: tell every live watch. */
  change() {
    for (const watch of this.watches) if (!watch.stopped) watch.onChange();
  }

  get activeWatches() {
    return this.watches.filter((w) => !w.stopped).length;
  }

  services(overrides: Partial<Services> = {}): Services {
    return {
      evaluate: async (lab, exercise) => {
        this.evaluations++;
        if (!this.reachable)
          return {
            exercise: exercise.id,
            passed: false,
            steps: [],
            error: 'The cluster of context churn-labs-sim is not reachable.',
          };
        const probes = new Map<Check, Probe>();
        for (const check of exercise.steps.flatMap((s) => s.checks))
          if (check.type === 'http') probes.set(check, { type: 'http', status: this.httpStatus, body: '' });
        const recorded = passedSteps(await readProgress(lab), exercise.id);
        return judgeExercise(
          exercise,
          { reachable: true, snapshot: new Snapshot(namespaceOf(lab, exercise), this.objects), probes },
          recorded,
        );
      },
      readNamespace: async (_lab, namespace) => ({
        ok: true,
        view: summariseNamespace(
          namespace,
          this.objects.filter((o) => o.kind !== 'Namespace'),
          this.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === namespace),
        ),
      }),
      watch: (_lab, _namespace, kinds, onChange) => {
        const watch = { kinds, onChange, stopped: false };
        this.watches.push(watch);
        return async () => {
          watch.stopped = true;
        };
      },
      runSolution: async (_lab, _exercise, onEvent, signal) => {
        this.solutionSignal = signal;
        for (const event of this.solution) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (signal.aborted) return false;
          onEvent(event);
        }
        return this.solutionOk;
      },
      doctor: async () => this.doctorReport,
      startSimulator: async (home) => {
        this.simulatorStarts++;
        return {
          url: 'https://127.0.0.1:6443',
          kubeconfig: `${home}/sim/kubeconfig`,
          context: 'churn-labs-sim',
          stop: async () => {
            this.simulatorStops++;
          },
        };
      },
      up: async (lab, options) => {
        this.upCalls.push({ lab, options });
        for (const event of this.upEvents) options.onEvent(event);
        if (this.upGate) await Promise.race([this.upGate, aborted(options.signal)]);
        return options.signal?.aborted ? { ok: false } : this.upResult;
      },
      edit: async () => ({ ok: false, message: 'no editor in this test' }),
      debounceMs: 20,
      probeIntervalMs: 100,
      ...overrides,
    };
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
}

export function doctorReport(failing: Record<string, boolean>): DoctorReport {
  const checks = ['node', 'docker', 'docker-daemon', 'kind', 'kubectl'].map((id) => ({
    id,
    ok: !failing[id],
    required: true,
    detail: failing[id] ? `${id} is missing` : `${id} is fine`,
    fix: failing[id] ? `install ${id}` : undefined,
  }));
  return { ok: checks.every((c) => c.ok), checks, os: 'linux' };
}

export const KEYS = {
  enter: '\r',
  up: '\u001B[A',
  down: '\u001B[B',
  escape: '\u001B',
  ctrlC: '\u0003',
};

export function renderApp(lab: Lab, services: Services, options: { simulate?: boolean; only?: Route } = {}) {
  const session = new Session();
  const exits: number[] = [];
  const instance = render(
    <App
      lab={lab}
      services={services}
      session={session}
      simulate={options.simulate ?? true}
      only={options.only}
      onExit={(code) => exits.push(code)}
    />,
  );
  /** Waits until the screen (everything printed so far plus the live part) satisfies `predicate`. */
  const waitFor = async (predicate: (frame: string) => boolean, what: string, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = instance.lastFrame() ?? '';
      if (predicate(frame)) return frame;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; the screen ended with:\n${frame.slice(-1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const waitForText = (text: string, timeoutMs?: number) =>
    waitFor((f) => f.includes(text), `"${text}"`, timeoutMs);
  const press = (key: string) => instance.stdin.write(key);
  /** Ends the app as quitting does (watches stopped, progress written), then unmounts it. */
  const close = async () => {
    await session.close();
    instance.unmount();
  };
  return { ...instance, session, exits, waitFor, waitForText, press, close };
}

/** Waits for a condition outside the screen (a file, a counter), polling with a deadline. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const namespaceObject = (name = 'churn-mlops'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
  status: { phase: 'Active' },
});

export const configMap = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'churn-mlops-config', namespace: 'churn-mlops' },
  data: {},
});
