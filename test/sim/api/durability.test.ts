import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, waitFor } from './helpers.js';

/**
 * What kubectl was told is done survives a crash of the simulator (`kill -9`), as etcd's log makes
 * an acknowledged write survive; and the files that hold Secrets are private to the user. (A crash
 * of the process keeps the page cache, so this shows the journal is written before the answer; the
 * fsync that makes it survive a power cut is not something a test here can cut the power on.)
 */
const CLI = join(process.cwd(), 'dist', 'cli.js');

describe('the simulated cluster after kill -9', () => {
  let home: string;
  beforeAll(async () => {
    if (!existsSync(CLI))
      throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does).');
    home = await mkdtemp(join(tmpdir(), 'churn-labs-durable-'));
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  const serve = async (folder = home) => {
    const child = execa(process.execPath, [CLI, 'sim', 'serve'], {
      env: { CHURN_LABS_HOME: folder, NO_COLOR: '1' },
      extendEnv: true,
      reject: false,
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    await waitFor(() => stdout.startsWith('ready '), 'the ready line', 20_000);
    // Wrapped: an async function returning the subprocess (a promise) would wait for it to exit.
    return { child };
  };
  const kubectl = (...args: string[]) =>
    execa(
      KUBECTL,
      [
        '--kubeconfig',
        join(home, 'sim', 'kubeconfig'),
        '--context',
        'churn-labs-sim',
        '--cache-dir',
        join(home, 'cache'),
        ...args,
      ],
      { reject: false, env: { HOME: home }, extendEnv: true },
    );

  it('keeps every object kubectl reported created, however soon after the answer the process dies', async () => {
    const made: string[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const { child } = await serve();
      for (const n of [1, 2]) {
        const name = `acked-${attempt}-${n}`;
        const created = await kubectl('create', 'configmap', name, '--from-literal=k=v');
        expect(created.stdout).toContain(`configmap/${name} created`);
        made.push(name);
      }
      // At once after the answer, before any batched save could run.
      child.kill('SIGKILL');
      await child;
    }
    const { child } = await serve();
    const listed = await kubectl('get', 'configmaps', '-o', 'name');
    child.kill('SIGTERM');
    await child;
    const names = listed.stdout.split('\n').map((line) => line.replace('configmap/', ''));
    expect(made.filter((name) => !names.includes(name))).toEqual([]);
  }, 120_000);

  it('keeps the state, its journal, the kubeconfig and their folder private to the user', async () => {
    const { child } = await serve();
    await kubectl('create', 'secret', 'generic', 'db', '--from-literal=password=hunter2');
    child.kill('SIGTERM');
    await child;
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(join(home, 'sim'))).toBe(0o700);
    for (const file of ['state.json', 'state.journal', 'kubeconfig'])
      expect(mode(join(home, 'sim', file)), file).toBe(0o600);
  }, 60_000);

  it('sets a corrupt state file aside with its journal, and starts a whole fresh cluster', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'churn-labs-corrupt-'));
    try {
      await mkdir(join(fresh, 'sim'), { recursive: true });
      await writeFile(join(fresh, 'sim', 'state.json'), '{"version": 1, "objects": [not json');
      const orphan = {
        t: 'ADDED',
        k: 'ConfigMap',
        rv: 99,
        o: { metadata: { name: 'orphan', namespace: 'gone' } },
      };
      await writeFile(join(fresh, 'sim', 'state.journal'), `${JSON.stringify(orphan)}\n`);
      const { child } = await serve(fresh);
      const listed = await execa(
        KUBECTL,
        [
          '--kubeconfig',
          join(fresh, 'sim', 'kubeconfig'),
          '--context',
          'churn-labs-sim',
          'get',
          'configmaps',
          '-A',
          '-o',
          'name',
        ],
        { reject: false, env: { HOME: fresh }, extendEnv: true },
      );
      child.kill('SIGTERM');
      await child;
      expect(listed.stdout).not.toContain('orphan');
      const aside = (await readdir(join(fresh, 'sim'))).filter((f) => f.includes('.corrupt-'));
      expect(aside.some((f) => f.endsWith('.journal'))).toBe(true);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }, 60_000);
});
