import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from '../../src/kube/objects.js';
import { startCluster, type TestCluster } from '../sim/api/helpers.js';

/**
 * Every evaluation reads its objects with one `kubectl get a,b,c -o json`, so the names it gives
 * kubectl matter. A name like `endpointslices.discovery.k8s.io` has two dots, and kubectl reads it
 * first as resource.version.group (version "discovery", group "k8s.io"): that finds nothing, so it
 * throws its discovery cache away and downloads discovery again, on every check, before it tries
 * the name as resource.group. The names in KINDS must map at once.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('the batched kubectl get of every kind a check may read', () => {
  const resources = Object.values(KINDS).map((k) => k.resource);
  const get = () => cluster.kubectl(['get', resources.join(','), '-n', 'default', '-o', 'json', '-v=6']);

  it('finds each kind from the cached discovery, without downloading it again', async () => {
    await get(); // fills this test's discovery cache
    const result = await get();
    expect(result.exitCode, result.stderr).toBe(0);
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
    const guessed = await cluster.kubectl([
      'get',
      'endpointslices.discovery.k8s.io',
      '-n',
      'default',
      '-v=6',
    ]);
    expect(guessed.exitCode, guessed.stderr).toBe(0);
    expect(guessed.stderr).toMatch(/Invalidating discovery information/);
  });
});
