import { readLastLab } from '../files/last-lab.js';
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
import { metricsApiStep, metricsServerStep } from './environment/metrics.js';
import { preflightStep, simPreflightStep } from './environment/preflight.js';
import {
  nodePlatformsStep,
  registryBuildStep,
  registryFacts,
  registryPreflightStep,
  registryPushStep,
  registryRef,
} from './environment/registry.js';
import { smokeStep } from './environment/smoke.js';
import { LAB_IMAGES, type LabImage, packageSources } from './environment/sources.js';
import { commandLine, runSteps, type Step, StepFailed, type StepIO } from './environment/steps.js';
import { storageClassStep } from './environment/storage.js';
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
  // The terminal app brings the lab up again without options: off kind, the registry and class are
  // those `up` was given last time for this context.
  const last = options.registry === undefined ? readLastLab(lab.paths.lastLab) : undefined;
  if (last?.context === lab.target.context && last.registry)
    options = {
      ...options,
      registry: last.registry,
      storageClass: options.storageClass ?? last.storageClass,
    };
  const rendered: NonNullable<UpResult['lab']> = {};
  const result = await runSteps(planSteps(lab, options, rendered), options.onEvent, options.signal);
  return lab.target.context === SIM_CONTEXT || lab.target.context === DEFAULT_CONTEXT
    ? result
    : { ...result, lab: rendered };
}

function planSteps(
  lab: LabEnvironment,
  options: Omit<UpOptions, 'onEvent' | 'signal'>,
  rendered: NonNullable<UpResult['lab']>,
): Step[] {
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

  let context: Promise<BuildContext> | undefined;
  const buildContext = () => {
    context ??= readBuildContext(sources, lab.paths.home);
    // A failed read (a missing Dockerfile) must be retried by the next step, not remembered.
    context.catch(() => {
      context = undefined;
    });
    return context;
  };
  if (target.context !== DEFAULT_CONTEXT)
    return anyClusterSteps(lab, options, rendered, {
      sources,
      timeouts,
      buildContext,
      confirmOverwrite: options.confirmOverwrite,
    });

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

/**
 * A cluster that is not kind (nor the simulated one): no kind, no loading. The images are built for
 * the nodes' platforms and pushed to the registry, the claims take a class the cluster has, the
 * metrics API is checked (and metrics-server installed only when allowed), and the workspace
 * manifests are rendered for that registry and class.
 */
function anyClusterSteps(
  lab: LabEnvironment,
  options: Omit<UpOptions, 'onEvent' | 'signal'>,
  rendered: NonNullable<UpResult['lab']>,
  shared: {
    sources: ReturnType<typeof packageSources>;
    timeouts: UpTimeouts;
    buildContext: () => Promise<BuildContext>;
    confirmOverwrite: UpOptions['confirmOverwrite'];
  },
): Step[] {
  const { target } = lab;
  const { registry } = options;
  if (!registry)
    return [
      {
        id: 'preflight',
        title: 'Checking the target cluster',
        async run() {
          throw new StepFailed(
            `Context ${target.context} is neither churn-labs' kind cluster (${DEFAULT_CONTEXT}) nor the simulated one (${SIM_CONTEXT}): its nodes can only pull the lab's images from a registry.`,
            `Run churn-labs up --context ${target.context} --registry REGISTRY (a registry you can push to and the cluster can pull from, like ghcr.io/my-org), or churn-labs up without --context for kind.`,
          );
        },
      },
    ];
  rendered.registry = registry;
  const upCommand = `churn-labs up --context ${target.context} --registry ${registry}`;
  const facts = registryFacts();
  const shownDir = buildContextDir(lab.paths.home);
  const manifestTarget = (): WorkspaceTarget => ({
    ...workspaceTarget(lab),
    registry,
    ...(rendered.storageClass !== undefined ? { storageClass: rendered.storageClass } : {}),
  });
  return [
    registryPreflightStep(target, facts.setEngine),
    nodePlatformsStep(target, facts.setPlatforms),
    ...LAB_IMAGES.map((image) =>
      registryBuildStep(image, registry, shared.buildContext, facts.get, shownDir),
    ),
    ...LAB_IMAGES.map((image) => registryPushStep(image, registry, facts.get)),
    storageClassStep(target, options.storageClass, upCommand, (storageClass) => {
      rendered.storageClass = storageClass;
    }),
    metricsApiStep(target, shared.sources, shared.timeouts, options.confirmInstall, upCommand),
    // The workspace is rendered with the class the storage step chose, known only once it ran.
    workspaceStep(lab.paths.workspace, shared.sources, shared.confirmOverwrite, manifestTarget),
    smokeStep(target, shared.timeouts, registryRef(JOBS_IMAGE, registry)),
  ];
}

const JOBS_IMAGE = LAB_IMAGES.find((image) => image.slug.startsWith('churn-ml-')) as LabImage;

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
