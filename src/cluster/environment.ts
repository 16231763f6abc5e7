import { MANIFEST_NAMESPACE } from '../files/render-manifests.js';
import type { Lab } from '../lab.js';
import type { DockerInfo } from './docker.js';
import { classroomNamespaceStep } from './environment/classroom.js';
import { kindClusterStep, kindClusters, kindKubeconfigArgs, simClusterStep } from './environment/cluster.js';
import { toolFailure } from './environment/failures.js';
import {
  type BuildContext,
  buildContextDir,
  buildImageStep,
  dockerFactsReader,
  imageArchiveDir,
  loadImageStep,
  nodeImagesReader,
  readBuildContext,
} from './environment/images.js';
import { metricsServerStep } from './environment/metrics.js';
import { preflightStep, simPreflightStep } from './environment/preflight.js';
import { smokeStep } from './environment/smoke.js';
import { LAB_IMAGES, packageSources } from './environment/sources.js';
import { commandLine, runSteps, type Step, StepFailed, type StepIO } from './environment/steps.js';
import { type WorkspaceTarget, workspaceStep } from './environment/workspace.js';
import type { UpOptions, UpResult, UpTimeouts } from './environment-api.js';
import { CLUSTER_NAME, kind } from './kind.js';
import { DEFAULT_CONTEXT, SIM_CONTEXT } from './kubectl.js';

export { SMOKE_NAMESPACE } from './environment/smoke.js';
export { WORKSPACE_STATE } from './environment/workspace.js';
export type { UpEvent, UpOptions, UpResult, UpTimeouts } from './environment-api.js';

/** What `up` and `down` need of the lab: the cluster to talk to and the state folder. */
export type LabEnvironment = Pick<Lab, 'target' | 'paths'> &
  Partial<Pick<Lab, 'namespace' | 'registry' | 'storageClass' | 'classroom'>>;

/** How the lab's workspace manifests are rendered: its namespace, registry and StorageClass. */
export const workspaceTarget = (lab: LabEnvironment): WorkspaceTarget => ({
  namespace: lab.namespace ?? MANIFEST_NAMESPACE,
  ...(lab.registry !== undefined ? { registry: lab.registry } : {}),
  ...(lab.storageClass !== undefined ? { storageClass: lab.storageClass } : {}),
  ...(lab.classroom !== undefined ? { classroom: true } : {}),
});

export const DEFAULT_TIMEOUTS: UpTimeouts = {
  clusterHealthMs: 20_000,
  clusterStartMs: 300_000,
  metricsMs: 240_000,
  smokeMs: 180_000,
  pollMs: 1_000,
};

/**
 * Brings the lab environment up, step by step, reporting each through `options.onEvent`:
 * preflight, the kind cluster, the images built and loaded, metrics-server, the workspace, and a
 * smoke test. Every step first looks at what is already there, so a second run changes nothing
 * and a run after an interruption picks up where the last one stopped. Against the simulated
 * cluster (context churn-labs-sim) kind, Docker and metrics-server are skipped.
 */
export async function up(lab: LabEnvironment, options: UpOptions): Promise<UpResult> {
  return runSteps(planSteps(lab, options), options.onEvent, options.signal);
}

function planSteps(lab: LabEnvironment, options: Omit<UpOptions, 'onEvent' | 'signal'>): Step[] {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const sources = packageSources(options.packageDir);
  const { target } = lab;
  const workspace = workspaceStep(
    lab.paths.workspace,
    sources,
    options.confirmOverwrite,
    workspaceTarget(lab),
  );
  const smoke = smokeStep(target, timeouts);

  if (target.context === SIM_CONTEXT)
    return [
      simPreflightStep(target),
      simClusterStep(target, timeouts),
      skipped(
        'images',
        'Workload images',
        'the simulated cluster runs churn-mlops from this package: no images',
      ),
      skipped('metrics-server', 'metrics-server', 'the simulated cluster serves the metrics API itself'),
      workspace,
      smoke,
    ];

  // A classroom learner: the instructor made the namespace and everything cluster-wide.
  if (lab.classroom)
    return [
      simPreflightStep(target),
      classroomNamespaceStep(target, lab.namespace ?? MANIFEST_NAMESPACE),
      workspace,
    ];

  if (target.context !== DEFAULT_CONTEXT)
    return [
      {
        id: 'preflight',
        title: 'Checking the target cluster',
        async run() {
          throw new StepFailed(
            `churn-labs up brings up its own kind cluster (context ${DEFAULT_CONTEXT}) or the simulated one (context ${SIM_CONTEXT}), not context ${target.context}.`,
            `Run churn-labs up without --context, or with --context ${SIM_CONTEXT} while churn-labs sim serve runs.`,
          );
        },
      },
    ];

  let context: Promise<BuildContext> | undefined;
  const buildContext = () => {
    context ??= readBuildContext(sources, lab.paths.home);
    // A failed read (a missing Dockerfile) must be retried by the next step, not remembered.
    context.catch(() => {
      context = undefined;
    });
    return context;
  };
  // Docker's image store and the node's images, read once for all three images (the store from
  // the preflight's own docker info).
  let daemon: DockerInfo | undefined;
  const readFacts = dockerFactsReader(() => daemon);
  const readNode = nodeImagesReader();
  return [
    preflightStep((info) => {
      daemon = info;
    }),
    kindClusterStep(target, sources, timeouts, {
      home: lab.paths.home,
      confirmRecreate: options.confirmRecreate,
    }),
    ...LAB_IMAGES.map((image) =>
      buildImageStep(image, buildContext, buildContextDir(lab.paths.home), readFacts),
    ),
    ...LAB_IMAGES.map((image) => loadImageStep(image, imageArchiveDir(lab.paths.home), readFacts, readNode)),
    metricsServerStep(target, sources, timeouts),
    workspace,
    smoke,
  ];
}

function skipped(id: string, title: string, detail: string): Step {
  return { id, title, run: async () => ({ outcome: 'skipped', detail }) };
}

export type DownResult =
  | { outcome: 'deleted' | 'absent' | 'declined' }
  | { outcome: 'failed'; message: string; fix: string; outputTail?: string };

/**
 * Deletes the kind cluster churn-labs (and kind's kubeconfig entry for it) after `confirm` says
 * yes; the workspace and progress stay. Nothing is asked when there is no cluster to delete.
 */
export async function down(
  lab: LabEnvironment,
  options: { confirm: () => Promise<boolean>; signal?: AbortSignal; onOutput?: (chunk: string) => void },
): Promise<DownResult> {
  const io: Pick<StepIO, 'run'> = {
    run: (shown, call) => {
      options.onOutput?.(`$ ${shown}\n`);
      return call({ signal: options.signal });
    },
  };
  try {
    if (!(await kindClusters(io)).includes(CLUSTER_NAME)) return { outcome: 'absent' };
    if (!(await options.confirm())) return { outcome: 'declined' };
    const args = ['delete', 'cluster', '--name', CLUSTER_NAME, ...kindKubeconfigArgs(lab.target)];
    const result = await io.run(commandLine('kind', args), (o) =>
      kind(args, { ...o, onOutput: options.onOutput }),
    );
    if (!result.ok) throw toolFailure(result, `deleting the kind cluster ${CLUSTER_NAME}`);
    return { outcome: 'deleted' };
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return { outcome: 'failed', message: error.detail, fix: error.fix ?? '', outputTail: error.outputTail };
  }
}
