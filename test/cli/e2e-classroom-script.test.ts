import { describe, expect, it } from 'vitest';
import { scriptBench } from './script-bench.js';

// scripts/e2e-classroom.sh, the kind end-to-end run's classroom part: where kind is missing or its
// cluster is not there it skips or refuses (stand-ins). Its whole run against the simulated cluster
// is a long test: e2e-classroom-script.long.test.ts.

describe('scripts/e2e-classroom.sh on kind, where it cannot run', () => {
  const { standIn, calls, run } = scriptBench('e2e-classroom.sh');

  it('skips with a sentence and exit 0 without kind, when no E2E_CONTEXT names another cluster', async () => {
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      'e2e-classroom: skipped: kind is not installed (or set E2E_CONTEXT to the admin context of another cluster).',
    );
  });

  it("refuses, exit 1, where kind has no cluster churn-labs (the images are up's)", async () => {
    await standIn('kind', 'case "$*" in "get clusters") echo other;; esac');
    await standIn('docker', '[ "$1" = info ] && echo 29.1.2; exit 0');
    await standIn('kubectl', 'exit 0');
    const result = await run();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'e2e-classroom: there is no kind cluster churn-labs: run churn-labs up first (npm run e2e:real runs this at its end).',
    );
    expect((await calls()).filter((c) => c.startsWith('kubectl'))).toEqual([]);
  });
});
