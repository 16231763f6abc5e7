import { homedir } from 'node:os';
import { join } from 'node:path';
import { type RunOptions, runTool, type ToolResult } from './tool.js';

export { DEFAULT_CONTEXT, SIM_CONTEXT } from '../lab.js';

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
  return runTool('sh', ['-c', `${prelude}\n${command}`], { timeoutMs: 120_000, ...options });
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** True when kubectl's stderr says the cluster cannot be reached or the context does not exist. */
export function unreachableReason(result: ToolResult, target: ClusterTarget): string | undefined {
  if (result.missing)
    return 'kubectl is not installed: install it (https://kubernetes.io/docs/tasks/tools/) and try again.';
  if (result.timedOut) return `The cluster of context ${target.context} did not answer in time.`;
  const text = result.stderr;
  if (/context was not found|no context exists|does not exist.*context|context .* not found/i.test(text)) {
    return `The kube context ${target.context} does not exist. Bring the lab up with \`churn-labs up\` (or \`churn-labs start --simulate\`), or pass --context.`;
  }
  if (
    /Unable to connect to the server|connection refused|no such host|i\/o timeout|dial tcp|EOF$|the server could not find the requested resource \(get namespaces\)|couldn't get current server API group list|was refused/i.test(
      text,
    )
  ) {
    return `The cluster of context ${target.context} is not reachable (${firstLine(text)}). Start it with \`churn-labs up\`, or \`churn-labs sim serve\` for the simulated cluster.`;
  }
  if (/error loading config file|invalid configuration|no configuration has been provided/i.test(text)) {
    return `kubectl cannot read the kubeconfig (${firstLine(text)}). Check --kubeconfig or $KUBECONFIG.`;
  }
  return undefined;
}

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .find((line) => line.trim() !== '') ?? ''
  )
    .replace(/^(E\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] )/, '')
    .trim();
}
