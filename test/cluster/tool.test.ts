import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectlShell } from '../../src/cluster/kubectl.js';

/** Waits until the process is gone, or fails after a few seconds. */
async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (
      !existsSync(`/proc/${pid}`) ||
      readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
    )
      return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe.skipIf(!existsSync('/proc/self/stat'))('a shell command, as "do it for me" runs it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'churn-labs-tool-'));
  afterEach(() => rmSync(join(dir, 'pid'), { force: true }));

  it('cancelled, ends the commands the shell started, not only the shell', async () => {
    // The shell waits on a child, as it does on a `kubectl wait --timeout=110s` of a solution.
    const controller = new AbortController();
    const pidFile = join(dir, 'pid');
    const running = kubectlShell({ context: 'unused' }, `sleep 60 & echo $! > '${pidFile}'; wait`, {
      signal: controller.signal,
    });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '')
      await new Promise((resolve) => setTimeout(resolve, 20));
    const child = Number(readFileSync(pidFile, 'utf8'));
    controller.abort();
    const result = await running;
    expect(result.canceled).toBe(true);
    expect(await gone(child)).toBe(true);
  });

  it('finished, leaves nothing of its own running', async () => {
    const pidFile = join(dir, 'pid');
    const result = await kubectlShell({ context: 'unused' }, `sleep 60 & echo $! > '${pidFile}'`);
    expect(result.ok).toBe(true);
    expect(await gone(Number(readFileSync(pidFile, 'utf8')))).toBe(true);
  });
});
