import { readFile } from 'node:fs/promises';

/**
 * The machine the learner runs on, as far as the fixes we print depend on it. WSL 2 is Linux to
 * Node (process.platform is 'linux'), but its Docker is Docker Desktop on Windows: `systemctl` and
 * `apt-get` are the wrong advice there.
 */
export type HostOs = 'darwin' | 'linux' | 'win32' | 'wsl';

export interface HostFacts {
  platform?: NodeJS.Platform;
  /** The kernel's release string (/proc/sys/kernel/osrelease on Linux). */
  osRelease?: string;
  env?: NodeJS.ProcessEnv;
}

/** WSL 2 kernels are Microsoft's builds: their release reads like 5.15.167.4-microsoft-standard-WSL2. */
export function hostOs(facts: HostFacts = {}): HostOs {
  const platform = facts.platform ?? process.platform;
  if (platform === 'darwin' || platform === 'win32') return platform;
  const env = facts.env ?? process.env;
  if (/microsoft|wsl/i.test(facts.osRelease ?? '') || env.WSL_DISTRO_NAME) return 'wsl';
  return 'linux';
}

/** Reads what hostOs needs from this machine. */
export async function detectHostOs(
  platform: NodeJS.Platform = process.platform,
  osReleaseFile = '/proc/sys/kernel/osrelease',
): Promise<HostOs> {
  if (platform !== 'linux') return hostOs({ platform });
  const osRelease = await readFile(osReleaseFile, 'utf8').catch(() => '');
  return hostOs({ platform, osRelease });
}

/**
 * This machine's OS without reading a file, for messages made in the middle of `up`: WSL sets
 * WSL_DISTRO_NAME and WSL_INTEROP in every process it starts.
 */
export function currentHostOs(env: NodeJS.ProcessEnv = process.env): HostOs {
  return hostOs({ env: env.WSL_INTEROP ? { WSL_DISTRO_NAME: env.WSL_INTEROP, ...env } : env });
}

/** The name WSL gives this distribution, for "turn on WSL integration for <distro>". */
export const wslDistro = (env: NodeJS.ProcessEnv = process.env) => env.WSL_DISTRO_NAME || 'this distro';

/** `uname -m` as Kubernetes' download URLs spell architectures (amd64, arm64). */
const ARCH = '$(uname -m | sed -e s/x86_64/amd64/ -e s/aarch64/arm64/)';
const KIND_VERSION = 'v0.27.0';

type Table = Partial<Record<HostOs, string>>;

/** The fix for each kind of trouble, per OS. WSL falls back to Linux where the two agree. */
export const FIXES = {
  docker: {
    darwin:
      'Install Docker Desktop: https://docs.docker.com/desktop/setup/install/mac-install/ (or: brew install --cask docker), then start it.',
    linux:
      'Install Docker Engine: https://docs.docker.com/engine/install/ (Debian/Ubuntu: sudo apt-get install -y docker.io), then: sudo usermod -aG docker $USER and log in again.',
    win32:
      'Install Docker Desktop with the WSL 2 backend: https://docs.docker.com/desktop/setup/install/windows-install/ (or: winget install -e --id Docker.DockerDesktop).',
    wsl: 'Install Docker Desktop on Windows (https://docs.docker.com/desktop/setup/install/windows-install/), start it, and turn on its WSL integration for this distro: Docker Desktop > Settings > Resources > WSL integration.',
  },
  daemonDown: {
    darwin: 'Start Docker Desktop (open -a Docker) and wait until it says it is running.',
    linux:
      'Start the Docker daemon: sudo systemctl start docker (and sudo systemctl enable docker to start it at boot).',
    win32: 'Start Docker Desktop from the Start menu and wait until it says it is running.',
    wsl: 'Start Docker Desktop on Windows and wait until it says it is running; if it runs already, turn on its WSL integration for this distro: Docker Desktop > Settings > Resources > WSL integration.',
  },
  desktopDown: {
    darwin: 'Start Docker Desktop (open -a Docker) and wait until it says it is running.',
    linux:
      'Start Docker Desktop (systemctl --user start docker-desktop), or switch to Docker Engine: docker context use default.',
    win32: 'Start Docker Desktop from the Start menu and wait until it says it is running.',
    wsl: 'Start Docker Desktop on Windows and wait until it says it is running.',
  },
  wslIntegration: {
    wsl: 'Turn on Docker Desktop\'s WSL integration for this distro: Docker Desktop > Settings > Resources > WSL integration, switch it on, "Apply & restart", then open a new terminal.',
  },
  daemonPermission: {
    darwin: 'Restart Docker Desktop; if it persists, reinstall it.',
    linux:
      'Let your user talk to Docker: sudo usermod -aG docker $USER, then log out and back in (or run: newgrp docker).',
    win32: 'Restart Docker Desktop; make sure your user is in the docker-users group.',
    wsl: 'Restart Docker Desktop on Windows (or in PowerShell: wsl --shutdown, then start Docker Desktop again).',
  },
  podman: {
    linux:
      'churn-labs needs Docker, not Podman: install Docker Engine (https://docs.docker.com/engine/install/) and remove podman-docker, or practise without Docker: churn-labs start --simulate.',
    darwin:
      'churn-labs needs Docker, not Podman: install Docker Desktop (https://docs.docker.com/desktop/setup/install/mac-install/), or practise without Docker: churn-labs start --simulate.',
    win32:
      'churn-labs needs Docker, not Podman: install Docker Desktop (https://docs.docker.com/desktop/setup/install/windows-install/), or practise without Docker: churn-labs start --simulate.',
  },
  kind: {
    darwin:
      'Install kind: brew install kind (or see https://kind.sigs.k8s.io/docs/user/quick-start/#installation).',
    linux: `Install kind: curl -Lo ./kind https://kind.sigs.k8s.io/dl/${KIND_VERSION}/kind-linux-${ARCH} && chmod +x ./kind && sudo mv ./kind /usr/local/bin/kind`,
    win32: 'Install kind: winget install -e --id Kubernetes.kind (or: choco install kind).',
  },
  kubectl: {
    darwin:
      'Install kubectl: brew install kubectl (or see https://kubernetes.io/docs/tasks/tools/install-kubectl-macos/).',
    linux: `Install kubectl: curl -LO "https://dl.k8s.io/release/$(curl -L -s https://dl.k8s.io/release/stable.txt)/bin/linux/${ARCH}/kubectl" && sudo install -m 0755 kubectl /usr/local/bin/kubectl`,
    win32: 'Install kubectl: winget install -e --id Kubernetes.kubectl',
  },
  node: {
    darwin: 'Install Node.js 20 or newer: brew install node@22 (or use nvm: nvm install 22).',
    linux: 'Install Node.js 20 or newer: https://nodejs.org/en/download (or use nvm: nvm install 22).',
    win32: 'Install Node.js 20 or newer: winget install -e --id OpenJS.NodeJS.LTS',
  },
  cpu: {
    darwin:
      'Give Docker more CPUs: Docker Desktop > Settings > Resources > CPU limit: at least 4, then Apply & restart.',
    linux:
      "Docker uses this machine's CPUs: run the labs on a machine with at least 4 CPUs (or use churn-labs start --simulate).",
    win32:
      'Give WSL 2 more CPUs: in %UserProfile%\\.wslconfig set [wsl2] processors=4, then run: wsl --shutdown and restart Docker Desktop.',
    wsl: 'Give WSL 2 more CPUs: in %UserProfile%\\.wslconfig on Windows set [wsl2] processors=4, then in PowerShell: wsl --shutdown, and restart Docker Desktop.',
  },
  memory: {
    darwin:
      'Give Docker more memory: Docker Desktop > Settings > Resources > Memory: at least 6 GB, then Apply & restart.',
    linux:
      "Docker uses this machine's memory: close other programs, or run the labs on a machine with more memory (or use churn-labs start --simulate).",
    win32:
      'Give WSL 2 more memory: in %UserProfile%\\.wslconfig set [wsl2] memory=6GB, then run: wsl --shutdown and restart Docker Desktop.',
    wsl: 'Give WSL 2 more memory: in %UserProfile%\\.wslconfig on Windows set [wsl2] memory=6GB, then in PowerShell: wsl --shutdown, and restart Docker Desktop.',
  },
  inotify: {
    linux:
      'Raise the inotify limits (kind needs them): sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512 (add both to /etc/sysctl.conf to keep them).',
  },
  shell: {
    win32:
      "The exercises' commands and solutions run in a POSIX shell (sh), which Windows lacks: run churn-labs inside WSL 2 (wsl --install, then Node.js, kubectl and kind there, with Docker Desktop's WSL integration on), or from Git Bash (https://git-scm.com/download/win).",
  },
  pullLimit: {
    linux:
      'Log in to Docker Hub (docker login: a free account raises the limit), or wait for the limit to reset (it counts the last 6 hours), then run churn-labs up again.',
  },
  /** Docker Desktop, whatever the OS (on Linux too, its settings are in its own window). */
  containerdStoreDesktop: {
    linux:
      'Turn off Docker Desktop\'s containerd image store (Settings > General > "Use containerd for pulling and storing images", Apply & restart), then run churn-labs up again.',
  },
  containerdStore: {
    darwin:
      'Turn off Docker Desktop\'s containerd image store (Settings > General > "Use containerd for pulling and storing images", Apply & restart), then run churn-labs up again.',
    linux:
      'Turn off Docker\'s containerd image store: remove "containerd-snapshotter" from "features" in /etc/docker/daemon.json (or set it to false), sudo systemctl restart docker, then run churn-labs up again.',
    win32:
      'Turn off Docker Desktop\'s containerd image store (Settings > General > "Use containerd for pulling and storing images", Apply & restart), then run churn-labs up again.',
    wsl: 'Turn off Docker Desktop\'s containerd image store (on Windows: Settings > General > "Use containerd for pulling and storing images", Apply & restart), then run churn-labs up again.',
  },
} satisfies Record<string, Table>;

export type FixTopic = keyof typeof FIXES;

/** The fix for one topic on this OS: WSL takes Linux's where it has none of its own. */
export function fixFor(topic: FixTopic, os: HostOs): string {
  const table: Table = FIXES[topic];
  const fix = table[os] ?? (os === 'wsl' ? table.linux : undefined) ?? table.linux ?? Object.values(table)[0];
  return (fix ?? '').replace('this distro', os === 'wsl' ? `this distro (${wslDistro()})` : 'this distro');
}

/**
 * Why Docker did not answer, read from what the docker CLI (or a tool running it, like kind)
 * printed. Each wording has its own fix: the daemon is down (recent CLIs: "failed to connect to the
 * docker API at …"; older ones: "Cannot connect to the Docker daemon"), Docker Desktop is not
 * running (its own socket or pipe), the user may not use the socket, WSL has no integration.
 */
export type DockerTrouble = 'permission' | 'desktop-down' | 'wsl-integration' | 'daemon-down';

const TROUBLES: [DockerTrouble, RegExp][] = [
  ['wsl-integration', /could not be found in this WSL 2 distro/i],
  ['permission', /permission denied while trying to connect to the (Docker daemon|docker API)/i],
  [
    'desktop-down',
    /\.docker[\\/](desktop|run)[\\/]docker(-cli-api)?\.sock|dockerDesktop\w*Engine|docker_engine\b.*(cannot find|not find)/i,
  ],
  [
    'daemon-down',
    /failed to connect to the docker API|Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i,
  ],
];

export function dockerTrouble(text: string): DockerTrouble | undefined {
  return TROUBLES.find(([, pattern]) => pattern.test(text))?.[0];
}

export function troubleFix(trouble: DockerTrouble, os: HostOs): string {
  const topic: FixTopic = {
    permission: 'daemonPermission',
    'desktop-down': 'desktopDown',
    'wsl-integration': os === 'wsl' ? 'wslIntegration' : 'daemonDown',
    'daemon-down': 'daemonDown',
  }[trouble] as FixTopic;
  return fixFor(topic, os);
}
