import { randomBytes } from 'node:crypto';
import { execa } from 'execa';

/**
 * A real terminal: a detached tmux session on its own server socket, so a test never touches the
 * learner's tmux. Keys go in with send-keys; the screen comes back with capture-pane.
 */
export class Terminal {
  private readonly socket = `churn-labs-test-${randomBytes(4).toString('hex')}`;
  private readonly session = 'app';

  private tmux(args: string[]) {
    return execa('tmux', ['-L', this.socket, ...args], { reject: false, timeout: 10_000 });
  }

  /**
   * Runs `command` in the terminal with `env` added. The terminal a learner types in has no `CI`
   * (start treats CI as "no terminal", as the contract says), whatever the test runner has; a test
   * that wants it passes it in `env`.
   */
  async start(command: string, env: Record<string, string>, size = { columns: 110, rows: 40 }) {
    const exports = Object.entries(env)
      .map(([key, value]) => `export ${key}='${value.replace(/'/g, `'\\''`)}';`)
      .join(' ');
    const result = await this.tmux([
      'new-session',
      '-d',
      '-s',
      this.session,
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
      `unset CI CONTINUOUS_INTEGRATION; ${exports} ${command}`,
    ]);
    if (result.exitCode !== 0) throw new Error(`tmux did not start: ${result.stderr}`);
  }

  async screen(): Promise<string> {
    return (await this.tmux(['capture-pane', '-p', '-t', this.session])).stdout;
  }

  /** Keys as tmux names them: 'Enter', 'C-c', 'q', '?'. */
  async keys(...keys: string[]) {
    await this.tmux(['send-keys', '-t', this.session, ...keys]);
  }

  /** The pid of the program running in the pane (the shell that runs the command). */
  async panePid(): Promise<number> {
    return Number(
      (await this.tmux(['display-message', '-p', '-t', this.session, '#{pane_pid}'])).stdout.trim(),
    );
  }

  async waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (predicate(screen)) return screen;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; the terminal showed:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  waitForText(text: string, timeoutMs?: number) {
    return this.waitFor((s) => s.includes(text), `"${text}"`, timeoutMs);
  }

  async close() {
    await this.tmux(['kill-server']);
  }
}

/** Every process below `pid` (children, their children, ...). */
export async function descendants(pid: number): Promise<number[]> {
  const { stdout } = await execa('ps', ['-e', '-o', 'pid=,ppid='], { reject: false });
  const children = new Map<number, number[]>();
  for (const line of stdout.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!child || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      visit(c);
    }
  };
  visit(pid);
  return found;
}

/**
 * CPU time (ms) a process has used, all its threads, from the scheduler's nanosecond counters
 * (/proc/<pid>/stat counts in 10 ms ticks, too coarse to sum a dozen idle processes over 10 s);
 * undefined once it has ended.
 */
export async function cpuMs(pid: number): Promise<number | undefined> {
  const { readdir, readFile } = await import('node:fs/promises');
  const threads = await readdir(`/proc/${pid}/task`).catch(() => undefined);
  if (!threads) return undefined;
  let ns = 0;
  for (const thread of threads) {
    const stat = await readFile(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').catch(() => '');
    ns += Number(stat.split(' ')[0]) || 0;
  }
  return ns / 1e6;
}

export async function commandLine(pid: number): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
}
