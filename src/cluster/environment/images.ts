import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type DockerInfo, docker, dockerInfo } from '../docker.js';
import { osFix } from '../doctor.js';
import { currentHostOs } from '../host.js';
import { CLUSTER_NAME, kind } from '../kind.js';
import { outputTail, type ToolResult } from '../tool.js';
import { NODE_CONTAINER } from './cluster.js';
import { pullLimitFailure, toolFailure } from './failures.js';
import { CONTEXT_HASH_LABEL, type LabImage, type PackageSources, requireFile } from './sources.js';
import { commandLine, type Step, StepFailed, type StepIO } from './steps.js';

const BUILD_TIMEOUT_MS = 20 * 60_000;

/**
 * The build context, as docker/Dockerfile expects it: the Dockerfile and its .dockerignore beside
 * the bundled workload, churn-mlops.js (from the package's dist/). Read once per `up`.
 */
export interface BuildContext {
  files: { relative: string; source: string; content: Buffer }[];
  /** Where the context is assembled, in the state folder. */
  dir: string;
}

export async function readBuildContext(sources: PackageSources, stateDir: string): Promise<BuildContext> {
  const entries = [
    {
      relative: 'Dockerfile',
      source: requireFile(join(sources.dockerDir, 'Dockerfile'), 'docker/Dockerfile'),
    },
    {
      relative: 'churn-mlops.js',
      source: requireFile(sources.workload, 'The bundled workload (dist/churn-mlops.js)'),
    },
  ];
  const ignore = join(sources.dockerDir, '.dockerignore');
  if (existsSync(ignore)) entries.push({ relative: '.dockerignore', source: ignore });
  const files = await Promise.all(entries.map(async (e) => ({ ...e, content: await readFile(e.source) })));
  return { files, dir: buildContextDir(stateDir) };
}

/** The hash an image is labelled with: its context, its build arguments and its name. */
export function contextHash(context: BuildContext, image: LabImage): string {
  const hash = createHash('sha256');
  for (const file of context.files) hash.update(`${file.relative}\0`).update(file.content).update('\0');
  hash.update(JSON.stringify([image.ref, Object.entries(image.buildArgs).sort()]));
  return hash.digest('hex').slice(0, 32);
}

/** Lays the build context out in its folder, as `docker build` (or any builder) reads it. */
export async function assembleBuildContext(context: BuildContext): Promise<void> {
  // Rebuilt from nothing each time, so that an interrupted copy never leaks into an image.
  await rm(context.dir, { recursive: true, force: true });
  for (const file of context.files) {
    const target = join(context.dir, file.relative);
    await mkdir(join(target, '..'), { recursive: true });
    await copyFile(file.source, target);
  }
}

export const buildContextDir = (stateDir: string) => join(stateDir, 'build', 'context');
/** Where an image is saved for `kind load image-archive`, and removed once loaded. */
export const imageArchiveDir = (stateDir: string) => join(stateDir, 'build', 'images');

/**
 * What the image steps need to know of Docker, read once per `up`: which image store it uses and
 * the node's platform. The containerd image store (Docker Desktop's default for new installs,
 * Docker Engine 29's on fresh installs) changes how images must be built, saved and compared.
 */
export type DockerFacts = Pick<DockerInfo, 'containerdStore' | 'platform'> & {
  /** Docker Desktop (its settings are in its window, on Linux too), not Docker Engine. */
  desktop?: boolean;
};

/** `known`: what the preflight's doctor already read of the daemon, so it is not asked twice. */
export function dockerFactsReader(
  known?: () => DockerInfo | undefined,
): (io: StepIO) => Promise<DockerFacts> {
  let facts: Promise<DockerFacts> | undefined;
  const factsOf = (info: DockerInfo): DockerFacts => ({
    containerdStore: info.containerdStore,
    platform: info.platform,
    desktop: info.operatingSystem === 'Docker Desktop',
  });
  return (io) => {
    const seen = known?.();
    if (seen?.serverVersion) return Promise.resolve(factsOf(seen));
    facts ??= (async () => {
      const shown = commandLine('docker', ['info', '--format', '{{json .}}']);
      let info: DockerInfo | undefined;
      const result = await io.run(shown, async (o) => {
        const read = await dockerInfo(o);
        info = read.info;
        return read.result;
      });
      if (!info?.serverVersion)
        throw toolFailure(
          { ...result, ok: false, stderr: `${result.stderr}\n${info?.errors.join('\n') ?? ''}` },
          'asking Docker which image store it uses',
        );
      return factsOf(info);
    })();
    // A failed read must be tried again by the next step, not remembered.
    facts.catch(() => {
      facts = undefined;
    });
    return facts;
  };
}

/** The base image the Dockerfile names by default (ARG NODE_IMAGE=…), for messages. */
export function baseImage(context: BuildContext): string {
  const dockerfile = context.files.find((f) => f.relative === 'Dockerfile')?.content.toString() ?? '';
  return /^ARG NODE_IMAGE=(\S+)/m.exec(dockerfile)?.[1] ?? /^FROM (\S+)/m.exec(dockerfile)?.[1] ?? 'node';
}

/**
 * On the containerd store `docker build` attaches provenance attestations and may build an index,
 * which `docker save` then writes naming manifests kind's import cannot find: build for the node's
 * platform only, without attestations (as kind documents). The classic store needs none of it, and
 * its legacy builder does not know these flags.
 */
function storeFlags(facts: DockerFacts): string[] {
  if (!facts.containerdStore) return [];
  return [...(facts.platform ? ['--platform', facts.platform] : []), '--provenance=false', '--sbom=false'];
}

/** How every build of a lab image ends: its build args, the label with its context's hash, the context. */
export const buildArgsAndContext = (image: LabImage, hash: string, dir: string): string[] => [
  ...Object.entries(image.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
  '--label',
  `${CONTEXT_HASH_LABEL}=${hash}`,
  dir,
];

export function buildImageStep(
  image: LabImage,
  context: () => Promise<BuildContext>,
  shownDir = '<build context>',
  readFacts: (io: StepIO) => Promise<DockerFacts> = dockerFactsReader(),
): Step {
  const args = (hash: string, dir: string, facts: DockerFacts) => [
    'build',
    '-t',
    image.ref,
    ...storeFlags(facts),
    ...buildArgsAndContext(image, hash, dir),
  ];
  return {
    id: `build-${image.slug}`,
    title: `Building image ${image.ref}`,
    command: commandLine('docker', args('<hash>', shownDir, { containerdStore: false })),
    async run(io) {
      const ctx = await context();
      const hash = contextHash(ctx, image);
      const format = `{{ index .Config.Labels "${CONTEXT_HASH_LABEL}" }}`;
      const inspectArgs = ['image', 'inspect', '--format', format, image.ref];
      const existing = await io.run(commandLine('docker', inspectArgs), (o) => docker(inspectArgs, o));
      if (existing.ok && existing.stdout.trim() === hash)
        return { outcome: 'skipped', detail: `${image.ref} is up to date (same build context)` };
      if (!existing.ok && !/no such image/i.test(existing.stderr))
        throw toolFailure(existing, `looking for image ${image.ref}`);
      const facts = await readFacts(io);
      await assembleBuildContext(ctx);
      const buildArgs = args(hash, ctx.dir, facts);
      const built = await io.run(commandLine('docker', buildArgs), (o) =>
        docker(buildArgs, { ...o, timeoutMs: BUILD_TIMEOUT_MS }),
      );
      if (!built.ok) {
        const text = built.stdout + built.stderr;
        const limited = pullLimitFailure(text, `building ${image.ref}`);
        if (limited) throw limited;
        if (/failed to (resolve|fetch|do request)|pull access denied|TLS handshake|no such host/i.test(text))
          throw new StepFailed(
            `Docker could not download the base image ${baseImage(ctx)} for ${image.ref}.`,
            `Check your internet connection (docker pull ${baseImage(ctx)} should work), then run churn-labs up again.`,
            outputTail(built),
          );
        throw toolFailure(built, `building ${image.ref}`);
      }
      return {
        outcome: 'ok',
        detail: existing.ok ? `rebuilt ${image.ref} (its build context changed)` : `built ${image.ref}`,
      };
    },
  };
}

/**
 * What the node's container runtime holds, read once per `up`. On the classic store Docker's image
 * ID is the image's config digest, which the node's CRI reports as the image's id; on the
 * containerd store Docker's image ID is the digest of the image's manifest (or index), which the
 * node's containerd keeps as the target of the imported name.
 */
export interface NodeImages {
  /** Reference (docker.io/churn-labs/churn-api:0.1.0) -> the digest to compare with Docker's ID. */
  digests: Map<string, string>;
}

export function nodeImagesReader(): (io: StepIO, facts: DockerFacts) => Promise<NodeImages> {
  let images: Promise<NodeImages> | undefined;
  return (io, facts) => {
    images ??= (async () => {
      const args = facts.containerdStore
        ? ['exec', NODE_CONTAINER, 'ctr', '--namespace=k8s.io', 'images', 'list']
        : ['exec', NODE_CONTAINER, 'crictl', 'images', '-o', 'json'];
      const listed = await io.run(commandLine('docker', args), (o) => docker(args, o));
      // A node that cannot list its images has none we can trust: load them.
      if (!listed.ok) return { digests: new Map() };
      return { digests: facts.containerdStore ? readCtrList(listed.stdout) : readCriImages(listed.stdout) };
    })();
    images.catch(() => {
      images = undefined;
    });
    return images;
  };
}

/** `ctr images list`: REF TYPE DIGEST SIZE PLATFORMS LABELS, one image a line. */
export function readCtrList(stdout: string): Map<string, string> {
  const digests = new Map<string, string>();
  for (const line of stdout.split('\n').slice(1)) {
    const [ref, , digest] = line.trim().split(/\s+/);
    if (ref && digest?.startsWith('sha256:')) digests.set(ref, digest);
  }
  return digests;
}

/** `crictl images -o json`: {images: [{id, repoTags}]}, the id being the config digest. */
export function readCriImages(stdout: string): Map<string, string> {
  const digests = new Map<string, string>();
  try {
    const { images } = JSON.parse(stdout) as { images?: { id?: string; repoTags?: string[] }[] };
    for (const image of Array.isArray(images) ? images : [])
      for (const tag of Array.isArray(image.repoTags) ? image.repoTags : [])
        if (typeof image.id === 'string') digests.set(tag, image.id);
  } catch {
    // Not JSON: nothing is known to be on the node.
  }
  return digests;
}

/** How containerd names an image that Docker calls churn-labs/churn-api:0.1.0. */
const fullReference = (ref: string) => (ref.split('/').length < 3 ? `docker.io/${ref}` : ref);

/**
 * Loads an image into the kind node: `docker save` for the node's platform, then `kind load
 * image-archive`, which works on both of Docker's image stores, where `kind load docker-image`
 * fails on the containerd one ("ctr: content digest sha256:… not found"). Skipped when the node
 * already has the same image, by the digest the store in use makes comparable.
 */
export function loadImageStep(
  image: LabImage,
  archiveDir: string,
  readFacts: (io: StepIO) => Promise<DockerFacts> = dockerFactsReader(),
  readNode: (io: StepIO, facts: DockerFacts) => Promise<NodeImages> = nodeImagesReader(),
): Step {
  const archive = join(archiveDir, `${image.slug}.tar`);
  const loadArgs = ['load', 'image-archive', archive, '--name', CLUSTER_NAME];
  return {
    id: `load-${image.slug}`,
    title: `Loading ${image.ref} into kind`,
    command: commandLine('kind', loadArgs),
    async run(io) {
      const idArgs = ['image', 'inspect', '--format', '{{.Id}}', image.ref];
      const local = await io.run(commandLine('docker', idArgs), (o) => docker(idArgs, o));
      if (!local.ok) {
        if (/no such image/i.test(local.stderr))
          throw new StepFailed(
            `The image ${image.ref} is not in Docker (was it removed?), so it cannot be loaded into kind.`,
            'Run churn-labs up again: it rebuilds the image, then loads it.',
            outputTail(local),
          );
        throw toolFailure(local, `looking for image ${image.ref}`);
      }
      const imageId = local.stdout.trim();
      const facts = await readFacts(io);
      const onNode = (await readNode(io, facts)).digests.get(fullReference(image.ref));
      if (onNode === imageId)
        return { outcome: 'skipped', detail: `${image.ref} is already on the node (same image digest)` };

      await mkdir(archiveDir, { recursive: true });
      try {
        await save(io, image.ref, archive, facts);
        const loaded = await io.run(commandLine('kind', loadArgs), (o) => kind(loadArgs, o));
        if (!loaded.ok) throw loadFailure(loaded, image.ref, facts);
      } finally {
        await rm(archive, { force: true });
      }
      return { outcome: 'ok', detail: `loaded ${image.ref} into the node ${NODE_CONTAINER}` };
    },
  };
}

async function save(io: StepIO, ref: string, archive: string, facts: DockerFacts): Promise<void> {
  const plain = ['save', '-o', archive, ref];
  const withPlatform =
    facts.containerdStore && facts.platform
      ? ['save', '--platform', facts.platform, '-o', archive, ref]
      : plain;
  let saved = await io.run(commandLine('docker', withPlatform), (o) => docker(withPlatform, o));
  // `docker save --platform` came with Docker 28; an older CLI saves the one platform it built.
  if (!saved.ok && withPlatform !== plain && /unknown flag: --platform/i.test(saved.stderr))
    saved = await io.run(commandLine('docker', plain), (o) => docker(plain, o));
  if (!saved.ok) throw toolFailure(saved, `saving ${ref} to an archive for kind`);
}

function loadFailure(loaded: ToolResult, ref: string, facts: DockerFacts): StepFailed {
  const text = loaded.stdout + loaded.stderr;
  if (
    /content digest sha256:[0-9a-f]+:? not found|failed to (get|import).*(digest|index)|mismatched image rootfs/i.test(
      text,
    )
  )
    return new StepFailed(
      facts.containerdStore
        ? `kind could not import ${ref}: Docker's containerd image store wrote an archive that names content it does not hold (kind's known problem with that store, even with the workaround churn-labs applies).`
        : `kind could not import ${ref}: the archive names content it does not hold.`,
      facts.desktop && currentHostOs() === 'linux'
        ? osFix('containerdStoreDesktop')
        : osFix('containerdStore'),
      outputTail(loaded),
    );
  if (/no nodes found for cluster/i.test(text))
    return new StepFailed(
      `The kind cluster ${CLUSTER_NAME} has no node to load ${ref} into.`,
      'Run churn-labs up again: it brings the cluster back first.',
      outputTail(loaded),
    );
  if (/no space left on device/i.test(text))
    return new StepFailed(
      `The kind node ran out of disk space while loading ${ref}.`,
      'Free space for Docker (docker system prune, or a larger disk in Docker Desktop > Settings > Resources), then run churn-labs up again.',
      outputTail(loaded),
    );
  return toolFailure(loaded, `loading ${ref} into the kind cluster`);
}
