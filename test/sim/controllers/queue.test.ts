import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from '../../../src/sim/controllers/queue.js';

describe('the work queue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds a key for longer than a timer can (2^31 ms) and hands it over only when due', () => {
    vi.useFakeTimers();
    const handled: string[] = [];
    const queue = new WorkQueue(
      (key) => handled.push(key),
      () => {},
    );
    const month = 30 * 24 * 3600 * 1000; // over 24.8 days: Node would fire a plain timer after 1 ms
    queue.addAfter('ns/weekly', month);
    vi.advanceTimersByTime(1000);
    vi.runAllTicks();
    expect(handled).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(month - 1001);
    expect(handled).toEqual([]);
    vi.advanceTimersByTime(1);
    // The key is added on the check phase (setImmediate), as every key is.
    vi.runOnlyPendingTimers();
    expect(handled).toEqual(['ns/weekly']);
    queue.stop();
  });

  it('keeps the earlier of two delays for one key, and runs it once', () => {
    vi.useFakeTimers();
    const handled: string[] = [];
    const queue = new WorkQueue(
      (key) => handled.push(key),
      () => {},
    );
    queue.addAfter('a', 5000);
    queue.addAfter('a', 1000);
    queue.addAfter('a', 9000);
    vi.advanceTimersByTime(1000);
    vi.runOnlyPendingTimers();
    expect(handled).toEqual(['a']);
    vi.advanceTimersByTime(10_000);
    expect(handled).toEqual(['a']);
    queue.stop();
  });
});
