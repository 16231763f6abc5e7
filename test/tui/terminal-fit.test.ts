import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, stepView } from '../../src/lab.js';
import { Terminal } from './terminal.js';

/**
 * A learner at 80×24, the smallest terminal there is: the first step of every exercise, its
 * instructions and the commands to type, is on screen whole while they work, with its checks and
 * the namespace panel; the footer fits the width.
 */
const CLI = join(process.cwd(), 'dist', 'cli.js');
const hasTmux = (await execa('tmux', ['-V'], { reject: false })).exitCode === 0;

/** The words a learner reads first: the instructions' first line of prose, without Markdown marks. */
function firstWords(markdown: string): string {
  const line = markdown
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#') && !l.startsWith('```'))!;
  return line
    .replace(/[`*_]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .split(/\s+/)
    .slice(0, 4)
    .join(' ');
}

describe.skipIf(!hasTmux || !existsSync(CLI))('at 80×24', () => {
  let home: string;
  let terminal: Terminal;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'churn-labs-fit-'));
    terminal = new Terminal();
  });
  afterAll(async () => {
    await terminal.close();
    await execa(process.execPath, [CLI, 'down', '--simulate', '--yes'], {
      env: { CHURN_LABS_HOME: home },
      reject: false,
    });
    await rm(home, { recursive: true, force: true });
  });

  it('shows the first step of every exercise whole: its instructions and its commands', async () => {
    const lab = await openLab({ context: 'churn-labs-sim', home });
    await terminal.start(
      `node ${CLI} start --simulate; sleep 60`,
      { CHURN_LABS_HOME: home },
      { columns: 80, rows: 24 },
    );
    await terminal.waitForText('exercises done');
    for (const [index, exercise] of lab.course.exercises.filter((e) => !e.incident).entries()) {
      for (let i = 0; i < index; i++) await terminal.keys('Down');
      await terminal.keys('Enter');
      if (index === 0) {
        await terminal.waitForText('Press Enter to start.', 240_000);
        await terminal.keys('Enter');
      }
      const step = exercise.steps[0]!;
      await terminal.waitForText(`step 1 of ${exercise.steps.length}`, 30_000);
      // The panel has read the namespace: the screen is as the learner works with it.
      await terminal.waitFor((s) => s.includes('namespace churn-mlops'), 'the namespace panel', 30_000);
      const screen = await terminal.screen();
      const lines = screen.split('\n');
      const view = stepView(lab, exercise, step);
      expect(screen, `${exercise.id}: its step scrolls`).not.toContain('↑↓ scroll');
      expect(screen.replace(/\s+/g, ' '), exercise.id).toContain(firstWords(view.instructions));
      // A long command is broken over lines with a trailing backslash, as it copies and runs.
      const joined = screen.replace(/ \\\n\s*/g, ' ');
      for (const command of view.commands)
        expect(joined, `${exercise.id}: ${command}\n${screen}`).toContain(command.split('\n')[0]!);
      expect(lines.every((l) => l.length <= 80)).toBe(true);
      expect(lines.filter((l) => l.trim() !== '').at(-1) ?? '', 'the footer').toMatch(/Ctrl-C quit\s*$/);
      await terminal.keys('q');
      await terminal.waitForText('exercises done');
      // Back on the map, the cursor is on the exercise just left: back to the top.
      for (let i = 0; i < 12; i++) await terminal.keys('Up');
    }
  }, 600_000);
});
