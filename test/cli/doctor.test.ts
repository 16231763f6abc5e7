import { readFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { churnLabs, linkKubectl, standIn, tempHome } from './helpers.js';

type Report = {
  ok: boolean;
  checks: { id: string; ok: boolean; required: boolean; detail: string; fix: string | null }[];
};

const GiB = 1024 ** 3;
const STANDIN = resolve('test/environment/bin/standin.cjs');
const dockerInfo = (info: Record<string, unknown>, stderr = '') => `
if (args[0] === '--version') { console.log('Docker version 27.3.1, build ce12230'); process.exit(0); }
if (args[0] === 'info') { ${stderr ? `console.error(${JSON.stringify(stderr)});` : ''} console.log(JSON.stringify(${JSON.stringify(info)})); process.exit(0); }
process.exit(1);`;
const kindVersion = `console.log('kind v0.27.0 go1.23.6 linux/amd64');`;

describe('doctor', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  beforeEach(async () => {
    env = await tempHome();
    await linkKubectl(env.bin);
  });
  afterEach(() => env.cleanup());

  const doctor = async () => {
    const result = await churnLabs(['doctor', '--json'], { home: env.home, path: env.bin });
    return {
      exitCode: result.exitCode,
      report: JSON.parse(String(result.stdout)) as Report,
      stdout: String(result.stdout),
    };
  };
  const check = (report: Report, id: string) => report.checks.find((c) => c.id === id)!;

  it('passes when docker, its daemon, kind and kubectl are there with enough memory', async () => {
    await standIn(
      env.bin,
      'docker',
      dockerInfo({ ServerVersion: '27.3.1', MemTotal: 8 * GiB, NCPU: 8, ServerErrors: null }),
    );
    await standIn(env.bin, 'kind', kindVersion);
    const { exitCode, report } = await doctor();
    expect(report.ok).toBe(true);
    expect(exitCode).toBe(0);
    for (const id of ['node', 'docker', 'docker-daemon', 'kind', 'kubectl', 'docker-memory', 'docker-cpu']) {
      expect(check(report, id)).toMatchObject({ ok: true, required: true, fix: null });
    }
    expect(check(report, 'kubectl').detail).toMatch(/^kubectl v1\.\d+/);
  });

  it('names the context in its kubectl call, version --client included (a wrapper may contact a server)', async () => {
    await standIn(env.bin, 'docker', dockerInfo({ ServerVersion: '27.3.1', MemTotal: 8 * GiB, NCPU: 8 }));
    await standIn(env.bin, 'kind', kindVersion);
    // A kubectl wrapper that records how it was called, in front of the real one.
    const real = join(env.bin, 'kubectl');
    await rename(real, join(env.bin, 'kubectl-real'));
    const calls = join(env.home, 'kubectl-calls');
    await standIn(
      env.bin,
      'kubectl',
      `require('node:fs').appendFileSync(${JSON.stringify(calls)}, JSON.stringify(args) + '\\n');
const r = require('node:child_process').spawnSync(${JSON.stringify(join(env.bin, 'kubectl-real'))}, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);`,
    );
    await churnLabs(['doctor', '--json', '--context', 'my-lab'], { home: env.home, path: env.bin });
    await churnLabs(['doctor', '--json'], { home: env.home, path: env.bin });
    const lines = (await readFile(calls, 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as string[])).toEqual([
      ['--context', 'my-lab', 'version', '--client', '-o', 'json'],
      ['--context', 'kind-churn-labs', 'version', '--client', '-o', 'json'],
    ]);
  });

  it('sees a daemon that is down even though docker info exits 0', async () => {
    await standIn(
      env.bin,
      'docker',
      dockerInfo(
        {
          ServerVersion: '',
          ServerErrors: [
            'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
          ],
        },
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      ),
    );
    await standIn(env.bin, 'kind', kindVersion);
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    expect(report.ok).toBe(false);
    expect(check(report, 'docker')).toMatchObject({ ok: true });
    const daemon = check(report, 'docker-daemon');
    expect(daemon.ok).toBe(false);
    expect(daemon.detail).toMatch(/Cannot connect to the Docker daemon/);
    expect(daemon.fix).toMatch(process.platform === 'darwin' ? /Docker Desktop/ : /systemctl start docker/);
  });

  it('says to join the docker group when the socket is not ours', async () => {
    await standIn(
      env.bin,
      'docker',
      dockerInfo({ ServerErrors: ['permission denied while trying to connect to the Docker daemon socket'] }),
    );
    await standIn(env.bin, 'kind', kindVersion);
    const daemon = check((await doctor()).report, 'docker-daemon');
    expect(daemon.ok).toBe(false);
    if (process.platform === 'linux') expect(daemon.fix).toMatch(/usermod -aG docker/);
  });

  it('names what is missing with the install command, and never reaches for the network itself', async () => {
    const { exitCode, report, stdout } = await doctor();
    expect(exitCode).toBe(1);
    expect(check(report, 'docker')).toMatchObject({
      ok: false,
      detail: 'the docker command is not installed',
    });
    expect(check(report, 'kind')).toMatchObject({ ok: false, detail: 'kind is not installed' });
    expect(check(report, 'kind').fix).toMatch(/kind/);
    expect(check(report, 'docker').fix).toMatch(/docker/i);
    expect(stdout.trim().startsWith('{')).toBe(true);
  });

  it('compares Docker memory with what the labs request', async () => {
    await standIn(env.bin, 'docker', dockerInfo({ ServerVersion: '27.3.1', MemTotal: 2 * GiB }));
    await standIn(env.bin, 'kind', kindVersion);
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    const memory = check(report, 'docker-memory');
    expect(memory).toMatchObject({ ok: false, required: true });
    expect(memory.detail).toMatch(/^Docker has 2\.0 GiB; Exercise \d+ \([a-z-]+\) needs about \d\.\d GiB \(/);
  });

  it('compares Docker CPUs with what the labs request', async () => {
    await standIn(env.bin, 'docker', dockerInfo({ ServerVersion: '27.3.1', MemTotal: 8 * GiB, NCPU: 2 }));
    await standIn(env.bin, 'kind', kindVersion);
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    expect(check(report, 'docker-cpu')).toMatchObject({ ok: false, required: true });
    expect(check(report, 'docker-cpu').detail).toMatch(
      /^Docker has 2 CPUs; Exercise 4 \(scale-api\) requests 3\.56 CPUs \(5 churn-api pods × 500m .*\), so it needs 4: a pod that does not fit stays Pending$/,
    );
  });

  it('prints plain lines with the fix and the simulated alternative', async () => {
    const result = await churnLabs(['doctor'], { home: env.home, path: env.bin });
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toMatch(/✗ docker +the docker command is not installed\n {2}fix: /);
    expect(String(result.stdout)).toMatch(/churn-labs start --simulate/);
    expect(String(result.stdout)).not.toMatch(/\u001b\[/);
  });

  /** The shared stand-ins of test/environment, as this machine's docker and kind. */
  const machine = async (vars: Record<string, string>) => {
    for (const tool of ['docker', 'kind'])
      await standIn(env.bin, tool, `require(${JSON.stringify(STANDIN)})(${JSON.stringify(tool)}, args);`);
    return {
      STANDIN_LOG: join(env.home, 'calls.jsonl'),
      STANDIN_STATE: join(env.home, 'standin-state.json'),
      ...vars,
    };
  };
  const doctorOn = async (vars: Record<string, string>) => {
    const result = await churnLabs(['doctor', '--json'], {
      home: env.home,
      path: env.bin,
      env: await machine(vars),
    });
    return { exitCode: result.exitCode, report: JSON.parse(String(result.stdout)) as Report };
  };

  it.each([
    [
      'new',
      {},
      /failed to connect to the docker API/,
      /^Start the Docker daemon: sudo systemctl start docker/,
    ],
    [
      'old',
      {},
      /Cannot connect to the Docker daemon/,
      /^Start the Docker daemon: sudo systemctl start docker/,
    ],
    ['permission', {}, /permission denied/, /^Let your user talk to Docker: sudo usermod -aG docker/],
    [
      'desktop',
      {},
      /\.docker\/desktop\/docker\.sock/,
      /^Start Docker Desktop \(systemctl --user start docker-desktop\)/,
    ],
    [
      'new',
      { WSL_DISTRO_NAME: 'Ubuntu-24.04' },
      /failed to connect to the docker API/,
      /^Start Docker Desktop on Windows .*turn on its WSL integration for this distro \(Ubuntu-24\.04\)/,
    ],
  ])('gives the fix for a daemon that is down, by its wording (%s, %o)', async (wording, vars, said, fix) => {
    if (process.platform !== 'linux') return;
    const { exitCode, report } = await doctorOn({
      STANDIN_FAIL: 'daemon-down',
      STANDIN_DAEMON: wording,
      ...vars,
    });
    expect(exitCode).toBe(1);
    const daemon = check(report, 'docker-daemon');
    expect(daemon.ok).toBe(false);
    expect(daemon.detail).toMatch(said);
    expect(daemon.fix).toMatch(fix);
    if ('WSL_DISTRO_NAME' in vars) expect(daemon.fix).not.toMatch(/systemctl|apt-get/);
  });

  it('tells the truth about a docker that is Podman, in one sentence with the fix', async () => {
    const { exitCode, report } = await doctorOn({ STANDIN_DOCKER: 'podman' });
    expect(exitCode).toBe(1);
    expect(check(report, 'docker')).toMatchObject({
      ok: false,
      detail: 'docker is Podman 4.3.1 (podman-docker), and churn-labs runs kind on Docker only',
    });
    expect(check(report, 'docker').fix).toMatch(
      /^churn-labs needs Docker, not Podman: .*churn-labs start --simulate\.$/,
    );
    expect(check(report, 'docker-daemon')).toMatchObject({
      ok: false,
      detail: 'not checked: Podman answers as docker',
    });
  });

  it("in WSL with Docker Desktop's integration off, says to turn it on rather than to install Docker", async () => {
    const { report } = await doctorOn({ STANDIN_DOCKER: 'wsl-shim', WSL_DISTRO_NAME: 'Ubuntu' });
    const docker = check(report, 'docker');
    expect(docker).toMatchObject({
      ok: false,
      detail: "docker is Docker Desktop's placeholder in this WSL distro: its WSL integration is off",
    });
    expect(docker.fix).toMatch(/^Turn on Docker Desktop's WSL integration for this distro \(Ubuntu\)/);
    expect(docker.fix).not.toMatch(/apt-get|systemctl/);
  });

  it.each([
    [
      'containerd',
      /containerd image store: up builds each image for the node's platform without attestations/,
    ],
    ['classic', /^Docker keeps images in its classic image store$/],
  ])('says which image store Docker uses (%s)', async (store, detail) => {
    const { exitCode, report } = await doctorOn({ STANDIN_STORE: store, STANDIN_OS: 'Docker Desktop' });
    expect(exitCode).toBe(0);
    expect(check(report, 'docker-store')).toMatchObject({ ok: true, required: false });
    expect(check(report, 'docker-store').detail).toMatch(detail);
    expect(check(report, 'docker-daemon').detail).toBe(
      'Docker 29.1.2 is running (Docker Desktop) on linux/amd64',
    );
  });

  it('gives WSL 2 its own fixes for memory: .wslconfig, not "close other programs"', async () => {
    const { report } = await doctorOn({ WSL_DISTRO_NAME: 'Ubuntu', STANDIN_MEMORY: String(3 * GiB) });
    expect(check(report, 'docker-memory').fix).toMatch(/\.wslconfig on Windows set \[wsl2\] memory=6GB/);
  });
});
