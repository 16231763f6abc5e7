import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting, KUBECTL, waitFor } from './helpers.js';

/**
 * `churn-labs sim serve` as a learner runs it (the built CLI, dist/cli.js, as `npm test` builds it):
 * one ready line, a cluster kubectl accepts, a clean stop on SIGTERM and SIGINT, one sentence when
 * the port is taken or another simulator already runs for the same home.
 */
const CLI = join(process.cwd(), 'dist', 'cli.js');

describe('churn-labs sim serve', () => {
  const homes: string[] = [];
  const children: ResultPromise[] = [];

  beforeAll(() => {
    if (!existsSync(CLI))
      throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does).');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await child.catch(() => {});
    }
    for (const dir of homes.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  const serve = async (args: string[] = [], home?: string) => {
    const dir = home ?? (await mkdtemp(join(tmpdir(), 'churn-labs-serve-')));
    if (!home) homes.push(dir);
    const child = execa(process.execPath, [CLI, 'sim', 'serve', ...args], {
      env: { CHURN_LABS_HOME: dir, NO_COLOR: '1' },
      extendEnv: true,
      reject: false,
      buffer: true,
    });
    children.push(child);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    return { child, home: dir, stdout: () => stdout };
  };

  it('writes its kubeconfig before its pid file, which tells a background starter it is ready', async () => {
    const { child, home } = await serve();
    const pid = join(home, 'sim', 'simulator.pid');
    const deadline = Date.now() + 20_000;
    // Polled as closely as the event loop allows: the moment the pid file is there, so is the kubeconfig.
    while (!existsSync(pid) && Date.now() < deadline && child.exitCode === null)
      await new Promise((resolve) => setImmediate(resolve));
    expect(existsSync(pid)).toBe(true);
    expect(existsSync(join(home, 'sim', 'kubeconfig'))).toBe(true);
  });

  it('prints one ready line, serves kubectl, and stops with exit 0 on SIGTERM', async () => {
    const { child, home, stdout } = await serve();
    const line = await waitFor(
      () =>
        stdout().match(
          /^ready kubeconfig=(\S+) context=churn-labs-sim server=(https:\/\/127\.0\.0\.1:\d+)\n$/,
        ),
      'the ready line',
      20_000,
    );
    expect(line[1]).toBe(join(home, 'sim', 'kubeconfig'));
    const nodes = await execa(
      KUBECTL,
      [
        '--kubeconfig',
        line[1]!,
        '--context',
        'churn-labs-sim',
        '--cache-dir',
        join(home, 'cache'),
        'get',
        'nodes',
        '-o',
        'name',
      ],
      { reject: false },
    );
    expect(nodes.stdout.trim()).toBe('node/churn-labs-control-plane');
    const fetch = fetchTrusting(await readFile(join(home, 'sim', 'ca.crt'), 'utf8'));
    expect((await fetch(`${line[2]}/version`)).status).toBe(200);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toBe(line[0].trimEnd());
    await expect(fetch(`${line[2]}/version`)).rejects.toThrow();
    expect(existsSync(join(home, 'sim', 'state.json'))).toBe(true);
  });

  it('stops on SIGINT too, and a second serve for the same home refuses while one runs', async () => {
    const first = await serve();
    await waitFor(() => first.stdout().startsWith('ready '), 'the first ready line', 20_000);
    const second = await execa(process.execPath, [CLI, 'sim', 'serve'], {
      env: { CHURN_LABS_HOME: first.home },
      extendEnv: true,
      reject: false,
      timeout: 20_000,
    });
    expect(second.exitCode).toBe(1);
    expect(String(second.stderr).trim()).toMatch(
      /^churn-labs: A simulated cluster already runs for this folder \(process \d+, https:\/\/127\.0\.0\.1:\d+\)\. Stop it first, or set CHURN_LABS_HOME to another folder\.$/,
    );
    first.child.kill('SIGINT');
    expect((await first.child).exitCode).toBe(0);
  });

  it('says so in one sentence when the port is taken (exit 1)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { child } = await serve(['--port', String(port)]);
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(String(result.stdout)).toBe('');
      expect(String(result.stderr).trim()).toBe(
        `churn-labs: Port ${port} on 127.0.0.1 is already in use. Stop what uses it, or choose another with --port.`,
      );
    } finally {
      blocker.close();
    }
  });
});
