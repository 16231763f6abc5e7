import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentError } from '../errors.js';
import { withLock } from '../files/lock.js';
import { processGone } from '../files/pids.js';
import { type homePaths, packageRoot } from '../paths.js';

/**
 * The simulated cluster as a background process, one per CHURN_LABS_HOME, living like a kind
 * cluster: `up --simulate` and `start --simulate` start it when it is not running and reuse it when
 * it is; quitting the app leaves it running; `down --simulate` stops it (its state stays on disk for
 * the next start). It is `churn-labs sim serve` run detached, its output in `sim/serve.log`; the
 * serve process itself writes `sim/simulator.pid` (its pid and URL) once it listens.
 */
export interface RunningSim {
  pid: number;
  url: string;
  kubeconfig: string;
  context: string;
  /** This call started it (it was not running). */
  started: boolean;
}

type Paths = ReturnType<typeof homePaths>;

export const simFiles = (paths: Paths) => ({
  pid: join(paths.sim, 'simulator.pid'),
  log: join(paths.sim, 'serve.log'),
  kubeconfig: paths.simKubeconfig,
});

/** How long a starting simulator may take to answer (replaying a large journal on a slow disk). */
const START_TIMEOUT_MS = 60_000;

const pidAlive = (pid: number) => !processGone(pid);

function portAnswers(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** What simulator.pid says, if its process is alive and its port answers. */
export async function runningSim(paths: Paths): Promise<Omit<RunningSim, 'started'> | undefined> {
  const files = simFiles(paths);
  let text: string;
  try {
    text = readFileSync(files.pid, 'utf8');
  } catch {
    return undefined;
  }
  const [pidText = '', url = ''] = text.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return undefined;
  let port: number;
  try {
    port = Number(new URL(url).port);
  } catch {
    return undefined;
  }
  if (!port || !(await portAnswers(port))) return undefined;
  return { pid, url, kubeconfig: files.kubeconfig, context: 'churn-labs-sim' };
}

/** The last lines of the background simulator's log, for a failure message. */
export function simLogTail(paths: Paths, lines = 8): string {
  try {
    return readFileSync(simFiles(paths).log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts the background simulator unless one already answers for this home. Two callers at once
 * (the app and `up --simulate` in another terminal) start one: the start is under a lock.
 */
export async function ensureSim(
  paths: Paths,
  options: { signal?: AbortSignal; timeoutMs?: number; onWait?: (message: string) => void } = {},
): Promise<RunningSim> {
  const found = await runningSim(paths);
  if (found) return { ...found, started: false };
  return withLock(
    join(paths.sim, 'start'),
    async () => {
      const again = await runningSim(paths);
      if (again) return { ...again, started: false };
      const files = simFiles(paths);
      mkdirSync(paths.sim, { recursive: true, mode: 0o700 });
      const log = openSync(files.log, 'a', 0o600);
      let exited: { code: number | null } | undefined;
      try {
        const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'sim', 'serve'], {
          detached: true,
          stdio: ['ignore', log, log],
          env: { ...process.env, CHURN_LABS_HOME: paths.home },
          windowsHide: true,
        });
        child.once('exit', (code) => {
          exited = { code };
        });
        child.once('error', () => {
          exited = { code: null };
        });
        child.unref();
      } finally {
        closeSync(log);
      }
      const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS;
      const startedAt = Date.now();
      let told = false;
      for (;;) {
        const now = await runningSim(paths);
        if (now) return { ...now, started: true };
        if (exited)
          throw environmentError(
            `The simulated cluster stopped as it started (exit code ${exited.code ?? 'none'}). Its log, ${files.log}, ends with:\n${simLogTail(paths)}`,
          );
        if (options.signal?.aborted)
          throw environmentError('Stopped while the simulated cluster was starting.');
        const waited = Date.now() - startedAt;
        if (waited > timeoutMs)
          throw environmentError(
            `The simulated cluster did not answer within ${Math.round(timeoutMs / 1000)} s. Its log is ${files.log}; churn-labs down --simulate stops it.`,
          );
        // A large saved state takes a while to replay: say so rather than wait in silence.
        if (!told && waited > 3_000) {
          told = true;
          options.onWait?.('The simulated cluster is starting (reading its saved state)…');
        }
        await sleep(100);
      }
    },
    // The start itself may take a while (a long journal to replay): a second caller waits for it.
    { waitMs: (options.timeoutMs ?? START_TIMEOUT_MS) + 10_000, onWait: options.onWait },
  );
}

/**
 * Stops the background simulator: SIGTERM (it writes everything and exits), then SIGKILL if it is
 * still there after `graceMs`. Its state stays. Returns whether one was running.
 */
export async function stopSim(paths: Paths, graceMs = 15_000): Promise<boolean> {
  const running = await runningSim(paths);
  const pid = running?.pid ?? stalePid(paths);
  if (pid === undefined || !pidAlive(pid)) return running !== undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(50);
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}

/**
 * A pid file whose process is alive but whose port does not answer (stuck starting or stopping).
 * The pid may have been reused by another program since: it counts only where the process can be
 * seen to be `sim serve` (Linux's /proc); elsewhere nothing is killed on a guess.
 */
function stalePid(paths: Paths): number | undefined {
  const file = simFiles(paths).pid;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.includes('sim') && args.includes('serve') ? pid : undefined;
  } catch {
    return undefined;
  }
}

let lastRevive = 0;
/** At most one restart attempt in this long: a cluster that keeps dying is reported, not looped. */
const REVIVE_EVERY_MS = 30_000;

/**
 * The app noticed the simulated cluster does not answer: when its process is gone (it crashed, or
 * the machine slept and something killed it), start it again with its saved state. True when it
 * started one, so the caller reads the cluster again.
 */
export async function reviveSim(paths: Paths): Promise<boolean> {
  if (Date.now() - lastRevive < REVIVE_EVERY_MS) return false;
  lastRevive = Date.now();
  if (await runningSim(paths)) return false;
  try {
    return (await ensureSim(paths)).started;
  } catch {
    return false;
  }
}
