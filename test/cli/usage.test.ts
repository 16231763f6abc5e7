import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnLabs, tempHome } from './helpers.js';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;

describe('usage and exit codes', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  beforeAll(async () => {
    env = await tempHome();
  });
  afterAll(() => env.cleanup());
  const run = (...args: string[]) => churnLabs(args, { home: env.home });

  it('prints the version and the help', async () => {
    expect((await run('--version')).stdout).toBe(version);
    const help = await run('--help');
    expect(help.exitCode).toBe(0);
    for (const command of [
      'start',
      'doctor',
      'up',
      'down',
      'list',
      'check',
      'solve',
      'hint',
      'quiz',
      'progress',
      'reset',
      'sim',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('an unknown command or option is a usage error: exit 2 with a sentence', async () => {
    const unknown = await run('deploy');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^churn-labs: unknown command 'deploy'/);
    expect(unknown.stderr).toMatch(/Run churn-labs --help for the commands\./);
    const option = await run('list', '--jsn');
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--jsn'/);
    const missing = await run('check');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'exercise'/);
    const level = await run('hint', 'x', '--level', '0');
    expect(level.exitCode).toBe(2);
    expect(level.stderr).toMatch(/give a whole number from 1 up/);
    const wait = await run('check', 'x', '--wait', 'soon');
    expect(wait.exitCode).toBe(2);
    const help = await run('help', 'nope');
    expect(help.exitCode).toBe(2);
    expect(help.stderr).toBe("churn-labs: unknown command 'nope'. Run churn-labs --help for the commands.");
    expect((await run('help', 'check')).exitCode).toBe(0);
  });

  it('refuses empty and out-of-range option values that would otherwise change what runs', async () => {
    // An empty --context would leave kubectl on the current-context: the one cluster never to touch.
    for (const args of [
      ['check', 'deploy-system', '--context', ''],
      ['solve', 'deploy-system', '--yes', '--context', ' '],
      ['list', '--kubeconfig', ''],
      ['check', 'deploy-system', '--wait', ''],
      ['sim', 'serve', '--port', '70000'],
    ]) {
      const result = await run(...args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(
        /^churn-labs: option '--[a-z]+ <[a-z]+>' argument '.*' is invalid\. give /,
      );
      expect(result.stdout).toBe('');
    }
  });

  it('a --kubeconfig that does not exist, or a CHURN_LABS_HOME that is a file, is exit 2 with what to do', async () => {
    const missing = await run(
      'check',
      'deploy-system',
      '--kubeconfig',
      `${env.home}/nope/kubeconfig`,
      '--json',
    );
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(
      `churn-labs: --kubeconfig ${env.home}/nope/kubeconfig: there is no such file. Give the path of an existing kubeconfig, or leave --kubeconfig out to use $KUBECONFIG or ~/.kube/config.`,
    );
    const file = `${env.home}/a-file`;
    writeFileSync(file, 'not a folder');
    // The file itself, or a file on the way to the folder (ENOTDIR).
    for (const [home, args] of [
      [file, ['list']],
      [file, ['reset', '--yes']],
      [file, ['quiz', '--answers', file]],
      [`${file}/state`, ['list']],
    ] as const) {
      const result = await churnLabs([...args], { home });
      expect(result.exitCode, args.join(' ')).toBe(2);
      const said = String(result.stderr);
      expect(said.startsWith(`churn-labs: CHURN_LABS_HOME is ${home}, which is not a folder (`), said).toBe(
        true,
      );
      expect(said).toContain('Point CHURN_LABS_HOME at a folder');
    }
  });

  it('an unknown exercise or quiz is exit 2, naming the ones there are', async () => {
    for (const args of [
      ['check', 'nope'],
      ['solve', 'nope', '--yes'],
      ['hint', 'nope'],
      ['reset', 'nope', '--yes'],
    ]) {
      const result = await run(...args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^churn-labs: There is no exercise "nope"\. The exercises are: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    const quiz = await run('quiz', 'nope', '--answers', 'x.yaml');
    expect(quiz.exitCode).toBe(2);
    expect(quiz.stderr).toMatch(/There is no quiz "nope"/);
  });

  it('asks nothing without a terminal: reset without --yes says to pass it', async () => {
    const result = await run('reset');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/needs confirmation, and there is no terminal to ask in: pass --yes/);
    expect((await run('reset', '--yes')).exitCode).toBe(0);
  });

  it('an answers file that is missing is exit 2 with its name', async () => {
    const result = await run('quiz', '--answers', 'no-such-answers.yaml');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'churn-labs: Cannot read the answers file no-such-answers.yaml: it does not exist.',
    );
  });

  it('the interactive quiz without a terminal names the non-interactive way', async () => {
    const result = await run('quiz');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/churn-labs quiz section-19 --answers answers\.yaml/);
  });
});
