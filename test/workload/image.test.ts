import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  assembleBuildContext,
  type BuildContext,
  contextHash,
  readBuildContext,
} from '../../src/cluster/environment/images.js';
import {
  CONTEXT_HASH_LABEL,
  LAB_IMAGES,
  type LabImage,
  packageSources,
} from '../../src/cluster/environment/sources.js';
import { getJson, postJson, waitFor } from './helpers.js';

// The three images, built for real from docker/Dockerfile with buildah and run with podman (no
// Docker engine here). No registry is reachable, so the Dockerfile's base (ARG NODE_IMAGE) is
// pointed at an image made here: this machine's node binary and its libraries, busybox as /bin/sh
// and its applets, /usr/bin/env and a user 1000, which is what the Dockerfile relies on in the
// official node alpine image. The base's Node is this machine's, not the pinned release.
//
// Everything the tools write stays in one temporary folder: storage (--root, --runroot, vfs) and,
// through a private mount namespace per command, the state podman and buildah keep in /run,
// /var/lib/containers and /etc/containers/networks. Containers use the host's network (PORT set to a
// free port), so nothing is added to the host's interfaces or firewall.

const BASE_IMAGE = 'localhost/churn-labs-test/node-base:local';
/** Without these runc cannot start a container here (it may not raise the limits of the sandbox). */
const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const ROOT = process.cwd();

const onPath = (tool: string) =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, tool))
    .find((file) => existsSync(file));

let work = '';
const storage = () => [
  '--root',
  join(work, 'storage'),
  '--runroot',
  join(work, 'runroot'),
  '--storage-driver',
  'vfs',
];

/**
 * Runs a tool in its own mount namespace, where /run, /var/lib and /etc/containers are folders of
 * the test's: podman keeps its state there between calls (a container started by one call is
 * stopped by the next), and nothing is left on the machine.
 */
function isolated(args: string[], options: { timeout?: number; reject?: boolean } = {}) {
  const script = [
    'set -e',
    'T=$1; shift',
    'mount --bind "$T/host/run" /run',
    'mount --bind "$T/host/var-lib" /var/lib',
    'if [ -d /etc/containers ]; then mount --bind "$T/host/etc-containers" /etc/containers; fi',
    'exec "$@"',
  ].join('\n');
  return execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', work, ...args], {
    reject: options.reject ?? true,
    timeout: options.timeout ?? 120_000,
    env: { TMPDIR: join(work, 'tmp'), BUILDAH_ISOLATION: 'chroot' },
    extendEnv: true,
    all: true,
  });
}

const buildah = (args: string[]) =>
  isolated(['buildah', ...storage(), 'build', '--isolation', 'chroot', '--pull=never', ...args], {
    timeout: 180_000,
  });
const podman = (args: string[], options?: { timeout?: number; reject?: boolean }) =>
  isolated(
    [
      'podman',
      ...storage(),
      '--tmpdir',
      join(work, 'libpod'),
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'file',
      '--runtime',
      'runc',
      ...args,
    ],
    options,
  );

async function makeWork(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'churn-labs-images-'));
  for (const dir of ['host/run', 'host/var-lib', 'tmp', 'volume', 'config', 'state'])
    await mkdir(join(work, dir), { recursive: true });
  if (existsSync('/etc/containers'))
    await cp('/etc/containers', join(work, 'host', 'etc-containers'), { recursive: true });
  else await mkdir(join(work, 'host', 'etc-containers'));
}

const tail = (text: string) => text.trim().split('\n').slice(-3).join(' / ');

/**
 * Why this machine cannot run the test, or undefined when it can: the tools are installed, and a
 * container (busybox alone, nothing of the project) builds and runs.
 */
async function whyNot(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'buildah and podman need Linux';
  if (process.getuid?.() !== 0) return 'it needs root (rootful buildah and podman, chroot isolation, runc)';
  const missing = ['buildah', 'podman', 'runc', 'unshare', 'ldd', 'busybox'].filter((tool) => !onPath(tool));
  if (missing.length)
    return `${missing.join(', ')} not installed (apt-get install buildah podman runc busybox-static)`;
  await makeWork();
  const probe = join(work, 'probe');
  await mkdir(join(probe, 'bin'), { recursive: true });
  await copyFile(onPath('busybox')!, join(probe, 'bin', 'sh'));
  await writeFile(join(probe, 'Containerfile'), 'FROM scratch\nCOPY bin/ /bin/\n');
  try {
    await buildah(['-t', 'localhost/churn-labs-test/probe:local', '-f', join(probe, 'Containerfile'), probe]);
    await podman([
      'run',
      '--rm',
      '--network',
      'host',
      ...ULIMITS,
      'localhost/churn-labs-test/probe:local',
      '/bin/sh',
      '-c',
      'exit 0',
    ]);
  } catch (error) {
    const result = error as { all?: string; message?: string };
    return `buildah/podman cannot run a container here: ${tail(result.all ?? result.message ?? String(error))}`;
  }
  return undefined;
}

const skipReason = await whyNot();
if (skipReason) {
  console.warn(`test/workload/image.test.ts is skipped: ${skipReason}.`);
  if (work) await rm(work, { recursive: true, force: true });
}

/** The shared libraries a dynamically linked program loads, as ldd lists them. */
async function sharedLibraries(program: string): Promise<string[]> {
  const listed = await execa('ldd', [program], { reject: false });
  if (listed.exitCode !== 0) return []; // "not a dynamic executable"
  return [...listed.stdout.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)].map((m) => m[1]!);
}

/** A stand-in for the official node alpine image, from this machine's files. */
async function buildBaseImage(): Promise<void> {
  const dir = join(work, 'base');
  const rootfs = join(dir, 'rootfs');
  const put = async (source: string, target: string, mode = 0o755) => {
    await mkdir(dirname(join(rootfs, target)), { recursive: true });
    await copyFile(source, join(rootfs, target));
    await chmod(join(rootfs, target), mode);
  };
  const node = process.execPath;
  const busybox = onPath('busybox')!;
  await put(node, '/usr/local/bin/node');
  await put(busybox, '/bin/busybox');
  const libraries = new Set([...(await sharedLibraries(node)), ...(await sharedLibraries(busybox))]);
  for (const library of libraries) await put(library, library);
  const applets = (await execa(busybox, ['--list'])).stdout.split('\n').filter((a) => /^[\w.[-]+$/.test(a));
  for (const applet of applets)
    if (applet !== 'busybox') await symlink('busybox', join(rootfs, 'bin', applet));
  await mkdir(join(rootfs, 'usr', 'bin'), { recursive: true });
  await symlink('/bin/busybox', join(rootfs, 'usr', 'bin', 'env'));
  await mkdir(join(rootfs, 'etc'));
  await writeFile(
    join(rootfs, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:Linux User,,,:/home/node:/bin/sh\n',
  );
  await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:root\nnode:x:1000:node\n');
  await mkdir(join(rootfs, 'home', 'node'), { recursive: true });
  await mkdir(join(rootfs, 'tmp'));
  await chmod(join(rootfs, 'tmp'), 0o1777);
  // As the official image's entrypoint does: a first argument that is an option, or not a command,
  // is given to node; anything else runs as it is (the churn-mlops CMD: /bin/sh -c "exec ...").
  await writeFile(
    join(rootfs, 'usr', 'local', 'bin', 'docker-entrypoint.sh'),
    `#!/bin/sh\nset -e\nif [ "\${1#-}" != "$1" ] || [ -z "$(command -v "$1")" ]; then\n  set -- node "$@"\nfi\nexec "$@"\n`,
  );
  await chmod(join(rootfs, 'usr', 'local', 'bin', 'docker-entrypoint.sh'), 0o755);
  await writeFile(
    join(dir, 'Containerfile'),
    [
      'FROM scratch',
      'COPY rootfs/ /',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["node"]',
      '',
    ].join('\n'),
  );
  await buildah(['-t', BASE_IMAGE, '-f', join(dir, 'Containerfile'), dir]);
}

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects, read from the course's manifests
type Manifest = any;

async function manifests(file: string): Promise<Manifest[]> {
  const text = await readFile(join(ROOT, 'manifests', file), 'utf8');
  return parseAllDocuments(text).map((doc) => doc.toJS());
}

/**
 * `podman run` arguments that give a container of `ref` what the manifest's pod gives it: the env
 * values, the ConfigMap's file and the volume's sub-folders at their mount paths, the command and
 * arguments (none: the image's own), after any `options`.
 */
async function runAsInManifest(file: string, ref: string, options: string[] = []): Promise<string[]> {
  const [object] = await manifests(file);
  const pod = object.spec.jobTemplate?.spec.template.spec ?? object.spec.template.spec;
  const container = pod.containers[0];
  const args: string[] = [];
  for (const env of container.env ?? [])
    if (typeof env.value === 'string') args.push('--env', `${env.name}=${env.value}`);
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes.find((v: Manifest) => v.name === mount.name);
    if (volume?.configMap) {
      const [configMap] = (await manifests('configmap.yaml')).filter(
        (m) => m.kind === 'ConfigMap' && m.metadata.name === volume.configMap.name,
      );
      const path = join(work, 'config', volume.configMap.name, mount.subPath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, configMap.data[mount.subPath]);
      args.push('--volume', `${path}:${mount.mountPath}:ro`);
    } else if (volume?.persistentVolumeClaim) {
      // local-path (kind's default class) makes the volume and its sub-paths world-writable.
      const path = join(work, 'volume', mount.subPath ?? '');
      await mkdir(path, { recursive: true });
      await chmod(path, 0o777);
      args.push('--volume', `${path}:${mount.mountPath}`);
    } else throw new Error(`${file}: no stand-in for the volume ${mount.name}`);
  }
  if (container.command) args.push('--entrypoint', JSON.stringify(container.command));
  return [
    'run',
    '--network',
    'host',
    '--log-driver',
    'k8s-file',
    ...ULIMITS,
    ...args,
    ...options,
    ref,
    ...(container.args ?? []),
  ];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const image = (slug: string) => LAB_IMAGES.find((i) => i.slug === slug)!;
let context: BuildContext;
/**
 * The seed-model Job, run once: its own command (/bin/sh -c "... churn-mlops seed-model ..."), env
 * and mounts from its manifest, in the churn-api image (the Job names churn-ml; both hold the same
 * program), so that the API image is shown to train as uid 1000 too.
 */
let seeding: ReturnType<typeof podman> | undefined;
const seedModel = async () =>
  (seeding ??= podman(await runAsInManifest('seed-model-job.yaml', image('churn-api-0.1.0').ref, ['--rm']), {
    reject: false,
    timeout: 60_000,
  }));
const requireSeed = async () => {
  const seed = await seedModel();
  expect(seed.exitCode, `seed-model failed, so there is no model on the volume: ${seed.all}`).toBe(0);
};
const buildSeconds: Record<string, number> = {};

describe.skipIf(skipReason !== undefined)(
  `the images from docker/Dockerfile, built by buildah and run by podman${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    beforeAll(async () => {
      let started = Date.now();
      await buildBaseImage();
      buildSeconds.base = (Date.now() - started) / 1000;
      // The build context exactly as `up` lays it out, from the package's files.
      context = await readBuildContext(packageSources(ROOT), join(work, 'state'));
      await assembleBuildContext(context);
      for (const lab of LAB_IMAGES) {
        started = Date.now();
        await buildah([
          '-t',
          lab.ref,
          '--build-arg',
          `NODE_IMAGE=${BASE_IMAGE}`,
          ...Object.entries(lab.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
          '--label',
          `${CONTEXT_HASH_LABEL}=${contextHash(context, lab)}`,
          context.dir,
        ]);
        buildSeconds[lab.slug] = (Date.now() - started) / 1000;
      }
      console.info(`image builds (s): ${JSON.stringify(buildSeconds)}`);
    }, 240_000);

    afterAll(async () => {
      if (!work) return;
      await podman(['rm', '--all', '--force', '--time', '0'], { reject: false });
      await rm(work, { recursive: true, force: true });
    }, 60_000);

    it.each(LAB_IMAGES.map((lab) => [lab.ref, lab] as const))(
      '%s is configured as the Dockerfile says',
      async (_ref, lab: LabImage) => {
        const config = JSON.parse(
          (await podman(['image', 'inspect', '--format', '{{json .Config}}', lab.ref])).stdout,
        );
        expect(config.User).toBe('1000:1000');
        expect(config.WorkingDir).toBe('/app');
        expect(config.Env).toEqual(
          expect.arrayContaining([
            'NODE_ENV=production',
            'PORT=8000',
            `CHURN_MLOPS_VERSION=${lab.buildArgs.APP_VERSION}`,
            `CHURN_MLOPS_DEFAULT_COMMAND=${lab.buildArgs.DEFAULT_COMMAND}`,
          ]),
        );
        expect(config.Cmd).toEqual(['/bin/sh', '-c', 'exec churn-mlops $CHURN_MLOPS_DEFAULT_COMMAND']);
        expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['8000/tcp']);
        // `up` reads the label with this very format to skip an image that is up to date.
        const label = await podman([
          'image',
          'inspect',
          '--format',
          `{{ index .Config.Labels "${CONTEXT_HASH_LABEL}" }}`,
          lab.ref,
        ]);
        expect(label.stdout.trim()).toBe(contextHash(context, lab));
        const arch = (
          await podman(['image', 'inspect', '--format', '{{.Architecture}}', lab.ref])
        ).stdout.trim();
        expect(arch).toBe(process.arch === 'x64' ? 'amd64' : process.arch);

        const inside = await podman([
          'run',
          '--rm',
          '--network',
          'host',
          ...ULIMITS,
          '--entrypoint',
          '/bin/sh',
          lab.ref,
          '-c',
          'id -u; id -g; pwd; stat -c "%u:%g %n" /app/data /app/artifacts /app/config; readlink /usr/local/bin/churn-mlops; cat /opt/churn-mlops/package.json',
        ]);
        expect(inside.stdout.split('\n')).toEqual([
          '1000',
          '1000',
          '/app',
          '1000:1000 /app/data',
          '1000:1000 /app/artifacts',
          '1000:1000 /app/config',
          '/opt/churn-mlops/churn-mlops.js',
          '{"type":"module","private":true}',
        ]);
      },
    );

    it('churn-ml runs `churn-mlops --help` by default, reporting its version', async () => {
      const help = await podman([
        'run',
        '--rm',
        '--network',
        'host',
        ...ULIMITS,
        image('churn-ml-0.1.0').ref,
      ]);
      expect(help.stdout).toContain('churn-mlops 0.1.0');
      expect(help.stdout).toContain('Usage: churn-mlops <command>');
    });

    it('the seed-model Job trains into the volume as uid 1000', async () => {
      const seed = await seedModel();
      expect(seed.exitCode, seed.all).toBe(0);
      expect(seed.stdout).toContain('Seed model complete!');
      const registry = join(work, 'volume', 'artifacts', 'registry', 'model_registry.json');
      expect(JSON.parse(await readFile(registry, 'utf8'))).toBeTruthy();
      expect((await stat(registry)).uid).toBe(1000);
      expect((await stat(join(work, 'volume', 'data', 'raw', 'recent.csv'))).uid).toBe(1000);
    }, 90_000);

    it.each([
      ['churn-api-0.1.0', '0.1.0'],
      ['churn-api-0.2.0', '0.2.0'],
    ])(
      '%s serves with its default command: /ready, /predict, /health %s, and exits 0 on SIGTERM',
      async (slug, version) => {
        await requireSeed();
        const port = await freePort();
        const name = `churn-labs-test-${slug}`;
        await podman(
          await runAsInManifest('api-deployment.yaml', image(slug).ref, [
            '--detach',
            '--name',
            name,
            '--env',
            `PORT=${port}`,
          ]),
        );
        try {
          const url = `http://127.0.0.1:${port}`;
          await waitFor(
            '/ready to answer 200',
            async () => ((await getJson(`${url}/ready`)).status === 200 ? true : undefined),
            30_000,
          );
          const predicted = await postJson(
            `${url}/predict`,
            JSON.stringify({ user_id: 'user123', features: { logins_7d: 15, sessions_7d: 20 } }),
          );
          expect(predicted.status).toBe(200);
          expect(predicted.body.user_id).toBe('user123');
          expect(predicted.body.churn_probability).toBeGreaterThanOrEqual(0);
          expect(predicted.body.churn_probability).toBeLessThanOrEqual(1);
          const health = await getJson(`${url}/health`);
          expect(health.status).toBe(200);
          expect(health.body).toMatchObject({ status: 'healthy', version });
          // Node is PID 1 (the CMD execs it), so the kubelet's SIGTERM reaches it; it runs as 1000.
          const pid1 = await podman(['exec', name, 'cat', '/proc/1/cmdline', '/proc/1/status']);
          expect(pid1.stdout.split('\0')[0]).toMatch(/(^|\/)node$/);
          expect(pid1.stdout).toMatch(/^Uid:\s+1000\s+1000\s/m);

          await podman(['kill', '--signal', 'TERM', name]);
          const waited = await podman(['wait', name], { timeout: 20_000 });
          expect(waited.stdout.trim()).toBe('0');
          const logs = await podman(['logs', name]);
          expect(logs.all).toMatch(/Received SIGTERM/);
        } finally {
          await podman(['rm', '--force', '--time', '0', name], { reject: false });
        }
      },
      90_000,
    );

    it('the batch-score CronJob writes its predictions file to the mounted volume', async () => {
      await requireSeed();
      const predictions = join(work, 'volume', 'data', 'predictions');
      const before = existsSync(predictions) ? await readdir(predictions) : [];
      const scored = await podman(
        await runAsInManifest('batch-cronjob.yaml', image('churn-ml-0.1.0').ref, ['--rm']),
        {
          reject: false,
          timeout: 60_000,
        },
      );
      expect(scored.exitCode, scored.all).toBe(0);
      expect(scored.stdout).toContain('Batch scoring complete!');
      const written = (await readdir(predictions)).filter((f) => !before.includes(f));
      expect(written).toHaveLength(1);
      expect(written[0]).toMatch(/^predictions_.*\.csv$/);
      const file = join(predictions, written[0]!);
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      expect(lines[0]).toBe('user_id,churn_probability,will_churn,model_version');
      expect(lines.length).toBeGreaterThan(1);
      expect((await stat(file)).uid).toBe(1000);
    }, 90_000);
  },
);
