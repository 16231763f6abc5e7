import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/main.js';
import { CLI } from './helpers.js';
import { which } from './script-bench.js';

// scripts/e2e-classroom.sh, the kind end-to-end run's classroom part, run whole against the
// simulated cluster with the real kubectl and the built CLI (it takes any admin context): that
// proves its commands and assertions, and a kubectl that answers "yes" where RBAC says no makes it
// fail. A long test (`npm run test:long`); its quick cases are in e2e-classroom-script.test.ts.
const SCRIPT = join(process.cwd(), 'scripts', 'e2e-classroom.sh');

describe('scripts/e2e-classroom.sh against the simulated cluster', () => {
  let sim: Simulator;
  let simHome: string;
  let dir: string;
  beforeAll(async () => {
    simHome = await mkdtemp(join(tmpdir(), 'churn-labs-e2e-classroom-sim-'));
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-e2e-classroom-run-'));
    sim = await startSimulator({ home: simHome, timeScale: 1 / 10_000 });
  }, 60_000);
  afterAll(async () => {
    await sim?.stop();
    await rm(simHome, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (path = process.env.PATH ?? '') =>
    execa(await which('bash'), [SCRIPT], {
      reject: false,
      timeout: 600_000,
      env: { E2E_CONTEXT: sim.context, E2E_KUBECONFIG: sim.kubeconfig, TMPDIR: dir, PATH: path },
    });
  const kubectl = (...args: string[]) =>
    execa('kubectl', ['--context', sim.context, '--kubeconfig', sim.kubeconfig, ...args], { reject: false });
  const classLeft = async () =>
    (
      await kubectl(
        'get',
        'namespaces,clusterrolebindings',
        '-l',
        'app.kubernetes.io/managed-by=churn-labs,churn-labs.dev/learner',
        '-o',
        'name',
      )
    ).stdout;

  it('passes: three learners, their refusals, the quota, status, export and delete', async () => {
    const result = await run();
    expect(result.stderr).not.toMatch(/FAIL/);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/e2e-classroom: passed$/);
    // Each learner went through Exercise 1 and their incident, in their own namespace.
    for (const [name, incident] of [
      ['e2e-ana', 'incident-bad-image'],
      ['e2e-bob', 'incident-pending'],
      ['e2e-cy', 'incident-no-endpoints'],
    ])
      expect(result.stdout).toContain(
        `=== ${name}: their lab, Exercise 1 and ${incident} in churn-mlops-${name}`,
      );
    expect(result.stdout).toContain('forbidden: exceeded quota: churn-labs-quota');
    expect(await classLeft()).toBe('');
    // Its state folder is gone too.
    expect(await (await import('node:fs/promises')).readdir(dir)).toEqual([]);
  }, 600_000);

  it('fails, naming what, when a learner is allowed what RBAC should refuse, and still cleans up', async () => {
    // A kubectl that answers every `auth can-i` with yes, as a cluster without RBAC would.
    const bin = join(dir, 'lying-bin');
    await mkdir(bin);
    const real = await which('kubectl');
    await writeFile(
      join(bin, 'kubectl'),
      `#!/bin/sh\ncase " $* " in *" auth can-i "*) echo yes; exit 0;; esac\nexec "${real}" "$@"\n`,
    );
    await chmod(join(bin, 'kubectl'), 0o755);
    const result = await run(`${bin}:${process.env.PATH}`);
    await rm(bin, { recursive: true, force: true });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'e2e-classroom: FAIL e2e-ana: auth can-i list pods -n churn-mlops-e2e-bob says "yes" (exit 0), expected no',
    );
    expect(result.stderr).toMatch(/e2e-classroom: 8 failed$/);
    expect(await classLeft()).toBe('');
  }, 600_000);

  it('refuses, exit 1, a cluster that holds a class already, and leaves it as it is; its learner brings up their lab', async () => {
    const home = join(dir, 'instructor');
    const learners = join(dir, 'learners.txt');
    await writeFile(learners, 'dee\n');
    const made = await execa(
      process.execPath,
      [
        CLI,
        'classroom',
        'create',
        '--learners',
        learners,
        '--yes',
        '--context',
        sim.context,
        '--kubeconfig',
        sim.kubeconfig,
      ],
      { reject: false, env: { CHURN_LABS_HOME: home, NO_COLOR: '1' }, input: '' },
    );
    expect(made.exitCode, made.stderr).toBe(0);
    const result = await run();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `e2e-classroom: context ${sim.context} holds a class already (namespace/churn-mlops-dee), which this run's classroom delete would delete. Delete it first (churn-labs classroom delete --context ${sim.context}) or use another cluster.`,
    );
    expect(await classLeft()).toContain('namespace/churn-mlops-dee');

    // What the script's learners do first: `up` with their kubeconfig checks their namespace and
    // renders their workspace, on a context that is neither kind's nor the simulator's; the
    // registry and StorageClass are the instructor's to give.
    const learnerHome = join(dir, 'dee');
    const kubeconfig = join(home, 'classroom', 'dee.kubeconfig');
    const up = (...args: string[]) =>
      execa(process.execPath, [CLI, 'up', '--kubeconfig', kubeconfig, ...args], {
        reject: false,
        env: { CHURN_LABS_HOME: learnerHome, NO_COLOR: '1' },
        input: '',
      });
    const given = await up('--registry', 'registry.example:5000');
    expect(given.exitCode).toBe(2);
    expect(given.stderr).toBe(
      'churn-labs: --registry is not yours to give in a class: the registry and StorageClass of context churn-labs-dee come with the kubeconfig your instructor gave you. Leave --registry out.',
    );
    const brought = await up();
    expect(brought.stderr).toBe('');
    expect(brought.exitCode).toBe(0);
    expect(brought.stdout).toContain('ok Your namespace churn-mlops-dee');
    expect(await readFile(join(learnerHome, 'workspace', 'k8s', 'api-service.yaml'), 'utf8')).toContain(
      'namespace: churn-mlops-dee',
    );
    expect(JSON.parse(await readFile(join(learnerHome, 'lab.json'), 'utf8'))).toMatchObject({
      context: 'churn-labs-dee',
      namespace: 'churn-mlops-dee',
    });
  }, 120_000);
});
