import { readdir } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { scriptBench } from './script-bench.js';

// scripts/e2e-real.sh where the real run cannot or must not happen: it skips with a sentence
// (exit 0) on a machine without kind or without a Docker daemon, and refuses (exit 1) to run over
// an existing kind cluster churn-labs, which it would delete at the end. The stand-ins log every
// call, so each case also shows the script stopped before touching anything.
describe('scripts/e2e-real.sh where it cannot or must not run', () => {
  // Only what the script needs before its checks: no kind, docker or kubectl unless a test adds one.
  const { standIn, calls, run, tmp } = scriptBench('e2e-real.sh', { node: true });
  const dockerUp = `case "$*" in *ServerVersion*) echo 29.0.1;; esac`;

  it('skips with a sentence and exit 0 where kind is not installed', async () => {
    await standIn('docker', dockerUp);
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      'e2e-real: skipped: kind is not installed (https://kind.sigs.k8s.io/docs/user/quick-start/#installation).',
    );
    expect(await calls()).toEqual([]);
  });

  it.each([
    ['prints nothing and exits 0', 'exit 0'],
    [
      'says the daemon is down (current wording) and exits 1',
      'echo "failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory" >&2; echo; exit 1',
    ],
    [
      'says the daemon is down (older wording) and exits 1',
      'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; echo; exit 1',
    ],
  ])('skips with a sentence and exit 0 where the Docker daemon is down: docker info %s', async (_, body) => {
    await standIn('kind', 'exit 0');
    await standIn('docker', body);
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      'e2e-real: skipped: the Docker daemon is not running (docker info shows no server).',
    );
    expect(result.stderr).toBe('');
    // One look at the daemon, and nothing asked of kind.
    expect(await calls()).toEqual(['docker info --format {{.ServerVersion}}']);
  });

  describe('with Docker, kind and kubectl', () => {
    beforeEach(async () => {
      await standIn('docker', dockerUp);
      await standIn('kubectl', 'exit 0');
    });

    it('refuses, exit 1, to run over an existing kind cluster churn-labs, and touches nothing', async () => {
      await standIn('kind', 'case "$*" in "get clusters") echo other; echo churn-labs;; esac');
      const result = await run();
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'e2e-real: a kind cluster churn-labs already exists, and this run would delete it at the end.\n' +
          'Run churn-labs down first, or set E2E_REUSE_CLUSTER=1 to use it and keep it.',
      );
      expect(await calls()).toEqual(['docker info --format {{.ServerVersion}}', 'kind get clusters']);
      // No state folder was made: nothing ran, nothing is left to clean.
      expect(await readdir(tmp())).toEqual([]);
    });
  });
});
