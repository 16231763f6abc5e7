import { imagePrefix } from '../../files/render-manifests.js';
import { type DockerInfo, docker, dockerInfo, podman } from '../docker.js';
import { osFix } from '../doctor.js';
import { type ClusterTarget, kubectl, targetFlags } from '../kubectl.js';
import { outputTail, type ToolResult } from '../tool.js';
import { toolFailure } from './failures.js';
import {
  assembleBuildContext,
  type BuildContext,
  baseImage,
  buildArgsAndContext,
  contextHash,
} from './images.js';
import { CONTEXT_HASH_LABEL, type LabImage } from './sources.js';
import { commandLine, type Step, StepFailed, type StepIO } from './steps.js';

/**
 * `up --context NAME --registry R` on a cluster that is not kind: nothing can be loaded into its
 * nodes, so each image is built for the nodes' architectures, named R/churn-labs/<image>, and
 * pushed; the cluster pulls it from there.
 */
const BUILD_TIMEOUT_MS = 20 * 60_000;
const PUSH_TIMEOUT_MS = 10 * 60_000;

/** The image as the cluster pulls it: `<registry>/churn-labs/churn-api:0.1.0`. */
export function registryRef(image: LabImage, registry: string): string {
  return `${imagePrefix(registry)}/${image.ref.slice(image.ref.indexOf('/') + 1)}`;
}

/**
 * Why a --registry value cannot name where images go, or undefined when it can: a host with an
 * optional port and path (localhost:5001, ghcr.io/acme, europe-docker.pkg.dev/p/repo, docker.io/me).
 */
export function registryProblem(registry: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry))
    return `give the registry without a scheme: ${registry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}`;
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(registry))
    return 'give a registry host and optional path in lowercase, like localhost:5001 or ghcr.io/my-org';
  return undefined;
}

/** The registry's host, as `docker login` takes it (none for Docker Hub). */
export function registryHost(registry: string): string | undefined {
  const first = registry.split('/')[0] ?? registry;
  const isHost = registry.includes('/')
    ? first.includes('.') || first.includes(':') || first === 'localhost'
    : true;
  if (!isHost || first === 'docker.io' || first === 'index.docker.io') return undefined;
  return first;
}

/** What builds and pushes: Docker, Podman answering as `docker` (podman-docker), or `podman` itself. */
export interface Engine {
  podman: boolean;
  command: 'docker' | 'podman';
}

const engineTool = (engine: Engine) => (engine.command === 'podman' ? podman : docker);
const run = (io: StepIO, engine: Engine, args: string[], timeoutMs?: number) =>
  io.run(commandLine(engine.command, args), (o) =>
    engineTool(engine)(args, timeoutMs ? { ...o, timeoutMs } : o),
  );

const loginCommand = (engine: Engine, registry: string) =>
  [engine.podman ? 'podman login' : 'docker login', registryHost(registry)].filter(Boolean).join(' ');

/** Docker (or Podman) answers, and kubectl is there; no kind. */
export function registryPreflightStep(target: ClusterTarget, onEngine: (engine: Engine) => void): Step {
  return {
    id: 'preflight',
    title: 'Checking Docker and kubectl',
    command: `${commandLine('docker', ['info', '--format', '{{json .}}'])}; kubectl version --client`,
    async run(io) {
      const versionArgs = ['version', '--client', '-o', 'json'];
      const client = await io.run(commandLine('kubectl', versionArgs), (o) =>
        kubectl(target, versionArgs, o),
      );
      const kubectlVersion = /"gitVersion":\s*"([^"]+)"/.exec(client.stdout)?.[1];
      if (!client.ok || !kubectlVersion)
        throw new StepFailed(
          client.missing ? 'kubectl is not installed.' : 'kubectl did not report its version.',
          osFix('kubectl'),
          client.stderr.trim() || undefined,
        );
      let info: DockerInfo | undefined;
      const infoArgs = ['info', '--format', '{{json .}}'];
      const readInfo = (tool: 'docker' | 'podman') =>
        io.run(commandLine(tool, infoArgs), async (o) => {
          const answer = await dockerInfo(o, tool === 'podman' ? podman : docker);
          info = answer.info;
          return answer.result;
        });
      let read = await readInfo('docker');
      // No docker: Podman builds and pushes as well, where it is the engine.
      if (read.missing) {
        read = await readInfo('podman');
        if (read.missing)
          throw new StepFailed(
            'Neither docker nor podman is installed (not found on PATH): one of them builds the images and pushes them to the registry.',
            osFix('docker'),
          );
        if (info?.podman) {
          onEngine({ podman: true, command: 'podman' });
          return { outcome: 'ok', detail: `Podman ${info.podman}; kubectl ${kubectlVersion}` };
        }
        throw new StepFailed(
          'podman did not answer with its version.',
          'Check podman info, then run churn-labs up again.',
          outputTail(read),
        );
      }
      if (info?.podman) {
        onEngine({ podman: true, command: 'docker' });
        return { outcome: 'ok', detail: `Podman ${info.podman} (as docker); kubectl ${kubectlVersion}` };
      }
      if (!info?.serverVersion)
        throw toolFailure(
          { ...read, ok: false, stderr: `${read.stderr}\n${info?.errors.join('\n') ?? ''}` },
          'asking Docker for its version',
        );
      onEngine({ podman: false, command: 'docker' });
      return { outcome: 'ok', detail: `Docker ${info.serverVersion}; kubectl ${kubectlVersion}` };
    },
  };
}

/**
 * The nodes' platforms (linux/amd64, linux/arm64), read in one kubectl call; the step that reads
 * them is also the one that says the cluster does not answer.
 */
export function nodePlatformsStep(target: ClusterTarget, onPlatforms: (platforms: string[]) => void): Step {
  const args = [
    'get',
    'nodes',
    '-o',
    'jsonpath={range .items[*]}{.status.nodeInfo.operatingSystem}/{.status.nodeInfo.architecture}{"\\n"}{end}',
  ];
  return {
    id: 'cluster',
    title: `Cluster of context ${target.context}`,
    command: commandLine('kubectl', [...targetFlags(target), ...args]),
    async run(io) {
      const read = await io.run(commandLine('kubectl', [...targetFlags(target), ...args]), (o) =>
        kubectl(target, args, { ...o, timeoutMs: 30_000 }),
      );
      if (!read.ok)
        throw new StepFailed(
          /forbidden/i.test(read.stderr)
            ? `Context ${target.context} may not list the cluster's nodes, which up reads to build the images for them.`
            : `The cluster of context ${target.context} does not answer (kubectl get nodes failed).`,
          /forbidden/i.test(read.stderr)
            ? "Run churn-labs up with the cluster administrator's context (a learner's context cannot bring the lab up)."
            : `Check the context: kubectl cluster-info --context ${target.context}. Then run churn-labs up again.`,
          outputTail(read),
        );
      const all = read.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const platforms = [...new Set(all.filter((p) => p.startsWith('linux/')))].sort();
      if (platforms.length === 0)
        throw new StepFailed(
          all.length === 0
            ? `The cluster of context ${target.context} has no nodes to run the lab on.`
            : `The cluster of context ${target.context} has no Linux nodes (only ${[...new Set(all)].join(', ')}): the lab's images are Linux images.`,
          'Add a Linux node to the cluster, then run churn-labs up again.',
        );
      onPlatforms(platforms);
      // Only read: a second up that finds everything in place says so.
      return {
        outcome: 'skipped',
        detail: `${all.length} node${all.length === 1 ? '' : 's'} (${platforms.join(', ')}); images are built for ${platforms.length === 1 ? 'it' : 'them'}`,
      };
    },
  };
}

/**
 * Builds an image for the nodes' platforms. One platform: `docker build --platform`, then `docker
 * push` (the next step); skipped when Docker already has it built from the same context for that
 * platform. Several: `docker buildx build --platform a,b --push`, which builds and pushes at once
 * (a multi-platform image cannot be kept in Docker's classic image store).
 */
export function registryBuildStep(
  image: LabImage,
  registry: string,
  context: () => Promise<BuildContext>,
  facts: () => { platforms: string[]; engine: Engine },
  shownDir = '<build context>',
): Step {
  const ref = registryRef(image, registry);
  const common = (hash: string, dir: string) => ['-t', ref, ...buildArgsAndContext(image, hash, dir)];
  return {
    id: `build-${image.slug}`,
    title: `Building image ${ref}`,
    command: commandLine('docker', ['build', '--platform', '<node platform>', ...common('<hash>', shownDir)]),
    async run(io) {
      const { platforms, engine } = facts();
      const ctx = await context();
      const hash = contextHash(ctx, image);
      if (platforms.length > 1) {
        if (engine.podman)
          throw new StepFailed(
            `The cluster's nodes are of ${platforms.length} platforms (${platforms.join(', ')}), and churn-labs builds an image for several platforms only with Docker's buildx, not with Podman.`,
            'Use Docker with buildx (docker buildx version), or run the lab on nodes of one platform.',
          );
        await assembleBuildContext(ctx);
        const args = ['buildx', 'build', '--platform', platforms.join(','), ...common(hash, ctx.dir)];
        args.splice(args.length - 1, 0, '--push');
        const built = await run(io, engine, args, BUILD_TIMEOUT_MS);
        if (!built.ok) throw buildFailure(built, ref, ctx, platforms, engine, registry);
        return { outcome: 'ok', detail: `built ${ref} for ${platforms.join(', ')} and pushed it` };
      }
      const platform = platforms[0] as string;
      const format = `{{ index .Config.Labels "${CONTEXT_HASH_LABEL}" }} {{.Os}}/{{.Architecture}}`;
      const inspectArgs = ['image', 'inspect', '--format', format, ref];
      const existing = await run(io, engine, inspectArgs);
      if (existing.ok && existing.stdout.trim() === `${hash} ${platform}`)
        return { outcome: 'skipped', detail: `${ref} is up to date (same build context, ${platform})` };
      if (!existing.ok && !/no such (image|object)|image not known/i.test(existing.stderr))
        throw toolFailure(existing, `looking for image ${ref}`);
      await assembleBuildContext(ctx);
      const args = ['build', '--platform', platform, ...common(hash, ctx.dir)];
      const built = await run(io, engine, args, BUILD_TIMEOUT_MS);
      if (!built.ok) throw buildFailure(built, ref, ctx, platforms, engine, registry);
      return { outcome: 'ok', detail: `built ${ref} for ${platform}` };
    },
  };
}

function buildFailure(
  built: ToolResult,
  ref: string,
  ctx: BuildContext,
  platforms: string[],
  engine: Engine,
  registry: string,
): StepFailed {
  const text = `${built.stdout}\n${built.stderr}`;
  const tail = outputTail(built);
  if (
    /'buildx' is not a docker command|unknown command: docker buildx|docker: unknown command "buildx"/i.test(
      text,
    )
  )
    return new StepFailed(
      `Building ${ref} for ${platforms.join(', ')} needs Docker's buildx plugin, which this Docker does not have.`,
      "Install it (Docker Desktop has it; on Linux the docker-buildx-plugin package from Docker's repository), check with docker buildx version, then run churn-labs up again.",
      tail,
    );
  if (
    /Multi-platform build is not supported for the docker driver|multiple platforms feature is currently not supported/i.test(
      text,
    )
  )
    return new StepFailed(
      `Docker's default builder cannot build ${ref} for several platforms (${platforms.join(', ')}) with the classic image store.`,
      'Create a builder that can, and run churn-labs up again: docker buildx create --name churn-labs --driver docker-container --use (or turn on the containerd image store in Docker).',
      tail,
    );
  if (/exec format error/i.test(text))
    return new StepFailed(
      `This machine cannot run the build steps of ${ref} for ${platforms.join(', ')}: building for another CPU needs emulation (QEMU), which is not set up.`,
      'Set it up once with docker run --privileged --rm tonistiigi/binfmt --install all (Docker Desktop has it), then run churn-labs up again.',
      tail,
    );
  const refused = pushRefusal(text, ref, registry, engine);
  if (refused) return new StepFailed(refused.detail, refused.fix, tail);
  if (
    /failed to (resolve|fetch|do request)|pull access denied|TLS handshake|no such host/i.test(text) &&
    /NODE_IMAGE|node:|library\/node/i.test(text)
  )
    return new StepFailed(
      `Docker could not download the base image ${baseImage(ctx)} for ${ref}.`,
      `Check your internet connection (docker pull ${baseImage(ctx)} should work), then run churn-labs up again.`,
      tail,
    );
  return toolFailure(built, `building ${ref}`);
}

/** Pushes the image built for the one platform of the nodes (a multi-platform build pushed itself). */
export function registryPushStep(
  image: LabImage,
  registry: string,
  facts: () => { platforms: string[]; engine: Engine },
): Step {
  const ref = registryRef(image, registry);
  const args = ['push', ref];
  return {
    id: `push-${image.slug}`,
    title: `Pushing ${ref}`,
    command: commandLine('docker', args),
    async run(io) {
      const { platforms, engine } = facts();
      if (platforms.length > 1)
        return {
          outcome: 'skipped',
          detail: `pushed by docker buildx build --push (${platforms.join(', ')})`,
        };
      const pushed = await run(io, engine, args, PUSH_TIMEOUT_MS);
      if (!pushed.ok) {
        const refused = pushRefusal(`${pushed.stdout}\n${pushed.stderr}`, ref, registry, engine);
        if (refused) throw new StepFailed(refused.detail, refused.fix, outputTail(pushed));
        throw toolFailure(pushed, `pushing ${ref}`);
      }
      // Docker lists each layer: "Pushed", or "Layer already exists" when the registry has it;
      // Podman, on stderr: "Copying blob sha256:… done", or "… skipped: already exists".
      const layers = `${pushed.stdout}\n${pushed.stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^([0-9a-f]{6,}: (Pushed|Layer already exists|Mounted from)|Copying blob )/.test(l));
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
      if (layers.length > 0 && layers.every((l) => /Layer already exists|skipped: already exists/.test(l)))
        return {
          outcome: 'skipped',
          detail: `the registry already has ${ref}${digest ? ` (${digest.slice(0, 19)}…)` : ''}`,
        };
      return { outcome: 'ok', detail: `pushed ${ref}${digest ? ` (${digest.slice(0, 19)}…)` : ''}` };
    },
  };
}

/** A registry that refused or could not be reached, in a sentence and what to do. */
function pushRefusal(
  text: string,
  ref: string,
  registry: string,
  engine: Engine,
): { detail: string; fix: string } | undefined {
  const where = registryHost(registry) ?? 'Docker Hub';
  if (
    /unauthorized|authentication required|requested access to the resource is denied|no basic auth credentials|insufficient_scope|denied: |403 Forbidden|Unauthenticated request/i.test(
      text,
    )
  )
    return {
      detail: `${where} refused to take ${ref}: this machine is not logged in to it, or the account may not push there.`,
      fix: `Log in with ${loginCommand(engine, registry)} (an account that may push to ${registry}), then run churn-labs up again with the same --registry.`,
    };
  if (/server gave HTTP response to HTTPS client/i.test(text))
    return {
      detail: `The registry ${where} speaks plain HTTP, and ${engine.podman ? 'Podman' : 'Docker'} pushes only over HTTPS unless told otherwise.`,
      fix: engine.podman
        ? `Mark it insecure in /etc/containers/registries.conf ([[registry]] location = "${where}", insecure = true), then run churn-labs up again; the cluster's nodes must be told the same.`
        : `Add it to Docker's daemon.json ("insecure-registries": ["${where}"]) and restart Docker, then run churn-labs up again; the cluster's nodes must be told the same.`,
    };
  if (
    /no such host|connection refused|i\/o timeout|dial tcp|TLS handshake timeout|network is unreachable/i.test(
      text,
    )
  )
    return {
      detail: `The registry ${where} could not be reached to push ${ref}.`,
      fix: `Check the --registry value and that ${where} answers from this machine (curl -sI https://${where}/v2/), then run churn-labs up again.`,
    };
  return undefined;
}

/** Reads the engine and platforms the build and push steps need, set by the steps that learn them. */
export function registryFacts() {
  let platforms: string[] = [];
  let engine: Engine = { podman: false, command: 'docker' };
  return {
    setPlatforms: (p: string[]) => {
      platforms = p;
    },
    setEngine: (e: Engine) => {
      engine = e;
    },
    get: () => ({ platforms, engine }),
  };
}
