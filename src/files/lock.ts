import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processGone } from './pids.js';

/** A lock whose owner cannot be asked (another machine sharing the folder) outlives a crash by at most this long. */
const STALE_MS = 10_000;
/** How long a process waits in silence before it says what it waits for. */
const TELL_AFTER_MS = 1_000;

export interface LockOptions {
  /** How long to wait for another process's lock before giving up. */
  waitMs?: number;
  /** Told once, after a second of waiting, which process holds the lock. */
  onWait?: (message: string) => void;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
}

/**
 * Runs `work` while holding a lock on `path`: a folder `path.lock` made atomically by mkdir, with
 * an `owner` file naming the process. A lock whose owner is gone (killed with `kill -9`) is taken
 * over at once, one taker at a time (through `path.lock.takeover`, also made by mkdir), and only
 * if it is still the lock that was found stale, so that two processes never both hold it.
 */
export async function withLock<T>(
  path: string,
  work: () => Promise<T>,
  options: LockOptions | number = {},
): Promise<T> {
  const { waitMs = 15_000, onWait } = typeof options === 'number' ? { waitMs: options } : options;
  const lock = `${path}.lock`;
  // The state folder may not exist yet (a first run, a fresh CHURN_LABS_HOME).
  await mkdir(dirname(path), { recursive: true });
  const me: Owner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };
  const started = Date.now();
  let told = false;
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'owner'), JSON.stringify(me));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const found = await readOwner(lock);
    if (await isStale(lock, found)) {
      await takeOver(lock, found);
      continue;
    }
    const waited = Date.now() - started;
    if (waited > waitMs)
      throw new Error(
        `${path} stayed locked by another churn-labs process${found ? ` (pid ${found.pid})` : ''} for ${Math.round(waitMs / 1000)} s. If no other churn-labs command is running, delete ${lock} and try again.`,
      );
    if (!told && waited > TELL_AFTER_MS) {
      told = true;
      onWait?.(
        `waiting for another churn-labs process${found ? ` (pid ${found.pid})` : ''} that is updating ${basename(path)}…`,
      );
    }
    await sleep(Math.min(5 + attempt * 5, 50));
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
    // Only our own lock: if it was taken over (we stalled past STALE_MS), it is another's now.
    if ((await readOwner(lock))?.token === me.token) await rm(lock, { recursive: true, force: true });
  }
}

async function readOwner(lock: string): Promise<Owner | undefined> {
  try {
    const data = JSON.parse(await readFile(join(lock, 'owner'), 'utf8')) as Partial<Owner>;
    if (typeof data.pid !== 'number' || typeof data.host !== 'string' || typeof data.token !== 'string')
      return undefined;
    return { pid: data.pid, host: data.host, token: data.token };
  } catch {
    return undefined;
  }
}

async function ageMs(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => Date.now() - s.mtimeMs,
    () => undefined,
  );
}

async function isStale(lock: string, owner: Owner | undefined): Promise<boolean> {
  // An owner on this machine can be asked; one elsewhere (a shared folder), or a lock that has no
  // owner file yet (its maker is between mkdir and writing it), only goes stale by age.
  if (owner && owner.host === hostname() && processGone(owner.pid)) return true;
  const age = await ageMs(lock);
  return age !== undefined && age > STALE_MS;
}

async function takeOver(lock: string, stale: Owner | undefined): Promise<void> {
  const gate = `${lock}.takeover`;
  try {
    await mkdir(gate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process is taking it over; a gate left by a taker that died goes by age.
    const age = await ageMs(gate);
    if (age !== undefined && age > STALE_MS) await rm(gate, { recursive: true, force: true });
    return;
  }
  try {
    // Still the lock found stale? It may have been taken over and made anew meanwhile.
    const now = await readOwner(lock);
    if (now?.token === stale?.token && (await isStale(lock, now)))
      await rm(lock, { recursive: true, force: true });
  } finally {
    await rm(gate, { recursive: true, force: true });
  }
}
