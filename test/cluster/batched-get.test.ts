import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterTarget, kubectl } from '../../src/cluster/kubectl.js';
import { KINDS } from '../../src/course/objects.js';
import { type Simulator, startSimulator } from '../../src/sim/main.js';

/**
 * Every evaluation reads its objects with one `kubectl get a,b,c -o json`, so the names it gives
 * kubectl matter. A name like `endpointslices.discovery.k8s.io` has two dots, and kubectl reads it
 * first as resource.version.group (version "discovery", group "k8s.io"): that finds nothing, so it
 * throws its discovery cache away and downloads discovery again, on every check, before it tries
 * the name as resource.group. The names in KINDS must map at once.
 */
let home: string;
let sim: Simulator;
let target: ClusterTarget;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'churn-labs-batched-get-'));
  sim = await startSimulator({ home });
  target = { context: sim.context, kubeconfig: sim.kubeconfig };
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  if (home) await rm(home, { recursive: true, force: true });
}, 60_000);

describe('the batched kubectl get of every kind a check may read', () => {
  const resources = Object.values(KINDS).map((k) => k.resource);
  const get = () => kubectl(target, ['get', resources.join(','), '-n', 'default', '-o', 'json', '-v=6']);

  it('finds each kind from the cached discovery, without downloading it again', async () => {
    await get(); // fills the discovery cache for this server
    const result = await get();
    expect(result.ok, result.stderr).toBe(true);
    expect(result.stderr).not.toMatch(/Invalidating discovery information/);
    expect(result.stderr).not.toMatch(/GET \S+\/apis\?/);
    // The simulator's own node and storage class come back under their kinds.
    const kinds = new Set(
      (JSON.parse(result.stdout) as { items: { kind: string }[] }).items.map((i) => i.kind),
    );
    expect(kinds).toContain('Node');
    expect(kinds).toContain('StorageClass');
  });

  it('would download discovery again for a name kubectl has to guess (so the test above can fail)', async () => {
    const guessed = await kubectl(target, [
      'get',
      'endpointslices.discovery.k8s.io',
      '-n',
      'default',
      '-v=6',
    ]);
    expect(guessed.ok, guessed.stderr).toBe(true);
    expect(guessed.stderr).toMatch(/Invalidating discovery information/);
  });
});
