/**
 * The watch loop: change notifications come in bursts (a rollout touches a dozen objects), so they
 * are gathered for a short while and then the cluster is read once. Only one evaluation runs at a
 * time; a change during one schedules exactly one more. Probe checks (HTTP, metrics, logs, files)
 * have nothing to watch, so while the step has them the loop also re-runs on a modest timer.
 * Nothing runs between changes: at rest the loop costs nothing.
 */
export interface LiveLoopOptions {
  evaluate: (signal: AbortSignal) => Promise<void>;
  debounceMs: number;
  /** Asked after each evaluation: evaluate again this long after it, or (undefined) wait for a change. */
  probeEvery?: () => number | undefined;
}

export interface LiveLoop {
  /** Something changed: evaluate soon. */
  trigger(): void;
  /** Evaluate now, without waiting for the debounce (first view of a step, after a command). */
  now(): void;
  stop(): void;
}

export function createLiveLoop(options: LiveLoopOptions): LiveLoop {
  const controller = new AbortController();
  let debounce: NodeJS.Timeout | undefined;
  let probe: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;

  const run = async () => {
    if (controller.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    clearTimeout(probe);
    try {
      await options.evaluate(controller.signal);
    } catch {
      // The evaluator reports its own failures; the loop keeps going.
    } finally {
      running = false;
    }
    if (controller.signal.aborted) return;
    if (again) {
      again = false;
      void run();
    } else {
      const every = options.probeEvery?.();
      if (every !== undefined) probe = setTimeout(run, every);
    }
  };

  return {
    trigger() {
      if (controller.signal.aborted) return;
      clearTimeout(debounce);
      debounce = setTimeout(run, options.debounceMs);
    },
    now() {
      clearTimeout(debounce);
      void run();
    },
    stop() {
      controller.abort();
      clearTimeout(debounce);
      clearTimeout(probe);
    },
  };
}
