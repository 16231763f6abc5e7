import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/sim/main.js';
import { fetchTrusting, startCluster } from './helpers.js';

/** The cluster's state lives under <home>/sim and survives a restart; a broken state file never stops it. */
describe('state on disk', () => {
  const homes: string[] = [];
  const home = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'churn-labs-sim-state-'));
    homes.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const dir of homes.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('survives a restart: objects, uids and resourceVersions are kept, bootstrap objects are not doubled', async () => {
    const dir = await home();
    const first = await startCluster({ home: dir });
    await first.kubectl(['create', 'namespace', 'keep']);
    await first.kubectl(['create', 'configmap', 'settings', '-n', 'keep', '--from-literal=mode=prod']);
    const before = JSON.parse(
      (await first.kubectl(['get', 'cm', 'settings', '-n', 'keep', '-o', 'json'])).stdout,
    );
    await first.stop();
    expect(existsSync(join(dir, 'sim', 'state.json'))).toBe(true);
    expect(await readFile(join(dir, 'sim', 'kubeconfig'), 'utf8')).toMatch(/current-context: churn-labs-sim/);

    const second = await startCluster({ home: dir, cacheDir: join(dir, 'cache-2') });
    try {
      const after = JSON.parse(
        (await second.kubectl(['get', 'cm', 'settings', '-n', 'keep', '-o', 'json'])).stdout,
      );
      expect(after.metadata.uid).toBe(before.metadata.uid);
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(after.data).toEqual({ mode: 'prod' });
      const ns = await second.kubectl(['get', 'ns', '-o', 'name']);
      expect(ns.stdout.trim().split('\n')).toEqual([
        'namespace/default',
        'namespace/keep',
        'namespace/kube-node-lease',
        'namespace/kube-public',
        'namespace/kube-system',
      ]);
      await second.kubectl(['create', 'configmap', 'newer', '-n', 'keep']);
      const newer = JSON.parse(
        (await second.kubectl(['get', 'cm', 'newer', '-n', 'keep', '-o', 'json'])).stdout,
      );
      expect(Number(newer.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    } finally {
      await second.stop();
    }
  });

  it('moves an unreadable state file aside with a warning and starts fresh', async () => {
    const dir = await home();
    await mkdir(join(dir, 'sim'), { recursive: true });
    await writeFile(join(dir, 'sim', 'state.json'), '{"resourceVersion": 12, "objects": {"Pod": [{"meta');
    const lines: string[] = [];
    const sim = await startSimulator({ home: dir, controllers: false, log: (line) => lines.push(line) });
    try {
      expect(lines.join('\n')).toMatch(/state file was unreadable; moved it to .*state\.json\.corrupt-/);
      const files = await readdir(join(dir, 'sim'));
      expect(files.some((f) => f.startsWith('state.json.corrupt-'))).toBe(true);
      const nodes = await (await fetchTrusting(sim.ca, sim.admin)(`${sim.url}/api/v1/nodes`)).json();
      expect((nodes as { items: unknown[] }).items).toHaveLength(1);
    } finally {
      await sim.stop();
    }
  });
});
