import { type RunOptions, runTool, type ToolResult } from './tool.js';

export function docker(args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  return runTool('docker', args, { timeoutMs: 60_000, ...options });
}

/**
 * Podman, where it is the engine and there is no `docker` (podman-docker's `docker` goes through
 * `docker` above). Only `up --registry` uses it: building and pushing, no kind.
 */
export function podman(args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  return runTool('podman', args, { timeoutMs: 60_000, ...options });
}

/** What `docker --version` says the docker command is. */
export type DockerCli =
  | { kind: 'docker'; version: string }
  /** podman-docker: a `docker` that runs Podman. */
  | { kind: 'podman'; version: string }
  | { kind: 'unknown'; output: string };

export function readDockerCli(output: string): DockerCli {
  const podman = /podman version (\S+)/i.exec(output);
  if (podman) return { kind: 'podman', version: podman[1]! };
  const docker = /Docker version ([^\s,]+)/i.exec(output);
  if (docker) return { kind: 'docker', version: docker[1]! };
  return { kind: 'unknown', output: output.trim() };
}

/** What `docker info --format '{{json .}}'` tells about the daemon, whatever answered it. */
export interface DockerInfo {
  serverVersion?: string;
  /** Why the daemon did not answer: ServerErrors, or the CLI's own line on stderr. */
  errors: string[];
  memTotal?: number;
  cpus?: number;
  /** The daemon's (and so the kind node's) platform, as images name it: linux/amd64, linux/arm64. */
  platform?: string;
  /** "Docker Desktop", "Ubuntu 24.04.1 LTS", … */
  operatingSystem?: string;
  /** The containerd image store (io.containerd.snapshotter.v1) rather than the classic one. */
  containerdStore: boolean;
  /** Podman answered (its info has host/store/version objects, not ServerVersion). */
  podman?: string;
}

interface RawInfo {
  ServerVersion?: string;
  ServerErrors?: string[] | null;
  MemTotal?: number;
  NCPU?: number;
  Architecture?: string;
  OperatingSystem?: string;
  Driver?: string;
  DriverStatus?: [string, string][] | null;
  host?: { arch?: string };
  version?: { Version?: string };
}

const ARCHITECTURES: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
};

export function readDockerInfo(stdout: string, stderr: string): DockerInfo {
  let info: RawInfo = {};
  const line = stdout
    .trim()
    .split('\n')
    .find((l) => l.startsWith('{'));
  if (line) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) info = parsed as RawInfo;
    } catch {
      // no server version: the daemon did not answer
    }
  }
  const errors = (Array.isArray(info.ServerErrors) ? info.ServerErrors : []).filter(
    (e): e is string => typeof e === 'string',
  );
  // Only a daemon that did not answer explains itself on stderr; a warning there (a CLI plugin's)
  // says nothing about the daemon.
  const answered = typeof info.ServerVersion === 'string' && info.ServerVersion !== '';
  const stderrError = answered
    ? undefined
    : stderr
        .split('\n')
        .map((l) => l.trim())
        .find((l) =>
          /failed to connect to the docker API|cannot connect to the docker daemon|error during connect|permission denied while trying to connect|is the docker daemon running|could not be found in this WSL/i.test(
            l,
          ),
        );
  if (stderrError && !errors.includes(stderrError)) errors.push(stderrError);
  const podman = typeof info.version?.Version === 'string' && info.host ? info.version.Version : undefined;
  const arch = ARCHITECTURES[String(info.Architecture ?? info.host?.arch ?? '')];
  const driverType = (Array.isArray(info.DriverStatus) ? info.DriverStatus : []).find(
    (entry) => Array.isArray(entry) && entry[0] === 'driver-type',
  )?.[1];
  return {
    serverVersion:
      typeof info.ServerVersion === 'string' && info.ServerVersion ? info.ServerVersion : undefined,
    errors,
    memTotal: typeof info.MemTotal === 'number' ? info.MemTotal : undefined,
    cpus: typeof info.NCPU === 'number' ? info.NCPU : undefined,
    platform: arch ? `linux/${arch}` : undefined,
    operatingSystem: typeof info.OperatingSystem === 'string' ? info.OperatingSystem : undefined,
    containerdStore: driverType === 'io.containerd.snapshotter.v1',
    podman,
  };
}

/** The one call that reads the daemon: its version, store, platform, CPUs and memory. */
export async function dockerInfo(
  options: RunOptions = {},
  engine: typeof docker = docker,
): Promise<{ result: ToolResult; info: DockerInfo }> {
  const result = await engine(['info', '--format', '{{json .}}'], { timeoutMs: 20_000, ...options });
  return { result, info: readDockerInfo(result.stdout, result.stderr) };
}
