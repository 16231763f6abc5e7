import { type RunOptions, runTool, type ToolResult } from './tool.js';

export function docker(args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  return runTool('docker', args, { timeoutMs: 60_000, ...options });
}
