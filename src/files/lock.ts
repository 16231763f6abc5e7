import { mkdir, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock that outlives a crash by at most this long. */
const STALE_MS = 10_000;

/**
 * Runs `work` while holding a lock on `path` (a folder `path.lock`, created atomically by mkdir),
 * so that several churn-labs processes updating one file do not lose each other's changes.
 */
export async function withLock<T>(path: string, work: () => Promise<T>, waitMs = 15_000): Promise<T> {
  const lock = `${path}.lock`;
  // The state folder may not exist yet (a first run, a fresh CHURN_LABS_HOME).
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_MS) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`${path} stayed locked by another churn-labs process for ${waitMs / 1000} s`);
      await sleep(Math.min(5 + attempt * 5, 50));
    }
  }
  const keepAlive = setInterval(() => {
    const now = new Date();
    utimes(lock, now, now).catch(() => {});
  }, STALE_MS / 3);
  keepAlive.unref();
  try {
    return await work();
  } finally {
    clearInterval(keepAlive);
    await rm(lock, { recursive: true, force: true });
  }
}
