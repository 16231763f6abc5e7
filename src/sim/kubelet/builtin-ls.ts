import type { Stats } from 'node:fs';
import { readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { type Builtin, hostPath, humanSize, Output, parseFlags, statOf } from './builtin-kit.js';

/** `ls` and `df` on the pod's files, printed like busybox does in the images' node alpine base. */
export const ls: Builtin = async (args, context) => {
  const output = new Output();
  const { flags, operands } = parseFlags(args);
  const long = flags.has('l');
  const all = flags.has('a');
  const almostAll = flags.has('A') || all;
  const human = flags.has('h');
  const targets = operands.length > 0 ? operands : ['.'];
  const files: { name: string; stats: Stats }[] = [];
  const dirs: { name: string; path: string }[] = [];
  for (const target of targets) {
    const path = hostPath(context, target);
    const stats = await statOf(path);
    if (!stats) output.error(`ls: ${target}: No such file or directory`);
    else if (stats.isDirectory()) dirs.push({ name: target, path });
    else files.push({ name: target, stats });
  }
  const render = (entries: { name: string; stats: Stats }[]) => {
    for (const e of entries) output.out(long ? longLine(e.name, e.stats, human) : e.name);
  };
  render(files);
  for (const [i, dir] of dirs.entries()) {
    if (targets.length > 1) {
      if (files.length > 0 || i > 0) output.out('');
      output.out(`${dir.name}:`);
    }
    const names = (await readdir(dir.path)).filter((n) => almostAll || !n.startsWith('.')).sort(byteOrder);
    const entries: { name: string; stats: Stats }[] = [];
    if (all) {
      for (const special of ['.', '..']) {
        const stats = await statOf(join(dir.path, special));
        if (stats) entries.push({ name: special, stats });
      }
    }
    for (const name of names) {
      const stats = await statOf(join(dir.path, name));
      if (stats) entries.push({ name, stats });
    }
    if (long) output.out(`total ${entries.reduce((sum, e) => sum + Math.ceil(e.stats.size / 1024), 0)}`);
    render(entries);
  }
  return output.result();
};

export const df: Builtin = async (args, context) => {
  const human = parseFlags(args).flags.has('h');
  const rows: string[][] = [
    ['Filesystem', human ? 'Size' : '1K-blocks', 'Used', 'Available', 'Use%', 'Mounted on'],
  ];
  const places = [
    { path: '/', dir: context.rootDir, fs: 'overlay' },
    ...context.mounts.map((m) => ({ ...m, fs: 'volume' })),
  ];
  for (const place of places) {
    const info = await statfs(place.dir).catch(() => undefined);
    if (!info) continue;
    const size = info.blocks * info.bsize;
    const free = info.bavail * info.bsize;
    const used = size - info.bfree * info.bsize;
    const show = (bytes: number) => (human ? humanSize(bytes) : String(Math.floor(bytes / 1024)));
    const percent = size > 0 ? `${Math.ceil((used / (used + free)) * 100)}%` : '0%';
    rows.push([place.fs, show(size), show(used), show(free), percent, place.path]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const stdout = rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
  return { stdout: `${stdout}\n`, stderr: '', exitCode: 0 };
};

function longLine(name: string, stats: Stats, human: boolean): string {
  const type = stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : '-';
  let mode = type;
  for (const shift of [6, 3, 0]) {
    const bits = (stats.mode >> shift) & 7;
    mode += `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  }
  const owner = userName(stats.uid);
  const group = userName(stats.gid);
  const size = human ? humanSize(stats.size) : String(stats.size);
  return `${mode} ${String(stats.nlink).padStart(4)} ${owner.padEnd(8)} ${group.padEnd(8)} ${size.padStart(9)} ${shortDate(stats.mtime)} ${name}`;
}

function userName(id: number): string {
  return id === 0 ? 'root' : id === 1000 ? 'node' : String(id);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function shortDate(date: Date): string {
  const month = MONTHS[date.getUTCMonth()];
  const day = String(date.getUTCDate()).padStart(2);
  const recent = Math.abs(Date.now() - date.getTime()) < 182 * 86_400_000;
  const tail = recent
    ? `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`
    : ` ${date.getUTCFullYear()}`;
  return `${month} ${day} ${tail}`;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
