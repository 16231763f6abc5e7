import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUpPrinter } from '../../src/commands/up.js';
import { createMachine, kindKubeconfig, processAlive, type TestMachine, waitFor } from './helpers.js';

/** The built CLI, run as a script would run it: no terminal, the machine's stand-ins on PATH. */
const CLI = join(process.cwd(), 'dist', 'cli.js');

describe('churn-labs up and down (the built CLI)', () => {
  let machine: TestMachine;
  beforeEach(async () => {
    machine = await createMachine();
  });
  afterEach(() => machine.cleanup());

  const cli = (args: string[], extra: { env?: Record<string, string> } = {}) =>
    execa(process.execPath, [CLI, ...args], {
      reject: false,
      env: { ...machine.env, NO_COLOR: '', CI: '', ...extra.env },
      extendEnv: true,
      input: '',
      timeout: 60_000,
    });
  const deleteCalls = async () =>
    (await machine.calls()).filter((c) => c.tool === 'kind' && c.args[0] === 'delete');

  it('down --yes deletes the kind cluster and keeps the workspace', async () => {
    await machine.clusterIsUp();
    const result = await cli(['down', '--yes']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /Deleted the kind cluster churn-labs\. Your workspace \(.*\) and progress are kept/,
    );
    expect(await deleteCalls()).toEqual([
      { tool: 'kind', args: ['delete', 'cluster', '--name', 'churn-labs'] },
    ]);
    expect((await machine.state()).clusters).toEqual({});
  });

  it('down without --yes and without a terminal cannot ask: exit 2, nothing deleted', async () => {
    await machine.clusterIsUp();
    const result = await cli(['down']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/needs confirmation, and there is no terminal to ask in: pass --yes/);
    expect(await deleteCalls()).toEqual([]);
  });

  it('down on a terminal asks first, and deletes only on yes', async () => {
    await machine.clusterIsUp();
    const inTerminal = (answer: string) =>
      execa('script', ['-qec', `'${process.execPath}' '${CLI}' down`, '/dev/null'], {
        reject: false,
        env: { ...machine.env, PATH: `${machine.bin}:/usr/bin:/bin`, TERM: 'xterm', CI: '' },
        extendEnv: true,
        input: answer,
        timeout: 60_000,
      });
    const no = await inTerminal('n\n');
    expect(no.stdout).toMatch(/Delete the kind cluster churn-labs and everything running in it\? \[y\/N\]/);
    expect(no.stdout).toMatch(/Nothing was deleted\./);
    expect(await deleteCalls()).toEqual([]);
    const yes = await inTerminal('y\n');
    expect(yes.exitCode).toBe(0);
    expect(yes.stdout).toMatch(/Deleted the kind cluster churn-labs\./);
    expect(await deleteCalls()).toHaveLength(1);
  });

  it('down with no cluster has nothing to delete and asks nothing', async () => {
    const result = await cli(['down']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/There is no kind cluster churn-labs: nothing to delete\./);
  });

  it('down --context churn-labs-sim stops the simulated cluster (none runs here), not kind', async () => {
    const result = await cli(['down', '--yes', '--context', 'churn-labs-sim']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/The simulated cluster is not running: nothing to stop/);
    expect(await machine.calls()).toEqual([]);
  });

  it('up prints plain lines without a terminal, and on failure the fix; exit 1', async () => {
    machine.fail('daemon-down');
    const result = await cli(['up']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^→ Checking Docker, kind and kubectl: churn-labs doctor\n/);
    expect(result.stdout).toMatch(
      /\nFAILED Checking Docker, kind and kubectl: .*Docker daemon is not reachable/,
    );
    expect(result.stdout).toMatch(/\n {2}fix: .*churn-labs start --simulate/);
    expect(result.stdout).not.toMatch(/\u001b/);
  });

  it('up --context churn-labs-sim brings the lab up on the simulated cluster: exit 0', async () => {
    const kubeconfig = join(machine.dir, 'sim-kubeconfig');
    await writeFile(kubeconfig, kindKubeconfig('churn-labs-sim', machine.cluster.url));
    const result = await cli(['up', '--context', 'churn-labs-sim', '--kubeconfig', kubeconfig]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/\nok Smoke test: a pod of churn-labs\/churn-ml:0\.1\.0: .*\(\d+\.\ds\)\n/);
    expect(result.stdout).toMatch(
      /The lab is up \(the simulated cluster, context churn-labs-sim\)\. Your manifests are in .*workspace\/k8s\./,
    );
    expect(await machine.calls()).toEqual([]);
  });

  it('Ctrl-C ends the running command and exits 130, saying how to pick up', async () => {
    machine.fail('clusters-hang');
    const child = execa(process.execPath, [CLI, 'up'], {
      reject: false,
      env: { ...machine.env, NO_COLOR: '1' },
      extendEnv: true,
      input: '',
      timeout: 60_000,
    });
    const pid = async () =>
      Number((await readFile(machine.env.STANDIN_PIDS!, 'utf8').catch(() => '')).trim());
    await waitFor(async () => (await pid()) > 0, 40_000, 'kind get clusters to start');
    const kindPid = await pid();
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(/FAILED kind cluster churn-labs: Interrupted/);
    expect(result.stderr).toMatch(/Stopped\. Run churn-labs up again: it picks up where it stopped\./);
    await waitFor(() => !processAlive(kindPid), 5_000, 'kind to end');
  });

  it('on a terminal each step has a spinner line with its command, redrawn in place', async () => {
    const kubeconfig = join(machine.dir, 'sim-kubeconfig');
    await writeFile(kubeconfig, kindKubeconfig('churn-labs-sim', machine.cluster.url));
    const command = [process.execPath, CLI, 'up', '--context', 'churn-labs-sim', '--kubeconfig', kubeconfig]
      .map((a) => `'${a}'`)
      .join(' ');
    // `script` gives the CLI a real pseudo-terminal.
    const result = await execa('script', ['-qec', command, '/dev/null'], {
      reject: false,
      env: { ...machine.env, PATH: `${machine.bin}:/usr/bin:/bin`, TERM: 'xterm', NO_COLOR: '', CI: '' },
      extendEnv: true,
      timeout: 60_000,
    });
    expect(result.exitCode).toBe(0);
    const screen = result.stdout;
    expect(screen).toMatch(
      /\r\u001b\[2K\u001b\[2m[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Smoke test: a pod of churn-labs\/churn-ml:0\.1\.0 \d+\.\ds {2}kubectl --context churn-labs-sim/,
    );
    expect(screen).toMatch(/\u001b\[32m✓\u001b\[39m Smoke test/);
    expect(screen).toMatch(/The lab is up/);
  });
});

describe('the step printer', () => {
  const capture = (live: boolean) => {
    const chunks: string[] = [];
    return { chunks, printer: createUpPrinter({ write: (t: string) => chunks.push(t), columns: 60 }, live) };
  };

  it('keeps a live line within the terminal width and clears it before the result', () => {
    const { chunks, printer } = capture(true);
    printer.event({
      type: 'step-start',
      id: 'x',
      title: 'Building image churn-labs/churn-api:0.1.0',
      command: 'docker build -t churn-labs/churn-api:0.1.0 --build-arg APP_VERSION=0.1.0 /a/long/path',
    });
    const line = chunks.at(-1)!;
    const visible = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace('\r', '');
    expect([...visible].length).toBeLessThanOrEqual(59);
    expect(visible.endsWith('…')).toBe(true);
    printer.event({
      type: 'step-end',
      id: 'x',
      outcome: 'failed',
      ms: 1234,
      detail: 'It broke.',
      fix: 'Do this.',
      outputTail: 'line 1\nline 2',
    });
    printer.stop();
    const rest = chunks.slice(1).join('');
    expect(rest).toMatch(
      /^\r\u001b\[2K\u001b\[31m✗\u001b\[39m Building image churn-labs\/churn-api:0\.1\.0: It broke\. /,
    );
    expect(rest).toMatch(/fix:\u001b\[39m Do this\.\n/);
    expect(rest).toMatch(/ {2}│ line 1\n {2}│ line 2/);
  });

  it('writes plain lines and no escape codes when not live', () => {
    const { chunks, printer } = capture(false);
    printer.event({ type: 'step-start', id: 'w', title: 'Workspace manifests', command: 'copy a -> b' });
    printer.event({ type: 'notice', message: 'Kept your edited k8s/x.yaml.' });
    printer.event({ type: 'step-end', id: 'w', outcome: 'skipped', ms: 20, detail: 'up to date' });
    expect(chunks.join('')).toBe(
      '→ Workspace manifests: copy a -> b\n! Kept your edited k8s/x.yaml.\nskipped Workspace manifests: up to date (0.0s)\n',
    );
  });
});
