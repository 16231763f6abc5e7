import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processGone } from './pids.js';

const tempName = (path: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes a file so that readers see the old content or the new, never half of it: write a
 * temporary file beside it, flush it to disk, rename it over the target (atomic on POSIX and NTFS).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempName(path);
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // What a write killed halfway (kill -9, a power cut) left beside the file.
  const leftovers = leftoverTemps(path, await readdir(dirname(path)).catch(() => []));
  await Promise.all(leftovers.map((file) => rm(file, { force: true })));
}

/** Temporary files of `path` whose writer process is gone. */
function leftoverTemps(path: string, names: string[]): string[] {
  const prefix = `.${basename(path)}.`;
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.tmp'))
    .filter((name) => {
      const pid = Number(name.slice(prefix.length).split('.')[0]);
      return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processGone(pid);
    })
    .map((name) => join(dirname(path), name));
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempName(path);
  try {
    writeFileSync(temp, data, { mode });
    const fd = openSync(temp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    // The rename itself is on disk only once the folder is: a caller may drop its journal next.
    syncFolder(dirname(path));
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  let names: string[] = [];
  try {
    names = readdirSync(dirname(path));
  } catch {}
  for (const file of leftoverTemps(path, names)) rmSync(file, { force: true });
}

function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open a folder to sync it; the rename is as durable as they allow.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
