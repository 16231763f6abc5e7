import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnLabs, tempHome } from './helpers.js';

/**
 * The simulated cluster as a background process, one per CHURN_LABS_HOME (the contract's
 * `up --simulate` / `down --simulate`), and the default context: the lab last brought up.
 */
describe('the background simulated cluster', () => {
  let home: { home: string; cleanup: () => Promise<void> };
  const run = (args: string[]) => churnLabs(args, { home: home.home });
  const kubectl = (args: string[]) =>
    execa(
      'kubectl',
      ['--kubeconfig', join(home.home, 'sim', 'kubeconfig'), '--context', 'churn-labs-sim', ...args],
      { reject: false, timeout: 30_000 },
    );
  const simPid = async () =>
    Number((await readFile(join(home.home, 'sim', 'simulator.pid'), 'utf8')).split('\n')[0]);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    home = await tempHome();
  });
  afterAll(async () => {
    await run(['down', '--simulate', '--yes']);
    await home.cleanup();
  });

  it('up --simulate starts it in the background, prints the ready line, and it outlives the command', async () => {
    const up = await run(['up', '--simulate']);
    expect(up.exitCode, String(up.stderr)).toBe(0);
    expect(up.stdout).toMatch(
      /^ready kubeconfig=\S+\/sim\/kubeconfig context=churn-labs-sim server=https?:\/\/127\.0\.0\.1:\d+$/m,
    );
    expect(up.stdout).toContain('The lab is up (the simulated cluster, context churn-labs-sim)');
    // The command has ended; the cluster answers.
    const created = await kubectl(['create', 'namespace', 'kept']);
    expect(created.stdout).toContain('namespace/kept created');
    expect(JSON.parse(await readFile(join(home.home, 'lab.json'), 'utf8'))).toEqual({
      context: 'churn-labs-sim',
    });
  });

  it('every command then targets it without --context, and says so', async () => {
    const check = await run(['check', 'deploy-system']);
    expect(check.stdout).toContain(
      'deploy-system: Deploy the complete system (on the simulated cluster, context churn-labs-sim)',
    );
    expect(check.stdout).not.toContain('kind-churn-labs');
    // --context still wins.
    const other = await run(['check', 'deploy-system', '--context', 'kind-churn-labs']);
    expect(other.stdout).toContain('(on context kind-churn-labs)');
  });

  it('a second up --simulate reuses the running one', async () => {
    const pid = await simPid();
    const again = await run(['up', '--simulate']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`already running, process ${pid}`);
    expect(await simPid()).toBe(pid);
  });

  it('a crashed one is noticed by the next up and started again with its state, on the same port', async () => {
    const pid = await simPid();
    const before = (await readFile(join(home.home, 'sim', 'kubeconfig'), 'utf8')).match(/server: (\S+)/)?.[1];
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await kubectl(['get', 'ns', 'kept'])).exitCode).not.toBe(0);
    const up = await run(['up']);
    expect(up.exitCode, String(up.stderr)).toBe(0);
    expect(await simPid()).not.toBe(pid);
    expect((await kubectl(['get', 'ns', 'kept'])).stdout).toContain('kept');
    const after = (await readFile(join(home.home, 'sim', 'kubeconfig'), 'utf8')).match(/server: (\S+)/)?.[1];
    expect(after).toBe(before);
  });

  it('the app revives a crashed one when its checks find it gone (once per 30 s)', async () => {
    const pid = await simPid();
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    const { reviveSim } = await import('../../src/cluster/background-sim.js');
    const { homePaths } = await import('../../src/paths.js');
    expect(await reviveSim(homePaths(home.home))).toBe(true);
    expect((await kubectl(['get', 'ns', 'kept'])).stdout).toContain('kept');
    expect(await simPid()).not.toBe(pid);
    // Not again at once, even if it died again: a cluster that keeps dying is reported, not looped.
    expect(await reviveSim(homePaths(home.home))).toBe(false);
  });

  it('down --simulate asks first, stops it with --yes and keeps its state for the next up', async () => {
    const pid = await simPid();
    const asked = await run(['down', '--simulate']);
    expect(asked.exitCode).toBe(2);
    expect(asked.stderr).toContain('pass --yes');
    expect(alive(pid)).toBe(true);

    const down = await run(['down', '--simulate', '--yes']);
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain('Stopped the simulated cluster');
    expect(alive(pid)).toBe(false);
    expect((await run(['down', '--simulate', '--yes'])).stdout).toContain('is not running: nothing to stop');

    expect((await run(['up', '--simulate'])).exitCode).toBe(0);
    expect((await kubectl(['get', 'ns', 'kept'])).stdout).toContain('kept');
  });

  it('up --simulate with another context is refused in a sentence', async () => {
    const result = await run(['up', '--simulate', '--context', 'kind-churn-labs']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('up --simulate brings up the simulated cluster');
  });
});

describe('--help of every command', () => {
  it('lists --context and --kubeconfig', async () => {
    const home = await tempHome();
    try {
      for (const command of [
        'check',
        'solve',
        'hint',
        'up',
        'down',
        'list',
        'progress',
        'reset',
        'quiz',
        'start',
      ]) {
        const help = await churnLabs([command, '--help'], { home: home.home });
        expect(help.stdout, command).toContain('--context <name>');
        expect(help.stdout, command).toContain('--kubeconfig <path>');
      }
    } finally {
      await home.cleanup();
    }
  });
});
