/**
 * A controller's work queue, as client-go's: keys, not objects, so that many changes to one object
 * cost one reconcile; delayed keys for "look again at this time"; failed keys retried with a growing
 * delay. Work runs on the event loop's check phase, never inside the store's listener.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly handle: (key: string) => void,
    private readonly onError: (key: string, error: unknown) => void,
    private readonly retryBaseMs = 250,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.immediate ??= setImmediate(() => this.drain());
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    this.arm(key, at);
  }

  /**
   * A timer holds at most 2^31-1 ms (24.8 days); Node fires a longer one after 1 ms. A CronJob
   * whose next run lies further out (a weekly schedule on a slowed clock) waits in several laps.
   */
  private arm(key: string, at: number): void {
    const timer = setTimeout(
      () => {
        if (Date.now() < at) return this.arm(key, at);
        this.delayed.delete(key);
        this.add(key);
      },
      Math.min(at - Date.now(), MAX_TIMER_MS),
    );
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  stop(): void {
    this.stopped = true;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.pending.clear();
  }

  private drain(): void {
    this.immediate = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.handle(key);
        this.failures.delete(key);
      } catch (error) {
        const count = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, count);
        this.onError(key, error);
        this.addAfter(key, Math.min(this.retryBaseMs * 2 ** (count - 1), 30_000));
      }
    }
  }
}
