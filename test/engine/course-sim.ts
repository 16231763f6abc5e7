import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeLab, type Lab, openLab, runSolution } from '../../src/lab.js';
import { startControlPlane } from '../../src/sim/controllers/index.js';
import { startKubelet } from '../../src/sim/kubelet/index.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';
import { exercise, makeWorkspace } from '../labs/helpers.js';

/**
 * The course on a simulated cluster, for the tests of the solutions: the CronJob clock 10,000
 * times slower than real time (no schedule fires), and the HPA's scale-down window
 * (--horizontal-pod-autoscaler-downscale-stabilization, 5 minutes) at 5 seconds, so that
 * scale-api's last step does not wait 5 minutes.
 */
export interface CourseSim {
  lab: Lab;
  stop(): Promise<void>;
}

export async function startCourseSim(prefix: string): Promise<CourseSim> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  let sim: Simulator | undefined;
  try {
    sim = await startSimulator({
      home,
      timeScale: 1 / 10_000,
      controllers: (store, options) => {
        const kubelet = startKubelet(store, options);
        const plane = startControlPlane(store, kubelet, {
          ...options,
          hpa: { downscaleStabilizationMs: 5_000 },
        });
        return {
          runtime: kubelet,
          async stop() {
            plane.stop();
            await kubelet.stop();
          },
        };
      },
    });
    const lab = await openLab({ context: sim.context, kubeconfig: sim.kubeconfig, home, warn: () => {} });
    await makeWorkspace(lab.paths.workspace);
    return {
      lab,
      async stop() {
        await closeLab();
        await sim?.stop();
        await rm(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sim?.stop();
    await rm(home, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Runs the reference solution as `solve` does and returns its log; `abortAfter` ends it (its
 * process group, as Esc does in the app) once that many commands have started, plus a moment.
 */
export async function runLogged(
  lab: Lab,
  id: string,
  options: { abortAfter?: number; abortDelayMs?: number } = {},
): Promise<{ ok: boolean; log: string }> {
  let log = '';
  const abort = new AbortController();
  let started = 0;
  const ok = await runSolution(
    lab,
    exercise(lab, id),
    (event) => {
      if (event.type === 'command') {
        log += `$ ${event.command}\n`;
        started++;
        if (options.abortAfter !== undefined && started === options.abortAfter)
          setTimeout(() => abort.abort(), options.abortDelayMs ?? 500);
      } else if (event.type === 'output') log += event.chunk;
      else if (!event.ok) log += `(exit ${event.exitCode})\n`;
    },
    abort.signal,
    { stepSettleSeconds: 120 },
  );
  return { ok: ok && !abort.signal.aborted, log };
}

/**
 * After which command a solution is interrupted, and how long after it started: mid-way through a
 * step that changes the cluster (a rollout, a suspended CronJob's Job, a drained pod, the OOM pod,
 * a pod being deleted).
 */
export const INTERRUPT: Record<string, { abortAfter: number; abortDelayMs: number }> = {
  'rolling-update': { abortAfter: 2, abortDelayMs: 500 },
  // (The Job completes in a second here: stop it while the Job is being made.)
  'cronjob-admin': { abortAfter: 3, abortDelayMs: 50 },
  'health-probes': { abortAfter: 1, abortDelayMs: 3_000 },
  'resources-qos': { abortAfter: 5, abortDelayMs: 500 },
  'persistent-storage': { abortAfter: 3, abortDelayMs: 300 },
};

/** A learner's typical wrong move in an exercise, made before its solution runs once more. */
export const WRONG_MOVE: Record<string, string> = {
  // A Job of the right name, made from the image rather than from the CronJob.
  'cronjob-admin':
    'kubectl delete job manual-batch-1 -n churn-mlops --ignore-not-found --wait=true && kubectl create job manual-batch-1 --image=churn-labs/churn-ml:0.1.0 -n churn-mlops -- churn-mlops batch-score',
  // An HPA of its own beside churn-api-hpa.
  'autoscale-load': 'kubectl autoscale deployment churn-api --min=2 --max=10 --cpu-percent=50 -n churn-mlops',
};
