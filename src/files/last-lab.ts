import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

/**
 * The lab last brought up in a CHURN_LABS_HOME (`up`, `up --simulate`, `start --simulate`,
 * `start --kubeconfig`): every command targets it unless --context says otherwise, so that
 * `churn-labs check` after `start --simulate` checks the simulated cluster, not kind.
 */
export interface LastLab {
  context: string;
  kubeconfig?: string;
}

/** Small, and read by every command: a file that is not one of ours is ignored, never trusted. */
const MAX_BYTES = 64 * 1024;

export function readLastLab(path: string): LastLab | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  if (text.length > MAX_BYTES) return undefined;
  try {
    const data = JSON.parse(text) as unknown;
    if (typeof data !== 'object' || data === null) return undefined;
    const { context, kubeconfig } = data as Record<string, unknown>;
    if (typeof context !== 'string' || context.trim() === '') return undefined;
    return typeof kubeconfig === 'string' && kubeconfig !== '' ? { context, kubeconfig } : { context };
  } catch {
    return undefined;
  }
}

export async function writeLastLab(path: string, lab: LastLab): Promise<void> {
  const current = readLastLab(path);
  if (current?.context === lab.context && current.kubeconfig === lab.kubeconfig) return;
  await writeFileAtomic(path, `${JSON.stringify(lab, null, 2)}\n`);
}
