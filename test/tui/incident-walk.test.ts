import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, stepView } from '../../src/lab.js';
import { Terminal } from './terminal.js';

/**
 * A new learner on call at 80×24, the smallest terminal there is: from the course map they open
 * an incident, read the page, start it and see the clock run; `h` shows the first hint on screen;
 * they fix the cause with kubectl in another terminal, and the checks turn green with the result:
 * the time taken and the hint used.
 */
const CLI = join(process.cwd(), 'dist', 'cli.js');
const hasTmux = (await execa('tmux', ['-V'], { reject: false })).exitCode === 0;
const INCIDENT = 'incident-no-endpoints';

/** The first words of a Markdown text as the screen shows them, without its marks. */
function firstWords(markdown: string, count: number): string {
  return markdown
    .replace(/[`*_]/g, '')
    .split(/\s+/)
    .filter((w) => w !== '')
    .slice(0, count)
    .join(' ');
}

describe.skipIf(!hasTmux || !existsSync(CLI))('on call at 80×24', () => {
  let home: string;
  let terminal: Terminal;
  const cli = (...args: string[]) =>
    execa(process.execPath, [CLI, ...args], { env: { CHURN_LABS_HOME: home }, reject: false });
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'churn-labs-oncall-'));
    terminal = new Terminal();
    // Exercise 1 done, as the learner leaves it: the system the incidents break.
    const up = await cli('up', '--simulate');
    expect(up.exitCode, String(up.stdout) + String(up.stderr)).toBe(0);
    const solved = await cli('solve', 'deploy-system', '--yes');
    expect(solved.exitCode, String(solved.stdout) + String(solved.stderr)).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await terminal.close();
    await cli('down', '--simulate', '--yes');
    await rm(home, { recursive: true, force: true });
  });

  it('opens an incident from the map, shows the page, the clock and a hint, and the result once fixed', async () => {
    const lab = await openLab({ context: 'churn-labs-sim', home });
    const incident = lab.course.exercises.find((e) => e.id === INCIDENT)!;
    const step = incident.steps[0]!;
    const number = lab.course.exercises.filter((e) => e.incident).indexOf(incident) + 1;
    const line = new RegExp(`› ○ +${number}\\. ${incident.title}`);

    await terminal.start(
      `node ${CLI} start --simulate; sleep 60`,
      { CHURN_LABS_HOME: home },
      { columns: 80, rows: 24 },
    );
    await terminal.waitForText('1 of 10 exercises done', 30_000);
    for (let i = 0; i < 30 && !line.test(await terminal.screen()); i++) {
      await terminal.keys('Down');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await terminal.waitFor((s) => line.test(s), `the cursor on ${incident.title}`);
    await terminal.keys('Enter');
    // The first screen opened in a session brings the lab up (the simulated cluster is running).
    await terminal.waitForText('Press Enter to start.', 120_000);
    await terminal.keys('Enter');

    // The page: the symptom and since when, then Enter starts it.
    let screen = await terminal.waitForText('Enter starts it', 30_000);
    expect(screen).toContain(`On call · incident ${number} of 9: ${incident.title}`);
    expect(screen.replace(/\s+/g, ' ')).toContain(firstWords(incident.incident!.symptom, 6));
    expect(screen).toContain(`Since: ${incident.incident!.since}`);
    await terminal.keys('Enter');

    // On call: the clock runs under the title, with no hint used yet.
    screen = await terminal.waitFor((s) => /⏱ on call for 00:0\d · 0 hints/.test(s), 'the clock', 60_000);
    await terminal.waitFor((s) => /✗ .*checks pass|✗ The API answers/.test(s), 'the checks red', 60_000);
    const started = /⏱ on call for (00:\d\d)/.exec(await terminal.screen())![1];
    await terminal.waitFor(
      (s) => /⏱ on call for (00:\d\d)/.exec(s)?.[1] !== started,
      'the clock to move',
      5_000,
    );

    // h: the first hint, on screen (not in the transcript above it), and counted.
    await terminal.keys('h');
    const hint = stepView(lab, incident, step).hints[0]!;
    screen = await terminal.waitFor((s) => /on call for 00:\d\d · 1 hint\b/.test(s), 'the hint counted');
    screen = await terminal.waitForText(`Hint 1 of ${step.hints.length}`);
    expect(screen.replace(/\s+/g, ' ')).toContain(firstWords(hint, 6));
    expect(screen).not.toContain(`Hint 2 of ${step.hints.length}`);
    // It is part of the screen the learner works with, under the step's title, not the transcript
    // above it (which the next lines printed, or a taller screen, would push out of sight).
    expect(screen.indexOf('Hint 1 of'), screen).toBeGreaterThan(screen.indexOf('step 1 of 1'));

    // The fix, in the learner's other terminal.
    const fixed = await execa(
      'kubectl',
      [
        '--kubeconfig',
        join(home, 'sim', 'kubeconfig'),
        '--context',
        'churn-labs-sim',
        'patch',
        'service',
        'churn-api',
        '-n',
        'churn-mlops',
        '-p',
        '{"spec":{"selector":{"app":"churn-api"}}}',
      ],
      { reject: false },
    );
    expect(fixed.exitCode, fixed.stderr).toBe(0);

    // Green, with the result: the time it took and the hint used.
    screen = await terminal.waitForText('★ Incident solved', 60_000);
    screen = await terminal.waitFor((s) => /✓ solved in 00:\d\d · 1 hint\b/.test(s), 'the result', 30_000);
    // Every check green: in full, or summed up on a screen this short.
    const all = `✓ ${step.checks.length} of ${step.checks.length} checks pass`;
    if (!screen.includes(all))
      for (const check of step.checks) expect(screen, check.title).toContain(`✓ ${check.title}`);
    const lines = screen.split('\n');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines.filter((l) => l.trim() !== '').at(-1) ?? '', 'the footer').toMatch(/Ctrl-C quit\s*$/);

    // Back on the map, it counts as solved.
    await terminal.keys('Enter');
    await terminal.waitFor(
      (s) => new RegExp(`✓ +${number}\\. ${incident.title} · solved`).test(s),
      'the map',
    );
  }, 420_000);
});
