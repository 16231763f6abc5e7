import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../cli/helpers.js';
import { type Classroom, startClassroom } from './helpers.js';

/**
 * A learner whose access is gone (the instructor deleted the class, or the token's Secret) runs
 * `check` with their kubeconfig: one sentence saying the cluster no longer accepts it and what to
 * do, not kubectl's "You must be logged in to the server".
 */
let room: Classroom;
let learnerHome: string;
beforeAll(async () => {
  room = await startClassroom();
  learnerHome = await mkdtemp(join(tmpdir(), 'churn-labs-learner-'));
  const file = join(room.home, 'learners.txt');
  await writeFile(file, 'ada\n');
  expect((await room.churnLabs(['classroom', 'create', '--learners', file, '--yes'])).exitCode).toBe(0);
}, 180_000);
afterAll(async () => {
  await room?.stop();
  if (learnerHome) await rm(learnerHome, { recursive: true, force: true });
});

const asAda = async (args: string[]) => {
  const r = await execa(
    process.execPath,
    [CLI, ...args, '--kubeconfig', join(room.home, 'classroom', 'ada.kubeconfig')],
    { reject: false, env: { CHURN_LABS_HOME: learnerHome, NO_COLOR: '1' }, timeout: 60_000 },
  );
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
};

describe("a learner's kubeconfig whose access is gone", () => {
  it('check says the cluster no longer accepts it, and what to do', async () => {
    const before = await asAda(['check', 'deploy-system']);
    expect(before.stdout).toContain('✓ Step 1. Create the namespace');
    expect(
      (await room.kubectl(['delete', 'secret', 'learner-token', '-n', 'churn-mlops-ada'])).exitCode,
    ).toBe(0);
    const after = await asAda(['check', 'deploy-system']);
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toContain(
      "✗ The cluster of context churn-labs-ada does not accept its kubeconfig's credentials (Unauthorized).",
    );
    expect(after.stdout).toContain('ask your instructor for a new kubeconfig');
    expect(after.stdout).not.toContain('You must be logged in');
  }, 120_000);
});
