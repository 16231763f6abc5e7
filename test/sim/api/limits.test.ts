import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/** What the API server refuses for its size, it refuses here, in its words, and goes on serving. */
describe('size limits', () => {
  let cluster: TestCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startCluster();
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-limits-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const k = (...args: string[]) => cluster.kubectl(args, { timeout: 60_000 });

  it('refuses a ConfigMap or a Secret whose data is over 1 MiB, and takes one just under', async () => {
    const big = join(dir, 'big.txt');
    await writeFile(big, 'x'.repeat(1024 * 1024 + 1));
    const cm = await k('create', 'configmap', 'big', `--from-file=${big}`);
    expect(cm.exitCode).not.toBe(0);
    expect(cm.stderr).toMatch(/ConfigMap "big" is invalid: .*Too long: may not be more than 1048576 bytes/);
    const secret = await k('create', 'secret', 'generic', 'big', `--from-file=${big}`);
    expect(secret.stderr).toMatch(
      /Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes/,
    );
    const fits = join(dir, 'fits.txt');
    await writeFile(fits, 'x'.repeat(1024 * 1024 - 100));
    const ok = await k('create', 'configmap', 'fits', `--from-file=${fits}`);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  it('answers a request body over 3 MiB with 413 and a Status, not a closed connection', async () => {
    const manifest = join(dir, 'huge.json');
    await writeFile(
      manifest,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'huge' },
        data: { blob: 'y'.repeat(4 * 1024 * 1024) },
      }),
    );
    const huge = await k('create', '-f', manifest);
    expect(huge.exitCode).not.toBe(0);
    expect(huge.stderr).toMatch(/Request entity too large: limit is 3145728/);
    expect(huge.stderr).not.toMatch(/EOF|connection reset/);
    const after = await k('get', 'configmap', 'fits', '-o', 'name');
    expect(after.stdout.trim()).toBe('configmap/fits');
  });
});
