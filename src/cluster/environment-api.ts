/**
 * What bringing the lab environment up reports as it goes, so that the terminal app can show each
 * step with a spinner, its command and its time, and the plain `up` command can print lines.
 * Implemented by src/cluster/environment.ts; consumed by src/commands/up.ts and src/tui/.
 */
export type UpEvent =
  | { type: 'step-start'; id: string; title: string; command?: string }
  | { type: 'step-output'; id: string; chunk: string }
  | {
      type: 'step-end';
      id: string;
      /** ok: done; skipped: nothing to do (already there); failed: see detail and fix. */
      outcome: 'ok' | 'skipped' | 'failed';
      ms: number;
      /** One line on what happened ("image churn-labs/churn-api:0.1.0 already loaded"). */
      detail?: string;
      /** On failure: what to do, in a sentence (e.g. the docker start command for this OS). */
      fix?: string;
      /** On failure: the last lines of the command's output. */
      outputTail?: string;
    }
  | { type: 'notice'; message: string };

export interface UpResult {
  ok: boolean;
  /** The step that failed, if any. */
  failedStep?: string;
  /** The run was interrupted (the signal fired); the next `up` picks up where it stopped. */
  canceled?: boolean;
  /** Every step that ran, in order, with how it ended. */
  steps?: { id: string; title: string; outcome: 'ok' | 'skipped' | 'failed'; detail?: string }[];
  /** Off kind: what the lab's manifests were rendered with, for lab.json. */
  lab?: { registry?: string; storageClass?: string };
}

export interface UpOptions {
  signal?: AbortSignal;
  onEvent: (event: UpEvent) => void;
  /** Ask before overwriting the learner's edited files in the workspace; without it, keep theirs. */
  confirmOverwrite?: (files: string[]) => Promise<boolean>;
  /**
   * Asked before deleting a kind cluster whose API does not answer (it may hold the learner's
   * namespace and data). Without it such a cluster is never deleted: `up` fails with what to run.
   */
  confirmRecreate?: (question: string) => Promise<boolean>;
  /** On a cluster that is not kind: the registry the images are pushed to (`up --registry`). */
  registry?: string;
  /** On a cluster that is not kind: the class the claims take in place of kind's `standard`. */
  storageClass?: string;
  /**
   * Asked before installing metrics-server on a cluster that is not kind and lacks the metrics API
   * (true with --yes). Without it nothing is installed: `up` says which exercises cannot pass.
   */
  confirmInstall?: (question: string) => Promise<boolean>;
  /** The package folder holding manifests/, docker/ and dist/ (default: this package's own). */
  packageDir?: string;
  /** Overrides of how long to wait, in milliseconds (defaults suit a laptop; tests shorten them). */
  timeouts?: Partial<UpTimeouts>;
}

export interface UpTimeouts {
  /** An existing cluster's API must answer within this long when its node was running all along. */
  clusterHealthMs: number;
  /**
   * How long a node that is starting (after a reboot, a Docker restart, or `docker start`) may take
   * before its API answers: minutes on a slow laptop.
   */
  clusterStartMs: number;
  /** metrics-server's Deployment available, then the metrics API answering. */
  metricsMs: number;
  /** The smoke-test pod runs to completion. */
  smokeMs: number;
  /** How often to look again while waiting. */
  pollMs: number;
}
