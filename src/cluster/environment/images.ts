import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { docker } from '../docker.js';
import { CLUSTER_NAME, kind } from '../kind.js';
import { outputTail } from '../tool.js';
import { toolFailure } from './failures.js';
import { CONTEXT_HASH_LABEL, type LabImage, type PackageSources, requireFile } from './sources.js';
import { commandLine, type Step, StepFailed } from './steps.js';

const NODE_CONTAINER = `${CLUSTER_NAME}-control-plane`;
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

async function assemble(context: BuildContext): Promise<void> {
  // Rebuilt from nothing each time, so that an interrupted copy never leaks into an image.
  await rm(context.dir, { recursive: true, force: true });
  for (const file of context.files) {
    const target = join(context.dir, file.relative);
    await mkdir(join(target, '..'), { recursive: true });
    await copyFile(file.source, target);
  }
}

export const buildContextDir = (stateDir: string) => join(stateDir, 'build', 'context');

export function buildImageStep(
  image: LabImage,
  context: () => Promise<BuildContext>,
  shownDir = '<build context>',
): Step {
  const args = (hash: string, dir: string) => [
    'build',
    '-t',
    image.ref,
    ...Object.entries(image.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    '--label',
    `${CONTEXT_HASH_LABEL}=${hash}`,
    dir,
  ];
  return {
    id: `build-${image.slug}`,
    title: `Building image ${image.ref}`,
    command: commandLine('docker', args('<hash>', shownDir)),
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
      await assemble(ctx);
      const buildArgs = args(hash, ctx.dir);
      const built = await io.run(commandLine('docker', buildArgs), (o) =>
        docker(buildArgs, { ...o, timeoutMs: BUILD_TIMEOUT_MS }),
      );
      if (!built.ok) {
        const text = built.stdout + built.stderr;
        if (/failed to (resolve|fetch|do request)|pull access denied|TLS handshake|no such host/i.test(text))
          throw new StepFailed(
            `Docker could not download the base image for ${image.ref}.`,
            'Check your internet connection (docker pull node:20-alpine should work), then run churn-labs up again.',
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

export function loadImageStep(image: LabImage): Step {
  const loadArgs = ['load', 'docker-image', image.ref, '--name', CLUSTER_NAME];
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
      const nodeArgs = ['exec', NODE_CONTAINER, 'crictl', 'inspecti', '-o', 'json', image.ref];
      const onNode = await io.run(commandLine('docker', nodeArgs), (o) => docker(nodeArgs, o));
      if (onNode.ok && readImageId(onNode.stdout) === imageId)
        return { outcome: 'skipped', detail: `${image.ref} is already on the node (same image ID)` };
      const loaded = await io.run(commandLine('kind', loadArgs), (o) => kind(loadArgs, o));
      if (!loaded.ok) {
        if (/not present locally/i.test(loaded.stdout + loaded.stderr))
          throw new StepFailed(
            `kind cannot find the image ${image.ref} in Docker.`,
            'Run churn-labs up again: it rebuilds the image, then loads it.',
            outputTail(loaded),
          );
        throw toolFailure(loaded, `loading ${image.ref} into the kind cluster`);
      }
      return { outcome: 'ok', detail: `loaded ${image.ref} into the node ${NODE_CONTAINER}` };
    },
  };
}

function readImageId(stdout: string): string | undefined {
  try {
    return (JSON.parse(stdout) as { status?: { id?: string } }).status?.id;
  } catch {
    return undefined;
  }
}
