import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { writeFileAtomic } from '../../files/atomic.js';

/**
 * How the simulated node runs processes (the one place in src/sim that spawns them):
 *
 * - Every container process and every `kubectl exec` command is spawned with execa (reject: false,
 *   a cancel signal) as the leader of its own process group (detached: setsid), so that a signal to
 *   `-pgid` reaches the whole tree it starts (`/bin/sh -c "... churn-mlops batch-score"` and its
 *   children), and so that a Ctrl-C in the simulator's terminal does not hit the pods before the
 *   node has stopped them in order.
 * - When a container's main process exits, whatever it left behind in its group is killed, as a
 *   container runtime tears the container down.
 * - A reaper (`/bin/sh` reading group ids on its stdin, in its own session) kills every group it was
 *   told about when its stdin closes: that happens when the simulator dies, even by SIGKILL, so
 *   pods do not outlive it.
 * - The live groups are also recorded in `<stateDir>/kubelet/processes.json`; at start-up the node
 *   kills any that a previous run left behind (matched by the process start time, so that a reused
 *   pid is never hit).
 */

export interface ProcessExit {
  /** The exit code as a container runtime reports it: 128 + the signal number when killed by one. */
  exitCode: number;
  signal?: string;
  /** Set when the process could not be started at all (missing executable, bad folder). */
  startError?: string;
}

export interface SpawnRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Ends the process (whole group) with SIGKILL after this long. */
  timeoutMs?: number;
}

export interface RunningProcess {
  /** The process id, which is also its process group id; undefined when it failed to start. */
  pid: number | undefined;
  exited: Promise<ProcessExit>;
  /** Sends a signal to the whole process group. */
  signal(signal: NodeJS.Signals): void;
}

const REAPER_SCRIPT = `groups=" "
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) id="\${line#-}"; rest=" "; for g in $groups; do [ "$g" = "$id" ] || rest="$rest$g "; done; groups="$rest" ;;
  esac
done
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
`;

export class ProcessSupervisor {
  private readonly live = new Map<number, { started: string | undefined; process: ResultPromise }>();
  private reaper: ResultPromise | undefined;
  private readonly pidFile: string;
  private saving: Promise<void> = Promise.resolve();
  private readonly cancel = new AbortController();

  constructor(stateDir: string) {
    this.pidFile = join(stateDir, 'kubelet', 'processes.json');
  }

  /** Kills what a previous run left behind and starts the reaper. */
  async start(): Promise<void> {
    await killLeftovers(this.pidFile);
    await this.save();
    if (process.platform === 'win32') return;
    this.reaper = execa('/bin/sh', ['-c', REAPER_SCRIPT], {
      detached: true,
      stdin: 'pipe',
      stdout: 'ignore',
      stderr: 'ignore',
      reject: false,
      cleanup: false,
      buffer: false,
    });
    // The reaper must not keep the simulator alive; its stdin closing is exactly what triggers it.
    this.reaper.unref();
    (this.reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.reaper.stdin?.on('error', () => {});
  }

  spawn(request: SpawnRequest): RunningProcess {
    const [file, ...args] = request.argv;
    const subprocess = execa(file ?? '', args, {
      cwd: request.cwd,
      env: request.env,
      extendEnv: false,
      detached: true,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      cleanup: false,
      cancelSignal: this.cancel.signal,
      killSignal: 'SIGKILL',
      forceKillAfterDelay: false,
    });
    const pid = subprocess.pid;
    subprocess.stdout?.on('data', (chunk: Buffer) => request.onOutput?.('stdout', chunk));
    subprocess.stderr?.on('data', (chunk: Buffer) => request.onOutput?.('stderr', chunk));
    const signal = (name: NodeJS.Signals) => {
      if (pid !== undefined) signalGroup(pid, name);
    };
    // The container is over when its main process is: nothing it started may linger.
    subprocess.on('exit', () => signal('SIGKILL'));
    const timer = request.timeoutMs ? setTimeout(() => signal('SIGKILL'), request.timeoutMs) : undefined;
    timer?.unref();
    if (pid !== undefined) this.track(pid, subprocess);
    const exited = subprocess.then((result) => {
      if (timer) clearTimeout(timer);
      if (pid !== undefined) this.untrack(pid);
      return toExit(file ?? '', result);
    });
    return { pid, exited, signal };
  }

  /** The process groups running now (for the usage sampler). */
  groups(): number[] {
    return [...this.live.keys()];
  }

  /** Kills every process group, waits for them, and ends the reaper. */
  async stop(): Promise<void> {
    const running = [...this.live.entries()];
    for (const [pid] of running) signalGroup(pid, 'SIGKILL');
    this.cancel.abort();
    await Promise.all(running.map(([, entry]) => entry.process.then(() => undefined)));
    await this.saving;
    if (this.reaper) {
      this.reaper.stdin?.end();
      await this.reaper;
    }
  }

  private track(pid: number, process: ResultPromise): void {
    this.live.set(pid, { started: undefined, process });
    this.reaper?.stdin?.write(`+${pid}\n`);
    void processStartStamp(pid).then((started) => {
      const entry = this.live.get(pid);
      if (entry) entry.started = started;
      return this.save();
    });
  }

  private untrack(pid: number): void {
    this.live.delete(pid);
    if (this.reaper?.stdin?.writable) this.reaper.stdin.write(`-${pid}\n`);
    void this.save();
  }

  private save(): Promise<void> {
    const snapshot = [...this.live.entries()]
      .filter(([, entry]) => entry.started !== undefined)
      .map(([pid, entry]) => ({ pid, started: entry.started }));
    this.saving = this.saving
      .then(() => writeFileAtomic(this.pidFile, `${JSON.stringify(snapshot)}\n`))
      .catch(() => undefined);
    return this.saving;
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

function toExit(
  file: string,
  result: { exitCode?: number; signal?: string; code?: string; originalMessage?: string; pid?: number },
): ProcessExit {
  if (result.exitCode !== undefined) return { exitCode: result.exitCode };
  if (result.signal) {
    const number = constants.signals[result.signal as NodeJS.Signals] ?? 9;
    return { exitCode: 128 + number, signal: result.signal };
  }
  const startError =
    result.code === 'ENOENT'
      ? `exec: "${file}": executable file not found in $PATH`
      : (result.originalMessage ?? `exec: "${file}": could not start`);
  return { exitCode: 128, startError };
}

/** What identifies a process beyond its pid: its start time (Linux: /proc; elsewhere: ps). */
export async function processStartStamp(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    } catch {
      return undefined;
    }
  }
  const result = await execa('ps', ['-o', 'lstart=', '-p', String(pid)], { reject: false, timeout: 5_000 });
  const text = typeof result.stdout === 'string' ? result.stdout.trim() : '';
  return result.exitCode === 0 && text ? text : undefined;
}

async function killLeftovers(pidFile: string): Promise<void> {
  let recorded: { pid: number; started: string }[];
  try {
    recorded = JSON.parse(await readFile(pidFile, 'utf8'));
  } catch {
    return;
  }
  for (const { pid, started } of Array.isArray(recorded) ? recorded : []) {
    if (typeof pid === 'number' && started && (await processStartStamp(pid)) === started) {
      signalGroup(pid, 'SIGKILL');
    }
  }
}
