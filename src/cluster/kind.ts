import { type RunOptions, runTool, type ToolResult } from './tool.js';

export const CLUSTER_NAME = 'churn-labs';

export function kind(args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  return runTool('kind', args, { timeoutMs: 600_000, ...options });
}
