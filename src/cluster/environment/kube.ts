import { type ClusterTarget, kubectl, targetFlags } from '../kubectl.js';
import type { RunOptions, ToolResult } from '../tool.js';
import { type EventLike, eventLines } from './pods.js';
import { commandLine, type StepIO } from './steps.js';

/** kubectl from inside a step: shown as the learner would type it, pinned to our context. */
export function kube(
  io: StepIO,
  target: ClusterTarget,
  args: readonly string[],
  extra: Omit<RunOptions, 'signal' | 'onOutput'> = {},
): Promise<ToolResult> {
  return io.run(commandLine('kubectl', [...targetFlags(target), ...args]), (options) =>
    kubectl(target, args, { ...options, ...extra }),
  );
}

/** Reads objects quietly (no `$ command` line: these run every second while waiting). */
export async function readJson<T>(
  io: StepIO,
  target: ClusterTarget,
  args: readonly string[],
): Promise<{ result: ToolResult; value?: T }> {
  const result = await kubectl(target, [...args, '-o', 'json'], { signal: io.signal, timeoutMs: 20_000 });
  if (!result.ok) return { result };
  try {
    return { result, value: JSON.parse(result.stdout) as T };
  } catch {
    return { result };
  }
}

/** A pod's recent events and the last lines of its log, to show under a failure. */
export async function podEvidence(
  io: StepIO,
  target: ClusterTarget,
  namespace: string,
  pod: string,
  withLogs: boolean,
): Promise<string> {
  const lines: string[] = [];
  const events = await readJson<{ items?: EventLike[] }>(io, target, ['get', 'events', '-n', namespace]);
  const shown = eventLines(events.value?.items ?? [], pod);
  if (shown.length > 0) lines.push(`Events of pod ${pod}:`, ...shown.map((l) => `  ${l}`));
  if (withLogs) {
    const logs = await kubectl(target, ['logs', pod, '-n', namespace, '--tail=15'], {
      signal: io.signal,
      timeoutMs: 20_000,
    });
    const text = (logs.ok ? logs.stdout : logs.stderr).trim();
    if (text) lines.push(`Last log lines of pod ${pod}:`, ...text.split('\n').map((l) => `  ${l}`));
  }
  return lines.join('\n');
}
