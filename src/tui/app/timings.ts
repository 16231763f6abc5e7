import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../files/atomic.js';

/**
 * For the benchmark: with CHURN_LABS_TUI_TIMINGS=<file>, the app writes when its first frame was
 * drawn (ms since the process started; the CPU time spent until then; on Linux, how long the main
 * thread waited for a core meanwhile, which is what a busy machine adds) and how long its updates
 * took to render, as JSON, when it ends.
 */
export function startTimings(file: string | undefined) {
  if (!file) return undefined;
  let firstFrameMs: number | undefined;
  let firstFrameCpuMs: number | undefined;
  let firstFrameQueuedMs: number | undefined;
  const renders: number[] = [];
  return {
    onRender: ({ renderTime }: { renderTime: number }) => {
      if (firstFrameMs === undefined) {
        firstFrameMs = performance.now();
        const cpu = process.cpuUsage();
        firstFrameCpuMs = (cpu.user + cpu.system) / 1000;
        firstFrameQueuedMs = runQueueMs();
      }
      renders.push(renderTime);
    },
    save: async () => {
      // The first frame is timed on its own; the rest are updates.
      const updates = renders.slice(1).sort((a, b) => a - b);
      const at = (q: number) => updates[Math.min(updates.length - 1, Math.floor(q * updates.length))] ?? 0;
      const summary = {
        firstFrameMs,
        firstFrameCpuMs,
        firstFrameQueuedMs,
        firstRenderMs: renders[0],
        updates: updates.length,
        medianUpdateMs: at(0.5),
        p95UpdateMs: at(0.95),
        maxUpdateMs: updates.at(-1) ?? 0,
      };
      await writeFileAtomic(file, `${JSON.stringify(summary)}\n`);
    },
  };
}

/** How long this process's main thread has waited to run, from the kernel's scheduler statistics. */
function runQueueMs(): number | undefined {
  try {
    const waitNs = Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(waitNs) ? waitNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
