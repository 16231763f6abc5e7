import type { Store } from './store.js';

/**
 * What the simulated cluster's API server needs from the part that runs pods (the "kubelet" and
 * controllers): where a pod's port answers, where its logs are, what it uses. The API server
 * (src/sim/server/) consumes this; src/sim/controllers/ implements it.
 */
export interface Runtime {
  /** Where a running pod's container port answers on this machine (for the pods and services proxy). */
  address(namespace: string, pod: string, port: number | string): { host: string; port: number } | undefined;
  /**
   * Where `kubectl port-forward` reaches a pod's port: only a port the pod's running containers
   * listen on (undefined: nothing does, the connection is refused). Without it, `address` is used.
   */
  forwardAddress?(namespace: string, pod: string, port: number): { host: string; port: number } | undefined;
  /**
   * The file holding a container's log: the current instance, or the one before the last restart
   * (`kubectl logs --previous`). Undefined when there is none.
   */
  logFile(namespace: string, pod: string, container: string, previous?: boolean): string | undefined;
  /** What a pod's containers use now, as metrics-server reports it (metrics.k8s.io). */
  usage(
    namespace: string,
    pod: string,
  ): { container: string; cpuMillicores: number; memoryBytes: number }[] | undefined;
  /**
   * Runs a command inside a pod's container (`kubectl exec`), when the runtime can; resolves with
   * its output and exit code, or undefined when exec is not possible for that container.
   */
  exec?(
    namespace: string,
    pod: string,
    container: string,
    command: string[],
  ): Promise<{ stdout: string; stderr: string; exitCode: number } | undefined>;
}

export interface ControllerOptions {
  /** The simulator's state folder (volumes, logs, pod working folders live below it). */
  stateDir: string;
  /** How much faster than real time CronJob schedules run (1 = real time). */
  timeScale?: number;
}

/** Started by the simulator's main: every controller and the pod runtime, stopped together. */
export interface Controllers {
  runtime: Runtime;
  /** Ends every controller loop and every pod process. */
  stop(): Promise<void>;
}

export type StartControllers = (store: Store, options: ControllerOptions) => Controllers;
