import { createHash } from 'node:crypto';
import type { Container } from './types.js';

/**
 * The images the simulated node can run, and what their ENTRYPOINT/CMD are. The churn-labs images
 * hold the `churn-mlops` workload (docker/Dockerfile): `churn-labs/churn-api:<tag>` runs
 * `churn-mlops api` by default, `churn-labs/churn-ml:<tag>` runs `churn-mlops --help`, both in
 * /app and reporting the tag as their version. Any other image (metrics-server, nginx, ...) is not
 * run: the node shows it as an idle container, unless its command is one the node can do itself
 * (`echo hi`, `sleep 5`, a shell image's bare shell: see ContainerRunner.oneShot).
 *
 * The churn-labs images exist only where `churn-labs up` built them and loaded them into the node
 * (kind load), or pushed them to the registry it was given (`R/churn-labs/churn-api:0.1.0`). So a tag it did not load (a typo in `kubectl set image`), or
 * a pull it is made to attempt (imagePullPolicy Always), fails as it does on kind: ErrImagePull,
 * then ImagePullBackOff.
 */
export interface ImageDefinition {
  /** The image's ENTRYPOINT (replaced by a container's `command`). */
  entrypoint?: string[];
  /** The image's CMD (replaced by a container's `args`, dropped when `command` is given). */
  cmd?: string[];
  /** The image's WORKDIR inside the container's root. */
  workingDir?: string;
  /** The image's ENV. */
  env?: Record<string, string>;
}

export interface ResolvedImage {
  /** The image as the pod names it. */
  name: string;
  /** The fully qualified reference the runtime reports (`docker.io/churn-labs/churn-api:0.1.0`). */
  reference: string;
  /** A stable image ID, as `kubectl describe pod` shows it. */
  imageID: string;
  /** Whether the node runs its code (false: an idle container). */
  runnable: boolean;
  /** Why pulling it fails, for the images no registry has (undefined: it can be pulled). */
  pullError?: string;
  /** Whether the node has it without pulling. */
  present: boolean;
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  env: Record<string, string>;
}

const WORKLOAD_IMAGES: Record<string, string[]> = {
  'docker.io/churn-labs/churn-api': ['churn-mlops', 'api'],
  'docker.io/churn-labs/churn-ml': ['churn-mlops', '--help'],
};

/** The tags `churn-labs up` builds and loads (the contract's three images). */
const LOADED_TAGS: Record<string, string[]> = {
  'docker.io/churn-labs/churn-api': ['0.1.0', '0.2.0'],
  'docker.io/churn-labs/churn-ml': ['0.1.0'],
};

export function resolveImage(image: string, custom: Record<string, ImageDefinition> = {}): ResolvedImage {
  const { repository, tag, digest } = parseReference(image);
  const reference = digest ? `${repository}@${digest}` : `${repository}:${tag}`;
  const imageID = `${repository}@sha256:${createHash('sha256').update(reference).digest('hex')}`;
  const own = custom[image] ?? custom[reference];
  if (own) {
    return {
      name: image,
      reference,
      imageID,
      runnable: true,
      present: true,
      entrypoint: own.entrypoint ?? [],
      cmd: own.cmd ?? [],
      workingDir: own.workingDir ?? '/',
      env: own.env ?? {},
    };
  }
  const workload = WORKLOAD_IMAGES[workloadRepository(repository)];
  if (workload) {
    const loaded = LOADED_TAGS[workloadRepository(repository)] ?? [];
    return {
      name: image,
      reference,
      imageID,
      runnable: true,
      present: tag !== undefined && loaded.includes(tag),
      pullError: `failed to pull and unpack image "${reference}": failed to resolve reference "${reference}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`,
      entrypoint: [],
      cmd: workload,
      workingDir: '/app',
      env: { CHURN_MLOPS_VERSION: tag ?? 'latest' },
    };
  }
  return {
    name: image,
    reference,
    imageID,
    runnable: false,
    present: true,
    entrypoint: [],
    // A shell image's CMD is its shell: with no command given, the container runs it, it reads no
    // input and exits at once (see ContainerRunner.oneShot), as on a real node.
    cmd: SHELL_IMAGES[repository] ?? [],
    workingDir: '/',
    env: {},
  };
}

/**
 * The workload images as `churn-labs up --registry R` pushes them (`R/churn-labs/churn-api`): the
 * same images from a registry, which the node pulls. Those are what the simulated node runs too.
 */
function workloadRepository(repository: string): string {
  const match = /\/(churn-labs\/churn-(?:api|ml))$/.exec(repository);
  return match && !repository.startsWith('docker.io/') ? `docker.io/${match[1]}` : repository;
}

/** The CMD of the common images whose default is a shell (their Dockerfiles, on Docker Hub). */
const SHELL_IMAGES: Record<string, string[]> = {
  'docker.io/library/busybox': ['sh'],
  'docker.io/library/alpine': ['/bin/sh'],
  'docker.io/library/ubuntu': ['/bin/bash'],
  'docker.io/library/debian': ['bash'],
};

/** A shell given nothing to run: without a terminal's input it reads end of file and exits 0. */
export const BARE_SHELLS = new Set(['sh', 'bash', 'ash']);

/** The process's argv as a container runtime builds it from the image and the container spec. */
export function containerArgv(container: Container, image: ResolvedImage): string[] {
  if (container.command?.length) return [...container.command, ...(container.args ?? [])];
  if (container.args?.length) return [...image.entrypoint, ...container.args];
  return [...image.entrypoint, ...image.cmd];
}

/** `nginx` => docker.io/library/nginx:latest; `churn-labs/churn-api:0.1.0` => docker.io/churn-labs/churn-api:0.1.0. */
function parseReference(image: string): { repository: string; tag?: string; digest?: string } {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasRegistry =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) {
    if (parts.length === 1) parts.unshift('library');
    parts.unshift('docker.io');
  }
  return { repository: parts.join('/'), tag: tag ?? (digest ? undefined : 'latest'), digest };
}
