import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { type Simulator, startSimulator } from '../../src/sim/main.js';
import { CLI } from '../cli/helpers.js';

/**
 * A simulated cluster in-process (its own controllers, so the token controller fills the
 * learners' token Secrets) and an instructor: the built CLI with their own CHURN_LABS_HOME, on
 * the simulator's admin context.
 */
export interface Classroom {
  sim: Simulator;
  /** The instructor's CHURN_LABS_HOME; the kubeconfigs are in classroom/ under it. */
  home: string;
  /** --context and --kubeconfig of the simulator's admin context. */
  admin: string[];
  churnLabs(args: string[], options?: { env?: Record<string, string>; timeout?: number }): Promise<Run>;
  /** kubectl as the instructor (the admin context). */
  kubectl(args: string[], input?: string): Promise<Run>;
  /** kubectl with a learner's kubeconfig, as they would run it. */
  asLearner(name: string, args: string[], input?: string): Promise<Run>;
  stop(): Promise<void>;
}

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function startClassroom(): Promise<Classroom> {
  const simHome = await mkdtemp(join(tmpdir(), 'churn-labs-class-sim-'));
  const home = await mkdtemp(join(tmpdir(), 'churn-labs-class-'));
  const sim = await startSimulator({ home: simHome, timeScale: 1 / 10_000 });
  const admin = ['--context', sim.context, '--kubeconfig', sim.kubeconfig];
  const run = async (
    file: string,
    args: string[],
    options: { input?: string; env?: Record<string, string>; timeout?: number } = {},
  ) => {
    const result = await execa(file, args, {
      reject: false,
      input: options.input ?? '',
      env: { CHURN_LABS_HOME: home, NO_COLOR: '1', ...options.env },
      extendEnv: true,
      timeout: options.timeout ?? 120_000,
    });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  return {
    sim,
    home,
    admin,
    churnLabs: (args, options) => run(process.execPath, [CLI, ...args, ...admin], options),
    kubectl: (args, input) => run('kubectl', [...admin, ...args], { input }),
    asLearner: (name, args, input) =>
      run('kubectl', ['--kubeconfig', join(home, 'classroom', `${name}.kubeconfig`), ...args], { input }),
    async stop() {
      await sim.stop();
      await rm(simHome, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
    },
  };
}
