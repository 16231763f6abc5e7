import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cluster/doctor.js';
import { detectHostOs, dockerTrouble, hostOs, troubleFix } from '../../src/cluster/host.js';

// Docker's wordings for a daemon it cannot reach, as its CLIs print them (docker/cli, moby's
// client errors, docker/for-win 14975, Docker 29 on a user outside the docker group).
const WORDINGS = {
  recent:
    'failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory',
  older: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
  windowsPipe:
    'error during connect: Get "http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.51/version": open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.',
  windowsElevated:
    'error during connect: In the default daemon configuration on Windows, the docker client must be run with elevated privileges to connect.: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/version": open //./pipe/docker_engine: The system cannot find the file specified.',
  macDesktop:
    'failed to connect to the docker API at unix:///Users/ana/.docker/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /Users/ana/.docker/run/docker.sock: connect: no such file or directory',
  permission: 'permission denied while trying to connect to the docker API at unix:///var/run/docker.sock',
  permissionOld:
    'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.47/info": dial unix /var/run/docker.sock: connect: permission denied',
  wslShim: "The command 'docker' could not be found in this WSL 2 distro.",
};

describe('what Docker said, and the fix for this machine', () => {
  it.each([
    ['recent', 'linux', 'daemon-down', /^Start the Docker daemon: sudo systemctl start docker/],
    ['older', 'linux', 'daemon-down', /^Start the Docker daemon: sudo systemctl start docker/],
    ['recent', 'wsl', 'daemon-down', /^Start Docker Desktop on Windows/],
    ['windowsPipe', 'win32', 'desktop-down', /^Start Docker Desktop from the Start menu/],
    ['windowsElevated', 'win32', 'desktop-down', /^Start Docker Desktop from the Start menu/],
    ['macDesktop', 'darwin', 'desktop-down', /^Start Docker Desktop \(open -a Docker\)/],
    ['permission', 'linux', 'permission', /sudo usermod -aG docker \$USER/],
    ['permissionOld', 'linux', 'permission', /sudo usermod -aG docker \$USER/],
    ['wslShim', 'wsl', 'wsl-integration', /^Turn on Docker Desktop's WSL integration/],
  ] as const)('%s on %s: %s', (wording, os, trouble, fix) => {
    expect(dockerTrouble(WORDINGS[wording])).toBe(trouble);
    expect(troubleFix(trouble, os)).toMatch(fix);
    if (os !== 'linux') expect(troubleFix(trouble, os)).not.toMatch(/systemctl start docker|apt-get/);
  });

  it('knows nothing to fix in output that is not about reaching Docker', () => {
    expect(
      dockerTrouble('ERROR: failed to solve: process "/bin/sh -c npm ci" did not complete'),
    ).toBeUndefined();
  });
});

describe('which machine this is', () => {
  let dir: string | undefined;
  afterEach(async () => dir && (await rm(dir, { recursive: true, force: true })));

  it('tells WSL 2 from Linux by the kernel release, or by what WSL sets', async () => {
    expect(hostOs({ platform: 'linux', osRelease: '5.15.167.4-microsoft-standard-WSL2', env: {} })).toBe(
      'wsl',
    );
    expect(hostOs({ platform: 'linux', osRelease: '6.8.0-49-generic', env: {} })).toBe('linux');
    expect(hostOs({ platform: 'linux', osRelease: '', env: { WSL_DISTRO_NAME: 'Ubuntu' } })).toBe('wsl');
    expect(hostOs({ platform: 'darwin', env: { WSL_DISTRO_NAME: 'x' } })).toBe('darwin');
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-host-'));
    await writeFile(join(dir, 'osrelease'), '6.6.87.2-microsoft-standard-WSL2\n');
    expect(await detectHostOs('linux', join(dir, 'osrelease'))).toBe('wsl');
    await writeFile(join(dir, 'osrelease'), '6.1.0-28-amd64\n');
    const saved = process.env.WSL_DISTRO_NAME;
    delete process.env.WSL_DISTRO_NAME;
    try {
      expect(await detectHostOs('linux', join(dir, 'osrelease'))).toBe('linux');
    } finally {
      if (saved !== undefined) process.env.WSL_DISTRO_NAME = saved;
    }
  });
});

describe('native Windows', () => {
  const saved = process.env.PATH;
  let dir: string | undefined;
  afterEach(async () => {
    process.env.PATH = saved;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says, before anything fails, that the course needs a POSIX shell: WSL 2 or Git Bash', async () => {
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-nosh-'));
    process.env.PATH = dir;
    const report = await runDoctor({ platform: 'win32' });
    const shell = report.checks.find((c) => c.id === 'shell');
    expect(shell).toMatchObject({ ok: false, required: true });
    expect(shell?.fix).toMatch(/run churn-labs inside WSL 2 .*or from Git Bash/);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'docker')?.fix).toMatch(
      /Docker Desktop with the WSL 2 backend/,
    );
  });

  it('has no shell check where sh is part of the system', async () => {
    const report = await runDoctor({ platform: 'linux' });
    expect(report.checks.some((c) => c.id === 'shell')).toBe(false);
  });
});
