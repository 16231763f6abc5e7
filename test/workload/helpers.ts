import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as esbuild from 'esbuild';
import { execa, type ResultPromise } from 'execa';

/**
 * Bundles src/workload/main.ts into one file, as the image ships it, so the tests run the real
 * program without depending on the state of dist/. One bundle per test file.
 */
export async function buildWorkload(): Promise<{ bin: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'churn-mlops-bin-'));
  const bin = join(dir, 'churn-mlops.js');
  await esbuild.build({
    entryPoints: ['src/workload/main.ts'],
    outfile: bin,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
    },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  return { bin, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A folder standing for the container's `/`, with the config mounted where the pod has it. */
export interface Volume {
  root: string;
  env: Record<string, string>;
  /** A path inside the container (/app/...) on this machine. */
  at(containerPath: string): string;
  writeConfig(yaml: string): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on the fields of arbitrary JSON files
  readJson(containerPath: string): Promise<any>;
  cleanup(): Promise<void>;
}

export const CONFIG_PATH = '/app/config/config.yaml';

export async function tempVolume(config = 'data:\n  users: 2000\n'): Promise<Volume> {
  const root = await mkdtemp(join(tmpdir(), 'churn-mlops-vol-'));
  const at = (containerPath: string) => join(root, containerPath);
  const volume: Volume = {
    root,
    env: { CHURN_MLOPS_FS_ROOT: root, CHURN_MLOPS_CONFIG: CONFIG_PATH },
    at,
    async writeConfig(yaml) {
      await mkdir(at('/app/config'), { recursive: true });
      await writeFile(at(CONFIG_PATH), yaml);
    },
    async readJson(containerPath) {
      return JSON.parse(await readFile(at(containerPath), 'utf8'));
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  await volume.writeConfig(config);
  return volume;
}

export function runJob(bin: string, args: string[], env: Record<string, string>) {
  return execa(process.execPath, [bin, ...args], {
    reject: false,
    env: { ...env, NO_COLOR: '1' },
    extendEnv: true,
    timeout: 60_000,
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

export interface RunningApi {
  url: string;
  process: ResultPromise;
  logs(): string;
  stop(): Promise<void>;
}

/** Starts `churn-mlops api` on a free port (PORT=0) and waits for its start-up line. */
export async function startApi(bin: string, env: Record<string, string>): Promise<RunningApi> {
  const child = execa(process.execPath, [bin, 'api'], {
    reject: false,
    env: { ...env, PORT: '0' },
    extendEnv: true,
    all: true,
    buffer: false,
  });
  let output = '';
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const port = await waitFor('the API to listen', () => /listening on port (\d+)/.exec(output)?.[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    logs: () => output,
    async stop() {
      if (child.exitCode === null && child.pid) child.kill('SIGKILL');
      await child;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests assert on the fields of arbitrary JSON answers
export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export const postJson = (url: string, body: string) =>
  getJson(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
