import { describe, expect, it } from 'vitest';
import type { TreeSample, UsageReader } from '../../../src/sim/kubelet/sampler.js';
import { UsageMonitor } from '../../../src/sim/kubelet/usage.js';

/** A process tree that exists from `start` to `end` (ms after the watch), over 40 MB all along. */
function shortLived(endMs: number): UsageReader {
  const start = Date.now();
  return {
    init: async () => {},
    sample: async (leaders: number[]) => {
      const alive = Date.now() - start < endMs;
      const samples = new Map<number, TreeSample>();
      if (alive) for (const pid of leaders) samples.set(pid, { memoryBytes: 40 * 2 ** 20, cpuSeconds: 0.1 });
      return samples;
    },
  } as unknown as UsageReader;
}

describe('the memory limit on a short-lived container', () => {
  it('catches a process over its limit that ends within 120 ms, as the kernel would kill it', async () => {
    const monitor = new UsageMonitor(shortLived(120), 500);
    let killed: number | undefined;
    monitor.watch('job/pod/c', 4242, 24 * 2 ** 20, (bytes) => {
      killed ??= bytes;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    monitor.stop();
    expect(killed).toBe(40 * 2 ** 20);
  });
});
