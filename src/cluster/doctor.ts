import { readFile } from 'node:fs/promises';
import { docker } from './docker.js';
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
}

type Platform = NodeJS.Platform;

const MIN_NODE_MAJOR = 20;
const MIN_KUBECTL_MINOR = 27;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * What the labs ask of Docker's memory at their peak: the API at the 5 replicas of Exercise 4
 * (5 × 512Mi requests), a batch-scoring Job (1Gi request) beside them, and about 1Gi for the kind
 * node itself (control plane, metrics-server). The retrain CronJob (2Gi) runs only on its Sunday
 * schedule, which the labs never wait for.
 */
export const LAB_MEMORY_BYTES = 5 * 512 * MiB + 1 * GiB + 1 * GiB;

/**
 * CPUs the labs request at their peak: 5 API replicas × 500m (Exercise 4) beside the kind node's
 * own pods (about 0.95 CPU: API server, etcd, controller manager, scheduler, CoreDNS, kindnet)
 * and metrics-server. The scheduler leaves a pod Pending when requests do not fit.
 */
export const LAB_CPUS = 4;

const fixes = {
  docker: {
    darwin:
      'Install Docker Desktop: https://docs.docker.com/desktop/setup/install/mac-install/ (or: brew install --cask docker), then start it.',
    linux:
      'Install Docker Engine: https://docs.docker.com/engine/install/ (Debian/Ubuntu: sudo apt-get install -y docker.io), then: sudo usermod -aG docker $USER and log in again.',
    win32:
      'Install Docker Desktop with the WSL 2 backend: https://docs.docker.com/desktop/setup/install/windows-install/ (or: winget install -e --id Docker.DockerDesktop).',
  },
  daemonDown: {
    darwin: 'Start Docker Desktop (open -a Docker) and wait until it says it is running.',
    linux:
      'Start the Docker daemon: sudo systemctl start docker (and sudo systemctl enable docker to start it at boot).',
    win32: 'Start Docker Desktop from the Start menu and wait until it says it is running.',
  },
  daemonPermission: {
    darwin: 'Restart Docker Desktop; if it persists, reinstall it.',
    linux:
      'Let your user talk to Docker: sudo usermod -aG docker $USER, then log out and back in (or run: newgrp docker).',
    win32: 'Restart Docker Desktop; make sure your user is in the docker-users group.',
  },
  kind: {
    darwin:
      'Install kind: brew install kind (or see https://kind.sigs.k8s.io/docs/user/quick-start/#installation).',
    linux:
      'Install kind: [ $(uname -m) = x86_64 ] && curl -Lo ./kind https://kind.sigs.k8s.io/dl/v0.27.0/kind-linux-amd64; [ $(uname -m) = aarch64 ] && curl -Lo ./kind https://kind.sigs.k8s.io/dl/v0.27.0/kind-linux-arm64; chmod +x ./kind && sudo mv ./kind /usr/local/bin/kind',
    win32: 'Install kind: winget install -e --id Kubernetes.kind (or: choco install kind).',
  },
  kubectl: {
    darwin:
      'Install kubectl: brew install kubectl (or see https://kubernetes.io/docs/tasks/tools/install-kubectl-macos/).',
    linux:
      'Install kubectl: curl -LO "https://dl.k8s.io/release/$(curl -L -s https://dl.k8s.io/release/stable.txt)/bin/linux/amd64/kubectl" && sudo install -m 0755 kubectl /usr/local/bin/kubectl',
    win32: 'Install kubectl: winget install -e --id Kubernetes.kubectl',
  },
  node: {
    darwin: `Install Node.js ${MIN_NODE_MAJOR} or newer: brew install node@22 (or use nvm: nvm install 22).`,
    linux: `Install Node.js ${MIN_NODE_MAJOR} or newer: https://nodejs.org/en/download (or use nvm: nvm install 22).`,
    win32: `Install Node.js ${MIN_NODE_MAJOR} or newer: winget install -e --id OpenJS.NodeJS.LTS`,
  },
  cpu: {
    darwin:
      'Give Docker more CPUs: Docker Desktop > Settings > Resources > CPU limit: at least 4, then Apply & restart.',
    linux:
      "Docker uses this machine's CPUs: run the labs on a machine with at least 4 CPUs (or use churn-labs start --simulate).",
    win32:
      'Give WSL 2 more CPUs: in %UserProfile%\\.wslconfig set [wsl2] processors=4, then run: wsl --shutdown and restart Docker Desktop.',
  },
  memory: {
    darwin:
      'Give Docker more memory: Docker Desktop > Settings > Resources > Memory: at least 6 GB, then Apply & restart.',
    linux:
      "Docker uses this machine's memory: close other programs, or run the labs on a machine with more memory (or use churn-labs start --simulate).",
    win32:
      'Give WSL 2 more memory: in %UserProfile%\\.wslconfig set [wsl2] memory=6GB, then run: wsl --shutdown and restart Docker Desktop.',
  },
  inotify: {
    linux:
      'Raise the inotify limits (kind needs them): sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 (add both to /etc/sysctl.conf to keep them).',
  },
} as const;

function forOs(table: Partial<Record<'darwin' | 'linux' | 'win32', string>>, platform: Platform): string {
  return table[platform as 'darwin' | 'linux' | 'win32'] ?? table.linux ?? Object.values(table)[0] ?? '';
}

/** The fix for one of the doctor's topics on this OS, for messages outside the doctor (`up`). */
export function osFix(topic: keyof typeof fixes, platform: Platform = process.platform): string {
  return forOs(fixes[topic], platform);
}

export interface DoctorOptions {
  platform?: Platform;
  nodeVersion?: string;
  /** Where to read the inotify limits (Linux). */
  procSys?: string;
  /** Ends the doctor's commands at once (Ctrl-C during preflight). */
  signal?: AbortSignal;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const platform = options.platform ?? process.platform;
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const [dockerVersion, dockerInfo, kindVersion, kubectlVersion, inotify] = await Promise.all([
    docker(['version', '--format', '{{.Client.Version}}'], { timeoutMs: 15_000, signal: options.signal }),
    docker(['info', '--format', '{{json .}}'], { timeoutMs: 20_000, signal: options.signal }),
    kind(['version'], { timeoutMs: 15_000, signal: options.signal }),
    runTool('kubectl', ['version', '--client', '-o', 'json'], { timeoutMs: 15_000, signal: options.signal }),
    platform === 'linux'
      ? readInotify(options.procSys ?? '/proc/sys/fs/inotify')
      : Promise.resolve(undefined),
  ]);
  const checks: DoctorCheck[] = [];

  const major = Number(nodeVersion.split('.')[0]);
  checks.push({
    id: 'node',
    ok: major >= MIN_NODE_MAJOR,
    required: true,
    detail: `Node.js ${nodeVersion}${major >= MIN_NODE_MAJOR ? '' : `; churn-labs needs ${MIN_NODE_MAJOR} or newer`}`,
    fix: major >= MIN_NODE_MAJOR ? undefined : forOs(fixes.node, platform),
  });

  const dockerCli = !dockerVersion.missing && dockerVersion.stdout.trim() !== '';
  checks.push({
    id: 'docker',
    ok: dockerCli,
    required: true,
    detail: dockerCli ? `docker CLI ${dockerVersion.stdout.trim()}` : 'the docker command is not installed',
    fix: dockerCli ? undefined : forOs(fixes.docker, platform),
  });

  // `docker info` can exit 0 while the daemon is down: the answer is in ServerVersion and ServerErrors.
  const daemon = readDaemon(dockerInfo.stdout, dockerInfo.stderr);
  const daemonOk = dockerCli && daemon.serverVersion !== undefined && daemon.errors.length === 0;
  const permission = /permission denied/i.test(`${daemon.errors.join(' ')} ${dockerInfo.stderr}`);
  checks.push({
    id: 'docker-daemon',
    ok: daemonOk,
    required: true,
    detail: !dockerCli
      ? 'no docker CLI to ask'
      : daemonOk
        ? `Docker daemon ${daemon.serverVersion} is running`
        : `the Docker daemon is not reachable${daemon.errors[0] ? `: ${daemon.errors[0]}` : ''}`,
    fix: daemonOk
      ? undefined
      : !dockerCli
        ? forOs(fixes.docker, platform)
        : permission
          ? forOs(fixes.daemonPermission, platform)
          : forOs(fixes.daemonDown, platform),
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
    fix: kindOk ? undefined : forOs(fixes.kind, platform),
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
    fix: kubectlOk ? undefined : forOs(fixes.kubectl, platform),
  });

  if (daemonOk && daemon.memTotal !== undefined) {
    const enough = daemon.memTotal >= LAB_MEMORY_BYTES;
    checks.push({
      id: 'docker-memory',
      ok: enough,
      required: true,
      detail: `Docker has ${(daemon.memTotal / GiB).toFixed(1)} GiB; the labs request about ${(LAB_MEMORY_BYTES / GiB).toFixed(1)} GiB at their peak (5 API replicas × 512Mi, a 1Gi batch Job, the node itself)`,
      fix: enough ? undefined : forOs(fixes.memory, platform),
    });
  }

  if (daemonOk && daemon.cpus !== undefined) {
    const enough = daemon.cpus >= LAB_CPUS;
    checks.push({
      id: 'docker-cpu',
      ok: enough,
      required: true,
      detail: `Docker has ${daemon.cpus} CPU${daemon.cpus === 1 ? '' : 's'}; the labs request about ${LAB_CPUS} at their peak (5 API replicas × 500m, the node's own pods)`,
      fix: enough ? undefined : forOs(fixes.cpu, platform),
    });
  }

  if (inotify) {
    const ok = inotify.watches >= 524288 && inotify.instances >= 512;
    checks.push({
      id: 'inotify',
      ok,
      required: false,
      detail: `fs.inotify.max_user_watches=${inotify.watches}, max_user_instances=${inotify.instances}${ok ? '' : ' (kind recommends 524288 and 512)'}`,
      fix: ok ? undefined : fixes.inotify.linux,
    });
  }

  return { ok: checks.every((c) => c.ok || !c.required), checks };
}

export function readDaemon(
  stdout: string,
  stderr: string,
): { serverVersion?: string; errors: string[]; memTotal?: number; cpus?: number } {
  const errors: string[] = [];
  let info: { ServerVersion?: string; ServerErrors?: string[]; MemTotal?: number; NCPU?: number } = {};
  const line = stdout
    .trim()
    .split('\n')
    .find((l) => l.startsWith('{'));
  if (line) {
    try {
      info = JSON.parse(line);
    } catch {
      // fall through: no server version
    }
  }
  errors.push(...(info.ServerErrors ?? []));
  const stderrError = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) =>
      /cannot connect|error during connect|permission denied|is the docker daemon running/i.test(l),
    );
  if (stderrError && !errors.includes(stderrError)) errors.push(stderrError);
  return { serverVersion: info.ServerVersion || undefined, errors, memTotal: info.MemTotal, cpus: info.NCPU };
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
