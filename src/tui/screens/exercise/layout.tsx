import { Box, type DOMElement, measureElement, Text } from 'ink';
import { type ReactNode, useEffect, useRef } from 'react';

/**
 * The exercise screen's live part on a terminal of any size. The step the learner works on (its
 * instructions and commands) stays on screen with its checks and the namespace panel; Ink's
 * transcript above scrolls, so the step is not printed there, where it would scroll off while
 * the learner reads it. When everything does not fit, the checks and the panel shrink to a line
 * or two each first, and only then does the step get a window that ↑↓ scrolls: never off screen.
 */

export interface Layout {
  /** Show every check with its message, or a summary. */
  fullChecks: boolean;
  /** Show the namespace panel, or its one-line summary. */
  fullPanel: boolean;
  /** How many lines of the step to show at once (all of them when it fits). */
  cardHeight: number;
  scrolls: boolean;
}

/**
 * Chooses what to show in `rows` lines: `fixed` lines always shown (title, footer, spacing), the
 * step card, and the checks and panel in their full and compact forms.
 */
export function planLayout(sizes: {
  rows: number;
  fixed: number;
  card: number;
  checks: { full: number; compact: number };
  panel: { full: number; compact: number };
}): Layout {
  // One line to spare: a live part as tall as the terminal makes Ink clear the whole screen.
  const room = sizes.rows - 1 - sizes.fixed;
  const fits = (checks: number, panel: number) => sizes.card + checks + panel <= room;
  if (fits(sizes.checks.full, sizes.panel.full))
    return { fullChecks: true, fullPanel: true, cardHeight: sizes.card, scrolls: false };
  if (fits(sizes.checks.full, sizes.panel.compact))
    return { fullChecks: true, fullPanel: false, cardHeight: sizes.card, scrolls: false };
  if (fits(sizes.checks.compact, sizes.panel.compact))
    return { fullChecks: false, fullPanel: false, cardHeight: sizes.card, scrolls: false };
  // The window's own line ("↑↓ scroll …") comes out of its height.
  const height = Math.max(3, room - sizes.checks.compact - sizes.panel.compact - 1);
  return { fullChecks: false, fullPanel: false, cardHeight: height, scrolls: true };
}

/** The furthest a window of `height` lines can scroll in `total` lines. */
export const maxOffset = (total: number, height: number) => Math.max(0, total - height);

/**
 * How many terminal lines a text takes at this width when Ink wraps it at spaces (a close
 * estimate: the layout keeps a line to spare).
 */
export function wrappedLines(text: string, width: number): number {
  const columns = Math.max(1, width);
  return text.split('\n').reduce((total, line) => {
    let lines = 1;
    let used = 0;
    for (const word of line.split(' ')) {
      const length = [...word].length;
      if (used > 0 && used + 1 + length > columns) {
        lines++;
        used = 0;
      }
      used += (used > 0 ? 1 : 0) + length;
      while (used > columns) {
        lines++;
        used -= columns;
      }
    }
    return total + lines;
  }, 0);
}

/**
 * The card (a step, or the intro) in a window of `height` lines scrolled by `offset`, or whole when
 * `height` is undefined. Its whole height is measured after each draw and told to `onMeasure`.
 */
export function CardWindow(props: {
  children: ReactNode;
  height: number | undefined;
  offset: number;
  total: number;
  onMeasure: (lines: number) => void;
}) {
  const { children, height, total } = props;
  const inner = useRef<DOMElement>(null);
  const measured = useRef(props.onMeasure);
  measured.current = props.onMeasure;
  useEffect(() => {
    if (inner.current) measured.current(measureElement(inner.current).height);
  });
  const scrolls = height !== undefined && total > height;
  const offset = scrolls ? Math.max(0, Math.min(props.offset, total - height)) : 0;
  return (
    <Box flexDirection="column">
      <Box flexDirection="column" height={scrolls ? height : undefined} overflowY="hidden">
        <Box ref={inner} flexDirection="column" flexShrink={0} marginTop={-offset}>
          {children}
        </Box>
      </Box>
      {scrolls && (
        <Text dimColor>
          {`  ↑↓ scroll · lines ${offset + 1}–${offset + height} of ${total}`}
          {offset + height < total ? ' · more below' : ''}
        </Text>
      )}
    </Box>
  );
}
