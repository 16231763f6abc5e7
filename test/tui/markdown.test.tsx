import { execa } from 'execa';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { lexInline, lexMarkdown } from '../../src/tui/markdown/lexer.js';
import { Code, Markdown } from '../../src/tui/markdown/Markdown.js';
import { shellLines } from '../../src/tui/markdown/shell-lines.js';

describe('the Markdown reader', () => {
  it('reads headings, paragraphs, fenced code, lists, quotes and tables', () => {
    const blocks = lexMarkdown(
      [
        '## Scale the API',
        '',
        'Run this, then',
        'watch the pods:',
        '',
        '```bash',
        'kubectl scale deployment churn-api --replicas=5 -n churn-mlops',
        '  kubectl get pods -w',
        '```',
        '',
        '1. first',
        '2. second',
        '   continued',
        '',
        '- a',
        '* b',
        '',
        '> a note',
        '',
        '| a | b |',
        '|---|---|',
        '',
        '---',
      ].join('\n'),
    );
    expect(blocks.map((b) => b.type)).toEqual([
      'heading',
      'paragraph',
      'code',
      'list',
      'list',
      'quote',
      'table',
      'rule',
    ]);
    expect(blocks[0]).toMatchObject({ type: 'heading', depth: 2, spans: [{ text: 'Scale the API' }] });
    expect(blocks[1]).toMatchObject({ spans: [{ text: 'Run this, then watch the pods:' }] });
    expect(blocks[2]).toEqual({
      type: 'code',
      lang: 'bash',
      lines: ['kubectl scale deployment churn-api --replicas=5 -n churn-mlops', '  kubectl get pods -w'],
    });
    expect(blocks[3]).toMatchObject({
      ordered: true,
      start: 1,
      items: [[{ text: 'first' }], [{ text: 'second continued' }]],
    });
    expect(blocks[4]).toMatchObject({ ordered: false, items: [[{ text: 'a' }], [{ text: 'b' }]] });
    expect(blocks[6]).toEqual({ type: 'table', lines: ['| a | b |', '|---|---|'] });
  });

  it('reads inline code, bold, italics and links', () => {
    expect(
      lexInline('Use `kubectl get` with **a _label_ selector** and [the docs](https://k8s.io).'),
    ).toEqual([
      { text: 'Use ' },
      { code: true, text: 'kubectl get' },
      { text: ' with ' },
      { bold: true, text: 'a ' },
      { bold: true, italic: true, text: 'label' },
      { bold: true, text: ' selector' },
      { text: ' and ' },
      { text: 'the docs' },
      { dim: true, text: ' (https://k8s.io)' },
      { text: '.' },
    ]);
    // Underscores inside words are not emphasis: churn_mlops_config stays as written.
    expect(lexInline('set churn_mlops_config')).toEqual([{ text: 'set churn_mlops_config' }]);
    expect(lexInline('2 * 3 * 4')).toEqual([{ text: '2 * 3 * 4' }]);
    const cron = '"0 6 * * *" once a day at 06:00, and "*/6 * * * *" every 6 minutes';
    expect(lexInline(cron)).toEqual([{ text: cron }]);
    expect(lexInline('"0 */6 * * *" or "* * * * *"')).toEqual([{ text: '"0 */6 * * *" or "* * * * *"' }]);
    expect(lexInline('it is *throttled*: it slows')).toEqual([
      { text: 'it is ' },
      { italic: true, text: 'throttled' },
      { text: ': it slows' },
    ]);
  });

  it('draws code at the left edge with nothing in front of it', () => {
    const { lastFrame, unmount } = render(
      <Markdown text={'Apply it:\n\n```\nkubectl apply -f manifests/ -n churn-mlops\n```\n\n- one `two`'} />,
    );
    const lines = (lastFrame() ?? '').split('\n');
    expect(lines).toContain('kubectl apply -f manifests/ -n churn-mlops');
    expect(lines).toContain('• one two');
    unmount();
  });
});

describe('shell commands too long for the terminal', () => {
  it('break between words with a line continuation, never inside quotes, and run the same', async () => {
    const command =
      'kubectl apply -f k8s/exercises/qos-guaranteed.yaml -f k8s/exercises/qos-besteffort.yaml -n churn-mlops';
    const lines = shellLines(command, 60);
    expect(lines).toEqual([
      'kubectl apply -f k8s/exercises/qos-guaranteed.yaml -f \\',
      '  k8s/exercises/qos-besteffort.yaml -n churn-mlops',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    const quoted = `echo '{"user_id": "user123", "features": {"logins_7d": 15, "sessions_7d": 20}}' | kubectl create --raw /x -f -`;
    const broken = shellLines(quoted, 40);
    expect(broken[0]).toBe(`echo \\`);
    expect(broken[1]).toBe(`  '{"user_id": "user123", "features": {"logins_7d": 15, "sessions_7d": 20}}' \\`);
    // What a learner copies is what the shell runs: the same words as the one-line command.
    const words = async (text: string) =>
      (await execa('sh', ['-c', `set -- ${text.replaceAll('|', '')}; printf '%s\\n' "$@"`])).stdout;
    expect(await words(broken.join('\n'))).toBe(await words(quoted));
    // Short commands and heredocs stay as written.
    expect(shellLines('kubectl get pods', 60)).toEqual(['kubectl get pods']);
    const heredoc = `cat <<EOF | kubectl apply -f -\n${'x'.repeat(80)}\nEOF`;
    expect(shellLines(heredoc, 40)).toEqual(heredoc.split('\n'));
  });

  it('the commands to type are drawn broken that way, within the terminal width', () => {
    const long = `kubectl get pods -n churn-mlops -o custom-columns=NAME:.metadata.name,QOS:.status.qosClass,NODE:.spec.nodeName --sort-by=.metadata.name`;
    const { lastFrame, unmount } = render(<Code lines={[long]} shell />);
    const frame = lastFrame() ?? '';
    expect(frame.split('\n')).toEqual(shellLines(long, 99));
    expect(frame.split('\n').length).toBeGreaterThan(1);
    unmount();
  });
});

describe('tables', () => {
  const table = [
    '| class | when | under memory pressure |',
    '| --- | --- | --- |',
    '| Guaranteed | every container has requests equal to limits, for CPU and memory, in every container of the pod | killed last |',
    '| BestEffort | no requests and no limits at all | killed first |',
  ].join('\n');

  it('too wide for the terminal, become one line per row with each cell named by its column', () => {
    const { lastFrame, unmount } = render(<Markdown text={table} />);
    const frame = (lastFrame() ?? '').replace(/\n\s*/g, ' ');
    expect(frame).toContain(
      '• Guaranteed — when: every container has requests equal to limits, for CPU and memory, in every container of the pod; under memory pressure: killed last',
    );
    expect(frame).toContain(
      '• BestEffort — when: no requests and no limits at all; under memory pressure: killed first',
    );
    expect(frame).not.toContain('| --- |');
    unmount();
  });

  it('that fit, are drawn in aligned columns, without the pipes and the separator line', () => {
    const narrow = '| class | qos |\n| --- | --- |\n| `Guaranteed` | killed last |\n| BestEffort | first |';
    const { lastFrame, unmount } = render(<Markdown text={narrow} />);
    expect(lastFrame()?.split('\n')).toEqual([
      'class        qos',
      'Guaranteed   killed last',
      'BestEffort   first',
    ]);
    unmount();
  });
});
