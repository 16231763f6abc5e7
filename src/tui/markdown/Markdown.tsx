import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { type Block, lexMarkdown, type Span } from './lexer.js';

export function Spans({ spans }: { spans: Span[] }) {
  return (
    <Text>
      {spans.map((span, i) => (
        <Text
          // biome-ignore lint/suspicious/noArrayIndexKey: spans never reorder.
          key={i}
          bold={span.bold}
          italic={span.italic}
          dimColor={span.dim}
          color={span.code ? 'cyan' : undefined}
        >
          {span.text}
        </Text>
      ))}
    </Text>
  );
}

/**
 * Course text drawn in the terminal. Code is printed at the left edge with no prefix or frame, so a
 * learner can copy it straight into a shell.
 */
export function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => lexMarkdown(text), [text]);
  return (
    <Box flexDirection="column" rowGap={1}>
      {blocks.map((block, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: blocks never reorder.
        <MarkdownBlock key={i} block={block} />
      ))}
    </Box>
  );
}

function MarkdownBlock({ block }: { block: Block }) {
  switch (block.type) {
    case 'heading':
      return (
        <Text bold underline={block.depth <= 2} color={block.depth <= 2 ? 'magenta' : undefined}>
          <Spans spans={block.spans} />
        </Text>
      );
    case 'paragraph':
      return <Spans spans={block.spans} />;
    case 'code':
      return <Code lines={block.lines} />;
    case 'list':
      return (
        <Box flexDirection="column">
          {block.items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: items never reorder.
            <Box key={i}>
              <Text>{block.ordered ? `${block.start + i}. ` : '• '}</Text>
              {/* Ink can set a word one column past a narrower box; a column of slack keeps it inside. */}
              <Box flexShrink={1} paddingRight={1}>
                <Spans spans={item} />
              </Box>
            </Box>
          ))}
        </Box>
      );
    case 'quote':
      return (
        <Text italic dimColor>
          <Spans spans={block.spans} />
        </Text>
      );
    case 'table':
      return <Text>{block.lines.join('\n')}</Text>;
    case 'rule':
      return <Text dimColor>{'─'.repeat(20)}</Text>;
  }
}

/** Commands and code, one line each, nothing in front of them. */
export function Code({ lines }: { lines: string[] }) {
  return <Text color="cyan">{lines.join('\n')}</Text>;
}
