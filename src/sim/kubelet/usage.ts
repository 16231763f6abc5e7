import type { TreeSample, UsageReader } from './sampler.js';

/**
 * Samples the running containers every interval (~500 ms, ~150 ms while one has a memory limit,
 * ~25 ms in the first seconds of a container with a memory limit): CPU as millicores averaged over a short
 * window (as metrics-server reports a rate, not an instant), memory as the resident set now, and a
 * memory limit enforced the way the kernel's cgroup OOM killer would: over the limit => the caller
 * kills the container with SIGKILL. CPU limits are not enforced (there is no cgroup to throttle).
 * The timer runs only while some container is watched, so an idle node does nothing here.
 */
export interface ContainerUsage {
  cpuMillicores: number;
  memoryBytes: number;
}

interface Watched {
  pid: number;
  memoryLimitBytes: number | undefined;
  onOutOfMemory: (memoryBytes: number) => void;
  history: { at: number; cpuSeconds: number }[];
  memoryBytes: number;
  sampled: boolean;
  /** When the watch began: a young process with a memory limit is sampled more often. */
  since: number;
}

/**
 * How long a container with a memory limit is sampled at the short interval: a process that goes
 * over a small limit as it starts (a Node program under 24Mi) and ends within a few hundred
 * milliseconds would otherwise slip between two samples, where the kernel kills it at once.
 */
const YOUNG_MS = 3_000;
const YOUNG_INTERVAL_MS = 25;

export class UsageMonitor {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  private stopped = false;

  constructor(
    private readonly reader: UsageReader,
    private readonly intervalMs = 500,
    private readonly windowMs = 10_000,
    /**
     * How often to sample while a container with a memory limit runs: the kernel kills the moment a
     * cgroup goes over, and a job that spends under a second over its limit (a batch run on a fast
     * machine) must not slip between two samples.
     */
    private readonly limitedIntervalMs = Math.min(intervalMs, 150),
  ) {}

  watch(
    key: string,
    pid: number,
    memoryLimitBytes: number | undefined,
    onOutOfMemory: (bytes: number) => void,
  ): void {
    this.watched.set(key, {
      pid,
      memoryLimitBytes,
      onOutOfMemory,
      history: [],
      memoryBytes: 0,
      sampled: false,
      since: Date.now(),
    });
    // A timer already set at the longer interval is brought forward for the newcomer.
    if (this.timer && memoryLimitBytes !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.schedule();
  }

  unwatch(key: string): void {
    this.watched.delete(key);
  }

  /** What the container uses now; undefined before its first sample. */
  current(key: string): ContainerUsage | undefined {
    const entry = this.watched.get(key);
    if (!entry?.sampled) return undefined;
    const first = entry.history[0];
    const last = entry.history[entry.history.length - 1];
    const seconds = first && last ? (last.at - first.at) / 1000 : 0;
    const cpu = first && last && seconds > 0 ? (last.cpuSeconds - first.cpuSeconds) / seconds : 0;
    return { cpuMillicores: Math.max(0, Math.round(cpu * 1000)), memoryBytes: entry.memoryBytes };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.sampling || this.stopped || this.watched.size === 0) return;
    const limited = [...this.watched.values()].filter((e) => e.memoryLimitBytes !== undefined);
    const young = limited.some((e) => Date.now() - e.since < YOUNG_MS);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.tick();
      },
      young
        ? Math.min(YOUNG_INTERVAL_MS, this.limitedIntervalMs)
        : limited.length > 0
          ? this.limitedIntervalMs
          : this.intervalMs,
    );
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.sampling = true;
    try {
      const entries = [...this.watched.values()];
      const samples = await this.reader.sample(entries.map((e) => e.pid));
      const at = Date.now();
      for (const entry of entries) {
        const sample = samples.get(entry.pid);
        if (sample) this.record(entry, sample, at);
      }
    } catch {
      // A failed sample is skipped; the next one comes in an interval.
    } finally {
      this.sampling = false;
      this.schedule();
    }
  }

  private record(entry: Watched, sample: TreeSample, at: number): void {
    entry.history.push({ at, cpuSeconds: sample.cpuSeconds });
    while (entry.history.length > 2 && at - entry.history[0]!.at > this.windowMs) entry.history.shift();
    entry.memoryBytes = sample.memoryBytes;
    entry.sampled = true;
    if (entry.memoryLimitBytes !== undefined && sample.memoryBytes > entry.memoryLimitBytes) {
      entry.onOutOfMemory(sample.memoryBytes);
    }
  }
}
