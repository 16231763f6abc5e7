import { createInterface } from 'node:readline/promises';
import { usageError } from '../errors.js';
import { isInteractive } from '../output.js';

/**
 * Asks a yes/no question on the terminal. Without a terminal (or under CI) there are no prompts:
 * the command needs --yes, and says so.
 */
export async function confirm(
  question: string,
  yes: boolean | undefined,
  flagHint: string,
): Promise<boolean> {
  if (yes) return true;
  if (!isInteractive())
    throw usageError(
      `${question.replace(/\?$/, '')} needs confirmation, and there is no terminal to ask in: ${flagHint}`,
    );
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // readline swallows Ctrl-C while it asks: hand it on to the process, as if no question were open.
  rl.on('SIGINT', () => {
    rl.close();
    process.stdout.write('\n');
    process.kill(process.pid, 'SIGINT');
  });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}
