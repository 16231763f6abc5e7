import { describe, expect, it } from 'vitest';
import { Session } from '../../src/tui/session.js';

describe('the session', () => {
  it('every close waits until everything has ended, the simulated cluster included', async () => {
    const session = new Session();
    const ended: string[] = [];
    let stopSimulator!: () => void;
    session.hold(async () => {
      ended.push('watch');
    });
    session.simulator = {
      url: 'http://127.0.0.1:1',
      kubeconfig: '/dev/null',
      context: 'churn-labs-sim',
      stop: () =>
        new Promise<void>((resolve) => {
          stopSimulator = () => {
            ended.push('simulator');
            resolve();
          };
        }),
    };
    const done: string[] = [];
    const first = session.close().then(() => done.push('first'));
    const second = session.close().then(() => done.push('second'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(session.signal.aborted).toBe(true);
    expect(ended).toEqual(['watch']);
    expect(done).toEqual([]);
    stopSimulator();
    await Promise.all([first, second]);
    expect(ended).toEqual(['watch', 'simulator']);
  });
});

describe('work tracked while the session closes', () => {
  it('a save started after quitting began is waited for before the session has closed', async () => {
    const session = new Session();
    const gate = () => {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      return { promise, open };
    };
    const firstSave = gate();
    session.track(firstSave.promise);
    let closed = false;
    const closing = session.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // While the session waits for the first save, the last keystroke starts another.
    const lastSave = gate();
    session.track(lastSave.promise);
    firstSave.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    lastSave.open();
    await closing;
    expect(closed).toBe(true);
  });
});
