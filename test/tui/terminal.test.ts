import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEEDS_TERMINAL, NOT_IN_CI } from '../../src/commands/start.js';
import { commandLine, cpuMs, descendants, Terminal } from './terminal.js';

/**
 * `churn-labs start` in a real terminal (tmux), as a learner runs it: the built program, a real
 * pseudo-terminal, real keys.
 */
const CLI = join(process.cwd(), 'dist', 'cli.js');
const hasTmux = (await execa('tmux', ['-V'], { reject: false })).exitCode === 0;
const built = existsSync(CLI);

/** The first frame within 300 ms of launch, an update within 50 ms (on a quiet machine). */
const FIRST_FRAME_MS = 300;
const UPDATE_MS = 50;
/** How much more the machine runs than it has cores for (parallel test runs slow everything). */
const load = Math.max(1, loadavg()[0]! / availableParallelism());

let home: string;
let terminal: Terminal;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'churn-labs-term-'));
  terminal = new Terminal();
});
afterEach(async () => {
  await terminal.close();
  // start --simulate leaves the simulated cluster running in the background, as a kind cluster.
  await execa(process.execPath, [CLI, 'down', '--simulate', '--yes'], {
    env: { CHURN_LABS_HOME: home },
    reject: false,
  });
  await rm(home, { recursive: true, force: true });
});

const simKubectl = (args: string[]) =>
  execa(
    'kubectl',
    ['--kubeconfig', join(home, 'sim', 'kubeconfig'), '--context', 'churn-labs-sim', ...args],
    {
      reject: false,
      timeout: 30_000,
    },
  );
/**
 * The processes the app started, without the simulated cluster: the app starts it in the
 * background, and it (with its pods) stays its descendant until the app ends.
 */
const appProcesses = async (app: number) => {
  const all = await descendants(app);
  let sim: number | undefined;
  try {
    sim = Number((await readFile(join(home, 'sim', 'simulator.pid'), 'utf8')).split('\n')[0]);
  } catch {}
  if (!sim || !all.includes(sim)) return all;
  const cluster = new Set([sim, ...(await descendants(sim))]);
  return all.filter((pid) => !cluster.has(pid));
};

/** Each pod of the namespace with its restart count and its container's process (the simulated node's). */
const podRestarts = async () =>
  (
    await simKubectl([
      'get',
      'pods',
      '-n',
      'churn-mlops',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.status.containerStatuses[0].restartCount}{"\\n"}{end}',
    ])
  ).stdout
    .trim()
    .split('\n')
    .sort();

/** Runs the CLI in the pane, then writes its exit code and the terminal's mode to files. */
const run = (args: string) =>
  `node ${CLI} ${args}; code=$?; stty -a > ${home}/stty; echo $code > ${home}/exit-code; sleep 60`;

const exitCode = async () => {
  const file = join(home, 'exit-code');
  const deadline = Date.now() + 15_000;
  while (!existsSync(file) || (await readFile(file, 'utf8')).trim() === '') {
    if (Date.now() > deadline)
      throw new Error(`the app did not exit; the terminal showed:\n${await terminal.screen()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Number((await readFile(file, 'utf8')).trim());
};

describe.skipIf(!hasTmux || !built)('start in a real terminal', () => {
  it('without a terminal says it needs one, names the commands to use, and exits 2', async () => {
    await terminal.start(
      `node ${CLI} start > ${home}/out 2> ${home}/err < /dev/null; echo $? > ${home}/exit-code; sleep 60`,
      { CHURN_LABS_HOME: home },
    );
    expect(await exitCode()).toBe(2);
    const err = await readFile(join(home, 'err'), 'utf8');
    expect(err).toBe(`churn-labs: ${NEEDS_TERMINAL}\n`);
    expect(err).toContain('churn-labs check <exercise>');
    expect(err).toContain('churn-labs quiz --answers FILE');
    expect(err).toContain('churn-labs list');
    expect(await readFile(join(home, 'out'), 'utf8')).toBe('');
    // Piped output is no terminal either.
    const piped = await execa('sh', ['-c', `node ${CLI} start | cat`], {
      reject: false,
      env: { CHURN_LABS_HOME: home },
    });
    expect(piped.exitCode).toBe(0); // the pipeline's status is cat's
    expect(piped.stderr).toContain(NEEDS_TERMINAL);
    const status = await execa('bash', ['-c', `node ${CLI} start | cat; exit \${PIPESTATUS[0]}`], {
      reject: false,
      env: { CHURN_LABS_HOME: home },
    });
    expect(status.exitCode).toBe(2);
  });

  it('in a terminal but with CI set, says CI is why, and exits 2', async () => {
    await terminal.start(`node ${CLI} start 2> ${home}/err; echo $? > ${home}/exit-code; sleep 60`, {
      CHURN_LABS_HOME: home,
      CI: 'true',
    });
    expect(await exitCode()).toBe(2);
    expect(await readFile(join(home, 'err'), 'utf8')).toBe(`churn-labs: ${NOT_IN_CI}\n`);
  });

  it('draws the course map at once, shows the keys, quits with q and gives the terminal back', async () => {
    const timings = join(home, 'timings.json');
    await terminal.start(run('start'), { CHURN_LABS_HOME: home, CHURN_LABS_TUI_TIMINGS: timings });
    await terminal.waitForText('Section 19: Production Kubernetes Deployments');
    // Nothing slow comes before the first frame: no doctor, kubectl or simulator has started.
    const app = (await descendants(await terminal.panePid()))[0]!;
    expect(await descendants(app)).toEqual([]);
    await terminal.waitForText('Ctrl-C quit');
    await terminal.keys('?');
    await terminal.waitForText('Any key closes this.');
    await terminal.keys('x');
    await terminal.waitFor((s) => !s.includes('Any key closes this.'), 'the help to close');
    await terminal.keys('q');
    expect(await exitCode()).toBe(0);
    const stty = await readFile(join(home, 'stty'), 'utf8');
    expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
    expect(stty).toMatch(/(^|\s)echo(\s|$)/);
    const timing = JSON.parse(await readFile(timings, 'utf8'));
    // A busy machine keeps the app waiting for a core; the kernel counts that wait, and without it
    // the first frame takes about what it would on a quiet one.
    const ownMs = timing.firstFrameMs - (timing.firstFrameQueuedMs ?? 0);
    console.log(
      `first frame ${Math.round(timing.firstFrameMs)} ms after launch, ${Math.round(timing.firstFrameQueuedMs)} ms of it waiting for a core; ` +
        `updates: median ${Math.round(timing.medianUpdateMs)} ms, slowest ${Math.round(timing.maxUpdateMs)} ms (load ${load.toFixed(1)}× the cores)`,
    );
    // The budgets (300 ms, 50 ms) are the benchmark's to hold on a quiet machine; shared with other
    // test runs, caches and helper threads still stretch these, so here they only catch gross
    // regressions (a render that redraws everything printed so far, seconds of work up front).
    expect(ownMs).toBeLessThan(FIRST_FRAME_MS * 4);
    expect(timing.medianUpdateMs).toBeLessThan(UPDATE_MS * load * 3);
  });

  it('quits on Ctrl-C too, with exit 0', async () => {
    await terminal.start(run('start'), { CHURN_LABS_HOME: home });
    await terminal.waitForText('Ctrl-C quit');
    await terminal.keys('C-c');
    expect(await exitCode()).toBe(0);
  });
});

const quizReady = existsSync('quizzes/section-19.yaml');

describe.skipIf(!hasTmux || !built || !quizReady)('churn-labs quiz in a real terminal', () => {
  it('asks the questions one at a time, gives feedback, and leaves with q', async () => {
    await terminal.start(run('quiz'), { CHURN_LABS_HOME: home });
    await terminal.waitForText('question 1 of');
    await terminal.keys('Down');
    await terminal.waitFor((s) => /› B\)/.test(s), 'the cursor on B');
    await terminal.keys('Enter');
    await terminal.waitForText('Model answer');
    await terminal.keys('Enter');
    await terminal.waitForText('question 2 of');
    await terminal.keys('q');
    expect(await exitCode()).toBe(0);
  });

  it('hands the terminal to $EDITOR for the YAML answer and takes it back', async () => {
    // An "editor" that reads what is typed at the terminal: it gets the keys only if the app has
    // stopped reading them.
    const editor = join(home, 'editor.sh');
    await writeFile(
      editor,
      `#!/bin/sh\nprintf 'EDITOR READY\\n'\nread name\nprintf 'kind: PersistentVolumeClaim\\nmetadata:\\n  name: %s\\n' "$name" >> "$1"\n`,
    );
    await chmod(editor, 0o755);
    await terminal.start(run('quiz'), { CHURN_LABS_HOME: home, EDITOR: editor });
    for (const question of ['1', '2']) {
      await terminal.waitForText(`question ${question} of`);
      await terminal.keys('Enter');
      await terminal.waitForText('Enter next question');
      await terminal.keys('Enter');
    }
    for (const question of ['3', '4']) {
      await terminal.waitForText(`question ${question} of`);
      await terminal.keys('-l', 'no idea');
      await terminal.keys('Enter');
      await terminal.waitForText('Enter next question');
      await terminal.keys('Enter');
    }
    await terminal.waitForText('question 5 of');
    await terminal.waitForText(`Write it in your editor (${editor})`);
    await terminal.keys('Enter');
    await terminal.waitForText('EDITOR READY');
    await terminal.keys('-l', 'churn-mlops-pvc');
    await terminal.keys('Enter');
    // Graded from what the editor wrote; and the keys reach the app again.
    await terminal.waitForText('Enter next question');
    const draft = await readFile(join(home, 'quiz', 'section-19-q5.yaml'), 'utf8');
    expect(draft).toContain('name: churn-mlops-pvc');
    // The app reads keys again: Enter moves on to the next question.
    await terminal.keys('Enter');
    await terminal.waitForText('question 6 of');
    await terminal.keys('q');
    expect(await exitCode()).toBe(0);
  });
});

const simulatorReady = existsSync('src/sim/main.ts') && existsSync('labs/01-deploy-system.yaml');

/** Waits until none of these processes runs any more. */
async function allEnded(pids: number[]) {
  const deadline = Date.now() + 15_000;
  const running = () => pids.filter((pid) => existsSync(`/proc/${pid}`));
  while (running().length > 0) {
    if (Date.now() > deadline) throw new Error(`still running: ${running().join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!hasTmux || !built || !simulatorReady)('start --simulate, end to end', () => {
  it('brings up the simulated cluster, does exercise 1 with its solution, and ends every process', async () => {
    await terminal.start(run('start --simulate'), { CHURN_LABS_HOME: home });
    await terminal.waitForText('Section 19: Production Kubernetes Deployments');
    await terminal.waitFor((s) => /› .*1\. /.test(s), 'the cursor on exercise 1');
    await terminal.keys('Enter');
    await terminal.waitForText('Press Enter to start.', 240_000);
    expect(await terminal.screen()).toContain(`export KUBECONFIG=${home}/sim/kubeconfig`);
    await terminal.keys('Enter');
    await terminal.waitForText('step 1 of');
    const shell = await terminal.panePid();
    const app = (await descendants(shell))[0]!;
    // Ctrl-C during "do it for me" stops the solution only: the app stays, the solution's shell and
    // its kubectl end, and the step can be done (here: by the solution again).
    await terminal.keys('s');
    await terminal.waitForText('Running:', 60_000);
    await terminal.keys('C-c');
    await terminal.waitForText('Stopped "do it for me"', 30_000);
    const left = await Promise.all((await appProcesses(app)).map((pid) => commandLine(pid)));
    // The solution runs each command in `sh` (its kubectl are that shell's children): none is left.
    // The app's own watches and its namespace reads go on.
    expect(left.filter((args) => /^(\/bin\/)?sh /.test(args))).toEqual([]);
    await terminal.keys('s');
    await terminal.waitForText('every step passes. Exercise complete.', 240_000);
    // Settled: the solution has finished and the panel shows the API ready.
    // (Its last line may have scrolled above the live part: the footer says it no longer runs.)
    await terminal.waitFor(
      (s) => s.includes('s do it for me') && !s.includes('Running:'),
      'the solution to end',
      60_000,
    );
    await terminal.waitFor((s) => /deployment churn-api 3\/3( ready)?\b/.test(s), 'the API ready', 60_000);
    // The watches of the last step read the cluster once more when they are up (3 s after they
    // start, for what changed before they began): let that pass.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const running = await appProcesses(app);
    expect(running.length).toBeGreaterThan(0);

    // At rest: the app and its kubectl watches use under 2% of a core over 10 s. The simulated
    // cluster runs in the background, not in the app: its pods are not the app's descendants.
    const processes = await Promise.all(running.map(async (pid) => ({ pid, args: await commandLine(pid) })));
    const workload = processes.filter((p) => p.args.includes('churn-mlops.js')).map((p) => p.pid);
    const ours = [app, ...processes.filter((p) => !workload.includes(p.pid)).map((p) => p.pid)];
    const before = new Map(
      await Promise.all([...ours, ...workload].map(async (pid) => [pid, await cpuMs(pid)] as const)),
    );
    const wall = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const elapsed = Date.now() - wall;
    const after = new Map(
      await Promise.all([...ours, ...workload].map(async (pid) => [pid, await cpuMs(pid)] as const)),
    );
    // A process that ended meanwhile (a short kubectl) has no count left to compare: leave it out.
    const used = (pid: number) => {
      const start = before.get(pid);
      const end = after.get(pid);
      return start === undefined || end === undefined ? 0 : (end - start) / elapsed;
    };
    const sum = (pids: number[]) => pids.reduce((total, pid) => total + used(pid), 0);
    const share = sum(ours);
    console.log(
      `CPU at rest, % of a core: the app ${(used(app) * 100).toFixed(2)}, ` +
        `with its ${ours.length - 1} watches ${(share * 100).toFixed(2)}; the ${workload.length} churn-mlops pods ${(sum(workload) * 100).toFixed(2)}`,
    );
    // The 2% is the benchmark's to hold on a quiet machine (it measures 0.1%); here other test
    // files share the cores, and every timer of the simulated cluster's kubelet (readiness probes,
    // usage samples of 3 pods) costs more, so the budget grows with the load, as the others above.
    // A watch loop that spins would still use tens of percent.
    // The load now, as the other test files run: the file's start may have been quieter.
    const loadNow = Math.max(load, loadavg()[0]! / availableParallelism());
    expect(share).toBeLessThan(0.02 * loadNow);

    const restarts = await podRestarts();
    expect(restarts.length).toBeGreaterThanOrEqual(3);
    await terminal.keys('q');
    await terminal.waitForText('exercises done');
    await terminal.keys('q');
    expect(await exitCode()).toBe(0);
    await allEnded([app, ...running]);
    expect(await terminal.screen()).toContain('The simulated cluster keeps running in the background');

    // The cluster outlives the app, as a kind cluster does: kubectl works, and its pods were not
    // restarted, neither by quitting nor by starting the app again.
    expect(await podRestarts()).toEqual(restarts);
    await terminal.close();
    terminal = new Terminal();
    await rm(join(home, 'exit-code'), { force: true });
    await terminal.start(run('start'), { CHURN_LABS_HOME: home });
    await terminal.waitForText('exercises done');
    await terminal.keys('Enter');
    await terminal.waitForText('Press Enter to start.', 240_000);
    expect(await terminal.screen()).toContain('already running');
    expect(await podRestarts()).toEqual(restarts);
    await terminal.keys('q');
    await terminal.waitForText('exercises done');
    await terminal.keys('q');
    expect(await exitCode()).toBe(0);
  }, 600_000);

  it('ends its own processes on SIGTERM and leaves the simulated cluster running', async () => {
    await terminal.start(run('start --simulate'), { CHURN_LABS_HOME: home });
    await terminal.waitForText('exercises done');
    await terminal.keys('Enter');
    await terminal.waitForText('Press Enter to start.', 240_000);
    const app = (await descendants(await terminal.panePid()))[0]!;
    const started = await appProcesses(app);
    process.kill(app, 'SIGTERM');
    expect(await exitCode()).toBe(143);
    await allEnded([app, ...started]);
    expect(await readFile(join(home, 'stty'), 'utf8')).toMatch(/(^|\s)icanon(\s|$)/);
    expect((await simKubectl(['get', 'namespace', 'default'])).exitCode).toBe(0);
  }, 300_000);

  it('stops bringing the lab up on Ctrl-C, ending what it started', async () => {
    await terminal.start(run('start --simulate'), { CHURN_LABS_HOME: home });
    await terminal.waitForText('exercises done');
    await terminal.keys('Enter');
    await terminal.waitForText('✓ Start the simulated cluster', 60_000);
    const app = (await descendants(await terminal.panePid()))[0]!;
    const started = await appProcesses(app);
    await terminal.keys('C-c');
    expect(await exitCode()).toBe(0);
    await allEnded([app, ...started, ...(await appProcesses(app))]);
  }, 300_000);
});
