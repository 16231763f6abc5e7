import { describe, expect, it } from 'vitest';
import { scriptBench } from './script-bench.js';

// scripts/e2e-registry.sh where the real run cannot or must not happen: it skips (exit 0) without
// kind or a Docker daemon, and refuses (exit 1) to touch a cluster or registry container that is
// already there, which it would delete at the end. The stand-ins log every call.
describe('scripts/e2e-registry.sh where it cannot or must not run', () => {
  const { standIn, calls, run } = scriptBench('e2e-registry.sh');

  it('skips without kind', async () => {
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('e2e-registry: skipped: kind is not installed.');
  });

  it('refuses an existing cluster churn-class, and a registry container of its name, touching nothing', async () => {
    await standIn('kind', 'echo churn-class');
    await standIn('docker', '[ "$1" = info ] && echo 29.1.2; exit 0');
    await standIn('kubectl', 'exit 0');
    const cluster = await run();
    expect(cluster.exitCode).toBe(1);
    expect(cluster.stderr).toMatch(/a kind cluster churn-class already exists/);
    await standIn('kind', 'exit 0');
    const registry = await run();
    expect(registry.exitCode).toBe(1);
    expect(registry.stderr).toMatch(/a container churn-class-registry already exists/);
    expect((await calls()).filter((c) => /^(kind create|kind delete|docker run|docker rm)/.test(c))).toEqual(
      [],
    );
  });
});
