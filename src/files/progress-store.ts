import { type Stats, unwatchFile, watchFile } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { emptyProgress, PROGRESS_VERSION, type Progress, progressProblem } from '../course/progress.js';
import { UserError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { type LockOptions, withLock } from './lock.js';

export interface LoadedProgress {
  progress: Progress;
  /** Set when the file was unreadable and was moved aside: say it to the learner. */
  warning?: string;
}

/** Reads the progress file. A missing file is a fresh start; a corrupted one is moved aside, never dropped. */
export async function loadProgress(path: string): Promise<LoadedProgress> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { progress: emptyProgress() };
    throw new UserError(`Cannot read the progress file ${path}: ${(error as Error).message}.`, 1);
  }
  let problem: string;
  try {
    const data = JSON.parse(text) as unknown;
    const version = (data as { version?: unknown })?.version;
    if (typeof version === 'number' && version > PROGRESS_VERSION) {
      throw new UserError(
        `The progress file ${path} was written by a newer churn-labs (format ${version}); update churn-labs (npm install churn-labs@latest) to keep it.`,
        1,
      );
    }
    const invalid = progressProblem(data);
    if (!invalid) return { progress: data as Progress };
    problem = invalid;
  } catch (error) {
    if (error instanceof UserError) throw error;
    problem = 'it is not valid JSON';
  }
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  return {
    progress: emptyProgress(),
    warning: `Your progress file could not be read (${problem}). It was moved to ${aside} and a fresh one started.`,
  };
}

type WrittenListener = (path: string, progress: Progress) => void;
let written: WrittenListener | undefined;

/**
 * Called after each change updateProgress writes (with the file and the progress written): a
 * classroom learner's app mirrors it to the cluster. One listener; undefined removes it.
 */
export function onProgressWritten(listener: WrittenListener | undefined): void {
  written = listener;
}

/**
 * Read, change and write the progress file under a lock, so that two churn-labs processes (the
 * terminal app and a `check` in another terminal) never lose each other's updates.
 */
export async function updateProgress(
  path: string,
  change: (progress: Progress) => Progress,
  lock: LockOptions = {},
): Promise<LoadedProgress> {
  let changed = false;
  const result = await withLock(
    path,
    async () => {
      const loaded = await loadProgress(path);
      const progress = change(loaded.progress);
      if (progress !== loaded.progress || loaded.warning) {
        await writeFileAtomic(path, `${JSON.stringify(progress, null, 2)}\n`);
        changed = true;
      }
      return { progress, warning: loaded.warning };
    },
    lock,
  );
  if (changed) written?.(path, result.progress);
  return result;
}

/** How often the running app looks at the progress file for changes made elsewhere. */
const WATCH_INTERVAL_MS = 500;

/**
 * Calls `onChange` when the progress file changes on disk: another terminal's `churn-labs reset`,
 * `hint` or `check`. Polling its stat, which works the same on every platform and file system
 * (fs.watch misses a rename over the file on some). Returns the stop.
 */
export function watchProgressFile(path: string, onChange: () => void): () => void {
  const listener = (now: Stats, before: Stats) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) onChange();
  };
  watchFile(path, { interval: WATCH_INTERVAL_MS, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
