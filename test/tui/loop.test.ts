import { describe, expect, it } from 'vitest';
import { createLiveLoop } from '../../src/tui/live/loop.js';
import { until } from './harness.js';

describe('the watch loop', () => {
  it('gathers a burst of changes into one evaluation', async () => {
    let runs = 0;
    const loop = createLiveLoop({ debounceMs: 30, evaluate: async () => void runs++ });
    for (let i = 0; i < 20; i++) loop.trigger();
    await until(() => runs === 1, 'one evaluation');
    loop.trigger();
    await until(() => runs === 2, 'a later change to evaluate again');
    loop.stop();
    expect(runs).toBe(2);
  });

  it('runs one evaluation at a time, and exactly one more for changes during it', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    let release: () => void = () => {};
    const loop = createLiveLoop({
      debounceMs: 1,
      evaluate: async () => {
        runs++;
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        running--;
      },
    });
    loop.now();
    await until(() => runs === 1, 'the first evaluation');
    loop.now();
    loop.now();
    loop.now();
    release();
    await until(() => runs === 2, 'the one more');
    release();
    await until(() => running === 0, 'it to finish');
    loop.stop();
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it('re-evaluates on a timer only while asked to, and stops', async () => {
    let runs = 0;
    let probing = true;
    const loop = createLiveLoop({
      debounceMs: 1,
      probeEvery: () => (probing ? 10 : undefined),
      evaluate: async () => void runs++,
    });
    loop.now();
    await until(() => runs >= 4, 'the timer to re-run');
    probing = false;
    const settled = runs + 1;
    await until(() => runs >= settled, 'the last timed run');
    loop.stop();
    loop.trigger();
    loop.now();
    expect(runs).toBeLessThanOrEqual(settled);
  });

  it('keeps going after an evaluation fails', async () => {
    let runs = 0;
    const loop = createLiveLoop({
      debounceMs: 1,
      evaluate: async () => {
        runs++;
        throw new Error('kubectl went away');
      },
    });
    loop.now();
    await until(() => runs === 1, 'the failing evaluation');
    loop.trigger();
    await until(() => runs === 2, 'the next one');
    loop.stop();
  });
});
