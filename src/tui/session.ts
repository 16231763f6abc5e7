/**
 * Everything the terminal app started that must end with it: watch processes, a running solution,
 * `up`, the simulated cluster. Quitting (q, Ctrl-C, SIGTERM) aborts the shared signal, stops each
 * holder and waits for them, so no process outlives the app.
 */
export interface Simulator {
  url: string;
  kubeconfig: string;
  context: string;
  /** How it came to be there (started now, or already running), for the learner. */
  note?: string;
  stop(): Promise<void>;
}

export class Session {
  private readonly controller = new AbortController();
  private readonly holders = new Set<() => Promise<void>>();
  private readonly stopping = new Set<Promise<unknown>>();
  private quitListener: ((code: number) => void) | undefined;
  private closing: Promise<void> | undefined;
  simulator: Simulator | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Keeps `stop` until the returned release runs it (or the session closes and runs it). */
  hold(stop: () => Promise<void>): () => Promise<void> {
    let done: Promise<void> | undefined;
    const release = () => {
      done ??= (async () => {
        this.holders.delete(release);
        await stop().catch(() => {});
      })();
      this.stopping.add(done);
      return done;
    };
    this.holders.add(release);
    return release;
  }

  /** Waits for this piece of work (a progress write) before the app ends. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.catch(() => {});
    this.stopping.add(settled);
    void settled.finally(() => this.stopping.delete(settled));
    return work;
  }

  /**
   * Ends everything, the simulated cluster last (the watches and solution talk to it). Every call
   * waits for the same ending, so whoever calls it second does not return before the first is done.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.controller.abort();
      await Promise.all([...this.holders].map((release) => release()));
      // Work tracked meanwhile (a save the last keystroke started) is waited for as well.
      const waited = new Set<Promise<unknown>>();
      for (;;) {
        const pending = [...this.stopping].filter((work) => !waited.has(work));
        if (pending.length === 0) break;
        for (const work of pending) waited.add(work);
        await Promise.all(pending);
      }
      // Kept after stopping: the app says where a simulated cluster that outlives it is.
      await this.simulator?.stop().catch(() => {});
    })();
    return this.closing;
  }

  /** The app listens here, so a signal from outside quits it the same way as `q`. */
  onQuitRequest(listener: (code: number) => void): void {
    this.quitListener = listener;
  }

  requestQuit(code: number): boolean {
    if (!this.quitListener) return false;
    this.quitListener(code);
    return true;
  }
}
