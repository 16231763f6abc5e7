import { readFileSync } from 'node:fs';
import { own } from '../kube/own.js';
import { writeFileAtomic } from './atomic.js';

/**
 * The lab last brought up in a CHURN_LABS_HOME (`up`, `up --simulate`, `start --simulate`,
 * `start --kubeconfig`): every command targets it unless --context says otherwise, so that
 * `churn-labs check` after `start --simulate` checks the simulated cluster, not kind.
 */
export interface LastLab {
  context: string;
  kubeconfig?: string;
  /** What `up` rendered the workspace for on a cluster that is not kind (a context's churn-labs extension wins over them). */
  namespace?: string;
  registry?: string;
  storageClass?: string;
}

const OPTIONAL = ['kubeconfig', 'namespace', 'registry', 'storageClass'] as const;

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
    const context = own(data, 'context');
    if (typeof context !== 'string' || context.trim() === '') return undefined;
    const lab: LastLab = { context };
    for (const key of OPTIONAL) {
      const value = own(data, key);
      if (typeof value === 'string' && value !== '') lab[key] = value;
    }
    return lab;
  } catch {
    return undefined;
  }
}

export async function writeLastLab(path: string, lab: LastLab): Promise<void> {
  const current = readLastLab(path);
  if (current?.context === lab.context && OPTIONAL.every((key) => current[key] === lab[key])) return;
  const written: LastLab = { context: lab.context };
  for (const key of OPTIONAL) if (lab[key]) written[key] = lab[key];
  await writeFileAtomic(path, `${JSON.stringify(written, null, 2)}\n`);
}
