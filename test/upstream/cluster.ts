import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../..');
/** Upstream's commands name their manifests from the repository root (hack/testdata/...). */
export const FIXTURES = join(here, 'fixtures');
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

export interface Output {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as `$(kubectl ... 2>&1)` captures them. */
  all: string;
  exitCode: number;
}

/**
 * The built `churn-labs sim serve` (controllers and the simulated node on) in its own state
 * folder, and the real kubectl pointed at it through a kubeconfig of our own: upstream's tests
 * switch namespaces with `kubectl config set-context`, which must not touch the simulator's file.
 */
export interface UpstreamCluster {
  home: string;
  kubeconfig: string;
  context: string;
  kubectl(
    args: string[],
    options?: { input?: string; timeout?: number; env?: Record<string, string> },
  ): Promise<Output>;
  stop(): Promise<void>;
}

export async function startUpstreamCluster(): Promise<UpstreamCluster> {
  const home = await mkdtemp(join(tmpdir(), 'churn-labs-upstream-'));
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'sim', 'serve'], {
    env: { ...process.env, CHURN_LABS_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = await readyLine(child);
  const simKubeconfig = /kubeconfig=(\S+)/.exec(ready)?.[1];
  const context = /context=(\S+)/.exec(ready)?.[1];
  if (!simKubeconfig || !context) throw new Error(`sim serve said: ${ready}`);
  const kubeconfig = join(home, 'kubeconfig');
  await copyFile(simKubeconfig, kubeconfig);
  const env = { HOME: home, KUBECONFIG: kubeconfig, LANG: 'C' };
  const cluster: UpstreamCluster = {
    home,
    kubeconfig,
    context,
    async kubectl(args, run = {}) {
      const result = await execa(KUBECTL, args, {
        reject: false,
        all: true,
        cwd: FIXTURES,
        input: run.input ?? '',
        timeout: run.timeout ?? 60_000,
        env: { ...env, ...run.env },
        extendEnv: true,
      });
      return {
        stdout: String(result.stdout ?? ''),
        stderr: String(result.stderr ?? ''),
        all: String(result.all ?? ''),
        exitCode: result.exitCode ?? -1,
      };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(home, { recursive: true, force: true });
    },
  };
  await cluster.kubectl(['config', 'use-context', context]);
  return cluster;
}

function readyLine(child: ChildProcess): Promise<string> {
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`sim serve did not start: ${err}`)), 30_000);
    child.stderr?.on('data', (chunk) => {
      // Kept draining for the whole run (a full pipe would stall the server); only the tail is kept.
      err = (err + chunk).slice(-8000);
    });
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('ready '));
      if (line) {
        clearTimeout(timer);
        done(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`sim serve exited (${code}): ${err}`));
    });
  });
}
