import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { lexInline, lexMarkdown } from '../../src/tui/markdown/lexer.js';
import { Markdown } from '../../src/tui/markdown/Markdown.js';

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
