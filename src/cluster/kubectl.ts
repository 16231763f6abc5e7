import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTEXT, SIM_CONTEXT } from '../lab.js';
import {
  type LongRunningOptions,
  type LongRunningTool,
  type RunOptions,
  runTool,
  startTool,
  type ToolResult,
} from './tool.js';

export { DEFAULT_CONTEXT, SIM_CONTEXT };

export interface ClusterTarget {
  context: string;
  /** An explicit kubeconfig file; otherwise $KUBECONFIG, else ~/.kube/config. */
  kubeconfig?: string;
}

export function resolveKubeconfig(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (explicit) return explicit;
  if (env.KUBECONFIG) return env.KUBECONFIG;
  return join(homedir(), '.kube', 'config');
}

/** Flags that pin a kubectl call to the one cluster we were told to use; never the current-context. */
export function targetFlags(target: ClusterTarget): string[] {
  const flags = ['--context', target.context];
  if (target.kubeconfig) flags.push('--kubeconfig', target.kubeconfig);
  return flags;
}

export function kubectl(
  target: ClusterTarget,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ToolResult> {
  return runTool('kubectl', [...targetFlags(target), ...args], options);
}

/**
 * Runs a command as a learner would type it (pipes, heredocs, `cd`), in sh, with `kubectl`
 * redefined as a function that carries our --context and --kubeconfig. The reference solutions
 * are written exactly as the lab shows them, and this is how `solve` runs them without ever
 * touching the learner's current-context.
 */
export function kubectlShell(
  target: ClusterTarget,
  command: string,
  options: RunOptions = {},
): Promise<ToolResult> {
  const prelude = `kubectl() { command kubectl ${targetFlags(target).map(shellQuote).join(' ')} "$@"; }`;
  return runTool('sh', ['-c', `${prelude}\n${command}`], { timeoutMs: 120_000, group: true, ...options });
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** True when kubectl's stderr says the cluster cannot be reached or the context does not exist. */
export function unreachableReason(result: ToolResult, target: ClusterTarget): string | undefined {
  if (result.missing)
    return 'kubectl is not installed: install it (https://kubernetes.io/docs/tasks/tools/) and try again.';
  const simulated = target.context === SIM_CONTEXT;
  const startIt = simulated
    ? 'Start the simulated cluster with `churn-labs up --simulate` (it runs in the background until `churn-labs down --simulate`).'
    : target.context === DEFAULT_CONTEXT
      ? 'Bring the lab up with `churn-labs up` (or `churn-labs start`).'
      : "Check that this cluster is running, or pass the lab's --context.";
  if (result.timedOut) return `The cluster of context ${target.context} did not answer in time. ${startIt}`;
  const text = result.stderr;
  if (
    /context "[^"]*" does not exist|context was not found|no context exists|context .* not found/i.test(text)
  ) {
    const where = ` in ${resolveKubeconfig(target.kubeconfig)}`;
    return simulated
      ? `The simulated cluster is not set up (no context ${target.context}${where}). ${startIt}`
      : `There is no kube context ${target.context}${where}: the lab cluster is not up. ${startIt}`;
  }
  if (
    /Unable to connect to the server|connection refused|no such host|i\/o timeout|dial tcp|EOF$|couldn't get current server API group list|was refused/i.test(
      text,
    )
  ) {
    return `The cluster of context ${target.context} is not reachable (${kubectlSays(text)}). ${startIt}`;
  }
  // A token revoked (a class deleted, a learner's access renewed) or a certificate that expired.
  if (/must be logged in to the server|provide credentials|\(Unauthorized\)/i.test(text)) {
    return `The cluster of context ${target.context} does not accept its kubeconfig's credentials (Unauthorized). In a class, your access may have been deleted or renewed: ask your instructor for a new kubeconfig; otherwise log in to the cluster again.`;
  }
  if (/error loading config file|invalid configuration|no configuration has been provided/i.test(text)) {
    return `kubectl cannot read the kubeconfig (${kubectlSays(text)}). Check --kubeconfig or $KUBECONFIG.`;
  }
  return undefined;
}

/** klog's prefix on kubectl's log lines: `E1124 11:24:33.582857   14943 memcache.go:265] `. */
const KLOG = /^[EWI]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /;

/**
 * kubectl's own sentence about the failure: the last line that is not one of its log lines (it
 * logs each failed discovery request, then says once what went wrong), else the first log line
 * without its prefix.
 */
function kubectlSays(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.findLast((line) => !KLOG.test(line)) ?? (lines[0] ?? '').replace(KLOG, '').trim();
}

/**
 * A kubectl that keeps running (`get --watch-only`, `proxy`), with the same pinned context and
 * kubeconfig as every other call, read line by line. A watch's lines are change notifications;
 * the caller restarts it when it ends (the API server closes watches after a while).
 */
export function kubectlRunning(
  target: ClusterTarget,
  args: readonly string[],
  options: LongRunningOptions,
): LongRunningTool {
  return startTool('kubectl', [...targetFlags(target), ...args], options);
}
