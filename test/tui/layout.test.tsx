import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Footer } from '../../src/tui/components/Footer.js';
import { planLayout, wrappedLines } from '../../src/tui/screens/exercise/layout.js';

describe('the exercise screen on a terminal of any size', () => {
  const sizes = (rows: number, card: number) => ({
    rows,
    fixed: 5,
    card,
    checks: { full: 6, compact: 2 },
    panel: { full: 8, compact: 1 },
  });

  it('shows everything whole when it fits', () => {
    expect(planLayout(sizes(40, 12))).toEqual({
      fullChecks: true,
      fullPanel: true,
      cardHeight: 12,
      scrolls: false,
    });
  });

  it('shrinks the panel first, then the checks, keeping the step whole', () => {
    expect(planLayout(sizes(24, 10))).toMatchObject({ fullChecks: true, fullPanel: false, scrolls: false });
    expect(planLayout(sizes(24, 14))).toMatchObject({ fullChecks: false, fullPanel: false, cardHeight: 14 });
  });

  it('gives a step too long for the terminal a window, one line short of the screen', () => {
    const layout = planLayout(sizes(24, 30));
    expect(layout.scrolls).toBe(true);
    // 24 rows: 1 spare, 5 fixed, 2 of checks, 1 of panel, 1 for the window's own line.
    expect(layout.cardHeight).toBe(14);
  });

  it('counts wrapped lines as Ink wraps at spaces', () => {
    expect(wrappedLines('', 80)).toBe(1);
    expect(wrappedLines('a b', 3)).toBe(1);
    expect(wrappedLines('aa bb', 3)).toBe(2);
    expect(wrappedLines('x'.repeat(170), 80)).toBe(3);
    expect(wrappedLines('one\ntwo', 80)).toBe(2);
  });

  it('keeps the footer on one line of 80 columns, the screen keys giving way first', () => {
    const keys = [
      ['Enter', 'next exercise'],
      ['h', 'hint'],
      ['Esc', 'stop the solution'],
      ['n/p', 'step'],
      ['i', 'intro'],
      ['q', 'map'],
    ] as const;
    const { lastFrame, unmount } = render(<Footer keys={keys} />);
    const lines = (lastFrame() ?? '').split('\n').filter((l) => l.trim() !== '');
    unmount();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(100);
    expect(lines[0]).toMatch(/^Enter next exercise · h hint · .* · \? keys · Ctrl-C quit$/);
  });
});
