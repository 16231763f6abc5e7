import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';

/**
 * What a container's process tree uses, measured for real: resident memory (summed over the tree)
 * and CPU time (utime + stime, plus the time of children it has reaped), as cAdvisor reads a
 * cgroup. On Linux from /proc (`/proc/<pid>/task/<pid>/children` to walk the tree, `/proc/<pid>/stat`
 * for times and pages); elsewhere from one `ps` call. Processes that leave the tree (daemons that
 * re-parent to init) are not counted, though they are still killed with their process group.
 */
export interface TreeSample {
  memoryBytes: number;
  /** CPU seconds used so far by the tree. */
  cpuSeconds: number;
}

const CLOCK_TICKS = 100; // USER_HZ: the unit of /proc times on every Linux architecture.

export class UsageReader {
  private pageSize = 4096;

  async init(): Promise<void> {
    if (process.platform !== 'linux') return;
    const result = await execa('getconf', ['PAGESIZE'], { reject: false, timeout: 5_000 });
    const size = Number(typeof result.stdout === 'string' ? result.stdout.trim() : '');
    if (Number.isInteger(size) && size > 0) this.pageSize = size;
  }

  /** Samples every tree rooted at the given process group leaders. */
  async sample(leaders: number[]): Promise<Map<number, TreeSample>> {
    if (leaders.length === 0) return new Map();
    return process.platform === 'linux' ? this.fromProc(leaders) : fromPs(leaders);
  }

  private fromProc(leaders: number[]): Map<number, TreeSample> {
    const samples = new Map<number, TreeSample>();
    let canWalk = true;
    for (const leader of leaders) {
      const sample: TreeSample = { memoryBytes: 0, cpuSeconds: 0 };
      const queue = [leader];
      const seen = new Set<number>();
      while (queue.length > 0) {
        const pid = queue.pop()!;
        if (seen.has(pid)) continue;
        seen.add(pid);
        const stat = readStat(pid);
        if (!stat) continue;
        sample.memoryBytes += stat.rssPages * this.pageSize;
        sample.cpuSeconds += stat.ticks / CLOCK_TICKS;
        const children = readChildren(pid);
        if (children === undefined) canWalk = false;
        else queue.push(...children);
      }
      if (seen.size > 0) samples.set(leader, sample);
    }
    // Kernels without /proc/<pid>/task/<tid>/children: find the members by process group instead.
    return canWalk ? samples : this.byGroup(leaders);
  }

  private byGroup(leaders: number[]): Map<number, TreeSample> {
    const wanted = new Set(leaders);
    const samples = new Map<number, TreeSample>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (!stat || !wanted.has(stat.group)) continue;
      const sample = samples.get(stat.group) ?? { memoryBytes: 0, cpuSeconds: 0 };
      sample.memoryBytes += stat.rssPages * this.pageSize;
      sample.cpuSeconds += stat.ticks / CLOCK_TICKS;
      samples.set(stat.group, sample);
    }
    return samples;
  }
}

function readStat(pid: number): { group: number; ticks: number; rssPages: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return undefined;
  const field = (i: number) => Number(fields[i] ?? 0);
  return {
    group: field(2),
    ticks: field(11) + field(12) + field(13) + field(14),
    rssPages: field(21),
  };
}

function readChildren(pid: number): number[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
    return text ? text.split(' ').map(Number) : [];
  } catch (error) {
    // A process that just exited has no task folder; only a missing feature means we cannot walk.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && existsProc(pid) ? undefined : [];
  }
}

function existsProc(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`, 'latin1');
    return true;
  } catch {
    return false;
  }
}

/** macOS and other Unixes: one `ps` for all processes, grouped by process group. */
async function fromPs(leaders: number[]): Promise<Map<number, TreeSample>> {
  const result = await execa('ps', ['-A', '-o', 'pgid=,rss=,time='], { reject: false, timeout: 5_000 });
  const wanted = new Set(leaders);
  const samples = new Map<number, TreeSample>();
  const text = typeof result.stdout === 'string' ? result.stdout : '';
  for (const line of text.split('\n')) {
    const [group, rss, time] = line.trim().split(/\s+/);
    if (!group || !wanted.has(Number(group))) continue;
    const sample = samples.get(Number(group)) ?? { memoryBytes: 0, cpuSeconds: 0 };
    sample.memoryBytes += Number(rss) * 1024;
    sample.cpuSeconds += cpuTime(time ?? '0');
    samples.set(Number(group), sample);
  }
  return samples;
}

/** `ps` TIME: [[dd-]hh:]mm:ss[.cc]. */
function cpuTime(text: string): number {
  const [days, clock] = text.includes('-') ? text.split('-') : ['0', text];
  const parts = (clock ?? '0').split(':').map(Number);
  let seconds = 0;
  for (const part of parts) seconds = seconds * 60 + (Number.isFinite(part) ? part : 0);
  return Number(days) * 86_400 + seconds;
}
