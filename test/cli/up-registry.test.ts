import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startSimulator } from '../../src/sim/main.js';
import { churnLabs, linkKubectl, tempHome } from './helpers.js';

/**
 * `churn-labs up --context NAME --registry R` as a script runs it: the built CLI, the stand-in
 * docker, the simulated cluster under a context that is not kind, and lab.json remembering what
 * the workspace was rendered for.
 */
const STANDIN = resolve('test/environment/bin/standin.cjs');
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setUp() {
  const temp = await tempHome();
  cleanups.push(temp.cleanup);
  const kubeconfig = join(temp.home, 'class-kubeconfig');
  await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\n');
  return { ...temp, kubeconfig };
}

describe('up --context of a cluster that is not kind: usage', () => {
  it('without --registry: exit 2 and what to give', async () => {
    const { home, kubeconfig } = await setUp();
    const result = await churnLabs(['up', '--context', 'gke-class', '--kubeconfig', kubeconfig], { home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "churn-labs: Context gke-class is neither churn-labs' kind cluster (kind-churn-labs) nor the simulated one (churn-labs-sim): give --registry REGISTRY, a registry this machine can push to and the cluster's nodes can pull from (like ghcr.io/my-org, or localhost:5001 for kind's local registry).",
    );
    expect(result.stdout).toBe('');
  });

  it('a registry with a scheme, or --registry for kind or the simulated cluster: exit 2', async () => {
    const { home, kubeconfig } = await setUp();
    const scheme = await churnLabs(
      ['up', '--context', 'gke-class', '--kubeconfig', kubeconfig, '--registry', 'https://ghcr.io/acme/'],
      { home },
    );
    expect(scheme.exitCode).toBe(2);
    expect(scheme.stderr).toBe(
      'churn-labs: --registry https://ghcr.io/acme: give the registry without a scheme: ghcr.io/acme.',
    );
    const kind = await churnLabs(['up', '--registry', 'localhost:5001'], { home });
    expect(kind.exitCode).toBe(2);
    expect(kind.stderr).toMatch(
      /^churn-labs: --registry is for a cluster that is not churn-labs' own: context kind-churn-labs gets the images loaded into its node/,
    );
    const sim = await churnLabs(['up', '--simulate', '--storage-class', 'fast'], { home });
    expect(sim.exitCode).toBe(2);
    expect(sim.stderr).toMatch(
      /--storage-class is for a cluster that is not churn-labs' own: context churn-labs-sim runs the images from this package\./,
    );
  });
});

describe('up --context gke-class --registry localhost:5001 through the CLI', () => {
  it('pushes, remembers the registry and class in lab.json, and a later up uses them without --registry', async () => {
    const { home, bin } = await setUp();
    for (const tool of ['docker']) {
      const file = join(bin, tool);
      await writeFile(
        file,
        `#!${process.execPath}\nrequire(${JSON.stringify(STANDIN)})('docker', process.argv.slice(2));\n`,
      );
      await chmod(file, 0o755);
    }
    await linkKubectl(bin);
    const simulator = await startSimulator({ home: join(home, 'sim-home') });
    cleanups.push(() => simulator.stop());
    const config = YAML.parse(await readFile(simulator.kubeconfig, 'utf8'));
    config.contexts[0].name = 'gke-class';
    const kubeconfig = join(home, 'class.kubeconfig');
    await writeFile(kubeconfig, YAML.stringify(config));
    const env = {
      STANDIN_LOG: join(home, 'calls.jsonl'),
      STANDIN_STATE: join(home, 'standin.json'),
      HOME: join(home, 'user'),
    };
    await writeFile(env.STANDIN_LOG, '');
    const path = `${bin}:/usr/bin:/bin`;

    const first = await churnLabs(
      ['up', '--context', 'gke-class', '--kubeconfig', kubeconfig, '--registry', 'localhost:5001'],
      { home, path, env },
    );
    expect(first.exitCode, `${first.stdout}${first.stderr}`).toBe(0);
    expect(first.stdout).toContain(
      'ok Pushing localhost:5001/churn-labs/churn-api:0.1.0: pushed localhost:5001/churn-labs/churn-api:0.1.0',
    );
    expect(JSON.parse(await readFile(join(home, 'lab.json'), 'utf8'))).toEqual({
      context: 'gke-class',
      kubeconfig,
      registry: 'localhost:5001',
      storageClass: 'standard',
    });
    expect(await readFile(join(home, 'workspace', 'k8s', 'api-deployment.yaml'), 'utf8')).toContain(
      'image: localhost:5001/churn-labs/churn-api:0.1.0',
    );

    // The lab last brought up, with the registry it was given: nothing to say again.
    const again = await churnLabs(['up'], { home, path, env });
    expect(again.exitCode, `${again.stdout}${again.stderr}`).toBe(0);
    expect(again.stdout).toContain(
      'skipped Pushing localhost:5001/churn-labs/churn-api:0.1.0: the registry already has localhost:5001/churn-labs/churn-api:0.1.0',
    );
    expect(again.stdout).toContain('Everything was already up');
  }, 240_000);
});
