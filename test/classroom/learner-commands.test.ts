import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCluster, learnerKubeconfig } from '../../src/classroom/kubeconfig.js';
import { CLI, tempHome } from '../cli/helpers.js';

/**
 * A learner who types the instructor's commands (`classroom status`, `down`) with their classroom
 * kubeconfig is told whose command it is in a sentence, before any kubectl call: not the API
 * server's Forbidden, nor an offer to run it on another context. The cluster behind the
 * kubeconfig does not answer, so a command that reached it would say so instead.
 */
let home: string;
let cleanup: () => Promise<void>;
let kubeconfig: string;
beforeAll(async () => {
  ({ home, cleanup } = await tempHome());
  const cluster = adminCluster(
    JSON.stringify({ clusters: [{ name: 'x', cluster: { server: 'https://127.0.0.1:9' } }] }),
  );
  kubeconfig = join(home, 'ada.kubeconfig');
  await writeFile(kubeconfig, learnerKubeconfig(cluster, 'ada', 'tok-en', {}), { mode: 0o600 });
});
afterAll(async () => cleanup());

const run = async (args: string[]) => {
  const r = await execa(process.execPath, [CLI, ...args, '--kubeconfig', kubeconfig], {
    reject: false,
    env: { CHURN_LABS_HOME: home, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
};

describe("the instructor's commands on a learner's kubeconfig", () => {
  for (const sub of [
    ['status'],
    ['export', '--csv'],
    ['create', '--learners', 'class.txt'],
    ['delete', '--yes'],
  ])
    it(`classroom ${sub[0]} says it is the instructor's`, async () => {
      const got = await run(['classroom', ...sub]);
      expect(got.exitCode).toBe(2);
      expect(got.stdout).toBe('');
      expect(got.stderr.trim()).toBe(
        `churn-labs: classroom ${sub[0]} is your instructor's command: context churn-labs-ada is learner ada's, which sees only namespace churn-mlops-ada. Your own progress: churn-labs progress.`,
      );
    });

  it('down says the class cluster is the instructor’s to run', async () => {
    const got = await run(['down', '--yes']);
    expect(got.exitCode).toBe(2);
    expect(got.stderr.trim()).toBe(
      "churn-labs: Context churn-labs-ada is your class's cluster, which your instructor runs: down has nothing of yours to stop, and your work stays in namespace churn-mlops-ada.",
    );
  });
});
