import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkload } from './helpers.js';

// No Docker engine here: these tests rebuild the image's file layout in a folder and run the
// image's CMD through /bin/sh exactly as written, with Node's module-syntax detection off as on
// Node 20 releases that lack it, so that the package.json the Dockerfile writes is what makes it run.
const dockerfile = await readFile('docker/Dockerfile', 'utf8');
let bin: string;
let cleanupBin: () => Promise<void>;
let image: string;

beforeAll(async () => {
  ({ bin, cleanup: cleanupBin } = await buildWorkload());
  image = await mkdtemp(join(tmpdir(), 'churn-mlops-image-'));
  const opt = join(image, 'opt', 'churn-mlops');
  await mkdir(opt, { recursive: true });
  await mkdir(join(image, 'usr', 'local', 'bin'), { recursive: true });
  await copyFile(bin, join(opt, 'churn-mlops.js'));
  const packageJson = /echo '(\{.*?\})' > opt\/churn-mlops\/package\.json/.exec(dockerfile)?.[1];
  expect(packageJson).toBeDefined();
  await writeFile(join(opt, 'package.json'), packageJson!);
  await execa('chmod', ['0755', join(opt, 'churn-mlops.js')]);
  await symlink(join(opt, 'churn-mlops.js'), join(image, 'usr', 'local', 'bin', 'churn-mlops'));
});
afterAll(async () => {
  await rm(image, { recursive: true, force: true });
  await cleanupBin();
});

function cmd(): string[] {
  const line = dockerfile.split('\n').find((l) => l.startsWith('CMD '));
  return JSON.parse(line!.slice(4));
}

function runImage(env: Record<string, string>) {
  const [file, ...args] = cmd();
  return execa(file!, args, {
    reject: false,
    timeout: 20_000,
    env: {
      PATH: `${join(image, 'usr', 'local', 'bin')}:${process.env.PATH}`,
      NODE_OPTIONS: '--no-experimental-detect-module',
      ...env,
    },
  });
}

describe('docker/Dockerfile', () => {
  it('documents the three image builds with their build args', () => {
    for (const line of [
      'docker build --build-arg APP_VERSION=0.1.0 --build-arg DEFAULT_COMMAND=api -t churn-labs/churn-api:0.1.0 .',
      'docker build --build-arg APP_VERSION=0.2.0 --build-arg DEFAULT_COMMAND=api -t churn-labs/churn-api:0.2.0 .',
      'docker build --build-arg APP_VERSION=0.1.0 --build-arg DEFAULT_COMMAND=--help -t churn-labs/churn-ml:0.1.0 .',
    ]) {
      expect(dockerfile).toContain(`#   ${line}`);
    }
    // A supported Node LTS, pinned to an exact release, and one base for both stages.
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-alpine3\.\d+$/m);
    expect(dockerfile.indexOf('ARG NODE_IMAGE=')).toBeLessThan(dockerfile.indexOf('\nFROM '));
    expect(dockerfile.match(/^FROM .*$/gm)).toEqual([`FROM \${NODE_IMAGE} AS bundle`, `FROM \${NODE_IMAGE}`]);
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/CHURN_MLOPS_DEFAULT_COMMAND=\$\{DEFAULT_COMMAND\}/);
    expect(dockerfile).toMatch(/CHURN_MLOPS_VERSION=\$\{APP_VERSION\}/);
  });

  it('runs `churn-mlops --help` by default in the churn-ml image', async () => {
    const result = await runImage({ CHURN_MLOPS_DEFAULT_COMMAND: '--help', CHURN_MLOPS_VERSION: '0.1.0' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('churn-mlops 0.1.0');
    expect(result.stdout).toContain('Usage: churn-mlops <command>');
  });

  it('runs `churn-mlops api` by default in the churn-api images, reporting the image version', async () => {
    const root = await mkdtemp(join(tmpdir(), 'churn-mlops-vol-'));
    const child = runImage({
      CHURN_MLOPS_DEFAULT_COMMAND: 'api',
      CHURN_MLOPS_VERSION: '0.2.0',
      CHURN_MLOPS_FS_ROOT: root,
      PORT: '0',
    });
    try {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const deadline = Date.now() + 15_000;
      while (!/listening on port \d+/.test(output) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      const port = /listening on port (\d+)/.exec(output)?.[1];
      expect(port, output).toBeDefined();
      const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      expect(health).toEqual({ status: 'degraded', version: '0.2.0', model_version: null });
      // exec in the CMD makes Node the process that receives the kubelet's SIGTERM.
      child.kill('SIGTERM');
      expect((await child).exitCode).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await child;
      await rm(root, { recursive: true, force: true });
    }
  });
});
