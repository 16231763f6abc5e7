import { readFile } from 'node:fs/promises';
import { capacityVerdict } from '../course/capacity.js';
import { type DockerInfo, docker, readDockerCli, readDockerInfo } from './docker.js';
import {
  currentHostOs,
  detectHostOs,
  dockerTrouble,
  type FixTopic,
  fixFor,
  type HostOs,
  troubleFix,
} from './host.js';
import { kind } from './kind.js';
import { runTool } from './tool.js';

/** One requirement of the labs, as `doctor --json` prints it. */
export interface DoctorCheck {
  id: string;
  ok: boolean;
  /** A failing required check stops the labs; others are warnings. */
  required: boolean;
  /** What was found. */
  detail: string;
  /** The exact fix for the learner's OS, when not ok. */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  /** The machine, as the fixes were chosen for it. */
  os: HostOs;
  /** What Docker's daemon said of itself, when it answered. */
  docker?: DockerInfo;
}

type Platform = NodeJS.Platform;

const MIN_NODE_MAJOR = 20;
const MIN_KUBECTL_MINOR = 27;

/** The fix for one of the doctor's topics on this OS, for messages outside the doctor (`up`). */
export function osFix(topic: FixTopic, os: HostOs = currentHostOs()): string {
  return fixFor(topic, os);
}

export interface DoctorOptions {
  platform?: Platform;
  nodeVersion?: string;
  /** Where to read the inotify limits (Linux). */
  procSys?: string;
  /** Where to read the kernel's release, which tells WSL 2 from Linux. */
  osReleaseFile?: string;
  /** Ends the doctor's commands at once (Ctrl-C during preflight). */
  signal?: AbortSignal;
  /**
   * The context every kubectl call names, `version --client` included: some kubectl wrappers
   * (cloud CLIs' shims) contact the current-context's server even for that.
   */
  context?: string;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const platform = options.platform ?? process.platform;
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const signal = options.signal;
  const [os, dockerVersion, dockerInfoRun, kindVersion, kubectlVersion, inotify, shell] = await Promise.all([
    detectHostOs(platform, options.osReleaseFile),
    docker(['--version'], { timeoutMs: 15_000, signal }),
    docker(['info', '--format', '{{json .}}'], { timeoutMs: 20_000, signal }),
    kind(['version'], { timeoutMs: 15_000, signal }),
    runTool(
      'kubectl',
      ['--context', options.context ?? 'kind-churn-labs', 'version', '--client', '-o', 'json'],
      {
        timeoutMs: 15_000,
        signal,
      },
    ),
    platform === 'linux'
      ? readInotify(options.procSys ?? '/proc/sys/fs/inotify')
      : Promise.resolve(undefined),
    // Native Windows: the labs' commands and solutions are POSIX shell lines.
    platform === 'win32' ? runTool('sh', ['-c', 'exit 0'], { timeoutMs: 15_000, signal }) : undefined,
  ]);
  const fix = (topic: FixTopic) => fixFor(topic, os);
  const checks: DoctorCheck[] = [];

  const major = Number(nodeVersion.split('.')[0]);
  checks.push({
    id: 'node',
    ok: major >= MIN_NODE_MAJOR,
    required: true,
    detail: `Node.js ${nodeVersion}${major >= MIN_NODE_MAJOR ? '' : `; churn-labs needs ${MIN_NODE_MAJOR} or newer`}`,
    fix: major >= MIN_NODE_MAJOR ? undefined : fix('node'),
  });

  if (shell)
    checks.push({
      id: 'shell',
      ok: shell.ok,
      required: true,
      detail: shell.ok
        ? 'sh is on PATH (Git Bash or similar): the exercises can run their commands'
        : "there is no POSIX shell (sh): the exercises' commands and solutions cannot run on plain Windows",
      fix: shell.ok ? undefined : fix('shell'),
    });

  const versionText = `${dockerVersion.stdout}\n${dockerVersion.stderr}`;
  const cli = readDockerCli(dockerVersion.stdout);
  const info = readDockerInfo(dockerInfoRun.stdout, dockerInfoRun.stderr);
  const podman = cli.kind === 'podman' ? cli.version : info.podman;
  const wslShim = !dockerVersion.ok && dockerTrouble(versionText) === 'wsl-integration';
  const dockerCli = !dockerVersion.missing && cli.kind === 'docker';
  checks.push({
    id: 'docker',
    ok: dockerCli && podman === undefined,
    required: true,
    detail: dockerVersion.missing
      ? 'the docker command is not installed'
      : podman !== undefined
        ? `docker is Podman ${podman} (podman-docker), and churn-labs runs kind on Docker only`
        : wslShim
          ? "docker is Docker Desktop's placeholder in this WSL distro: its WSL integration is off"
          : dockerCli
            ? `docker CLI ${cli.version}`
            : `docker did not say its version: ${versionText.trim().split('\n')[0] || `exit code ${dockerVersion.exitCode}`}`,
    fix:
      dockerCli && podman === undefined
        ? undefined
        : podman !== undefined
          ? fix('podman')
          : wslShim
            ? fix('wslIntegration')
            : fix('docker'),
  });

  const reachable = info.serverVersion !== undefined && info.errors.length === 0 && podman === undefined;
  const daemonOk = dockerCli && reachable;
  const trouble = dockerTrouble(`${info.errors.join('\n')}\n${dockerInfoRun.stderr}`);
  checks.push({
    id: 'docker-daemon',
    ok: daemonOk,
    required: true,
    detail:
      podman !== undefined
        ? 'not checked: Podman answers as docker'
        : !dockerCli
          ? 'no docker CLI to ask'
          : daemonOk
            ? `Docker ${info.serverVersion} is running${info.operatingSystem === 'Docker Desktop' ? ' (Docker Desktop)' : ''}${info.platform ? ` on ${info.platform}` : ''}`
            : `the Docker daemon is not reachable${info.errors[0] ? `: ${info.errors[0]}` : ''}`,
    fix: daemonOk
      ? undefined
      : podman !== undefined
        ? fix('podman')
        : !dockerCli
          ? checks.at(-1)?.fix
          : troubleFix(trouble ?? 'daemon-down', os),
  });

  if (daemonOk)
    checks.push({
      id: 'docker-store',
      ok: true,
      required: false,
      detail: info.containerdStore
        ? "Docker keeps images in its containerd image store: up builds each image for the node's platform without attestations and loads it into kind as an archive, as kind documents for that store"
        : 'Docker keeps images in its classic image store',
    });

  const kindOk = kindVersion.ok && /v?\d+\.\d+/.test(kindVersion.stdout);
  checks.push({
    id: 'kind',
    ok: kindOk,
    required: true,
    detail: kindOk
      ? kindVersion.stdout.trim()
      : kindVersion.missing
        ? 'kind is not installed'
        : `kind did not run: ${kindVersion.stderr.trim()}`,
    fix: kindOk ? undefined : fix('kind'),
  });

  const kubectlClient = readKubectlVersion(kubectlVersion.stdout);
  const kubectlOk =
    kubectlVersion.ok && kubectlClient !== undefined && kubectlClient.minor >= MIN_KUBECTL_MINOR;
  checks.push({
    id: 'kubectl',
    ok: kubectlOk,
    required: true,
    detail: kubectlVersion.missing
      ? 'kubectl is not installed'
      : kubectlClient
        ? `kubectl ${kubectlClient.gitVersion}${kubectlOk ? '' : `; the labs need 1.${MIN_KUBECTL_MINOR} or newer`}`
        : `kubectl did not report its version: ${kubectlVersion.stderr.trim()}`,
    fix: kubectlOk ? undefined : fix('kubectl'),
  });

  // What Docker can give against the course's peak, replayed from its labs and manifests
  // (src/course/capacity.ts): the exercise that would not fit is named.
  if (daemonOk) {
    const fit = capacityVerdict(info.cpus, info.memTotal);
    if (fit.memory)
      checks.push({
        id: 'docker-memory',
        ok: fit.memory.ok,
        required: true,
        detail: fit.memory.detail,
        fix: fit.memory.ok ? undefined : fix('memory'),
      });
    if (fit.cpu)
      checks.push({
        id: 'docker-cpu',
        ok: fit.cpu.ok,
        required: true,
        detail: fit.cpu.detail,
        fix: fit.cpu.ok ? undefined : fix('cpu'),
      });
  }

  if (inotify && os === 'linux') {
    const ok = inotify.watches >= 524288 && inotify.instances >= 512;
    checks.push({
      id: 'inotify',
      ok,
      required: false,
      detail: `fs.inotify.max_user_watches=${inotify.watches}, max_user_instances=${inotify.instances}${ok ? '' : ' (kind recommends 524288 and 512)'}`,
      fix: ok ? undefined : fix('inotify'),
    });
  }

  return {
    ok: checks.every((c) => c.ok || !c.required),
    checks,
    os,
    docker: daemonOk ? info : undefined,
  };
}

function readKubectlVersion(stdout: string): { gitVersion: string; minor: number } | undefined {
  try {
    const version = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string; minor?: string } })
      .clientVersion;
    if (!version?.gitVersion) return undefined;
    const minor = Number.parseInt(version.minor ?? version.gitVersion.split('.')[1] ?? '0', 10);
    return { gitVersion: version.gitVersion, minor };
  } catch {
    return undefined;
  }
}

async function readInotify(dir: string): Promise<{ watches: number; instances: number } | undefined> {
  try {
    const [watches, instances] = await Promise.all([
      readFile(`${dir}/max_user_watches`, 'utf8'),
      readFile(`${dir}/max_user_instances`, 'utf8'),
    ]);
    return { watches: Number(watches.trim()), instances: Number(instances.trim()) };
  } catch {
    return undefined;
  }
}
