import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImageStep, readBuildContext } from '../../src/cluster/environment/images.js';
import { LAB_IMAGES } from '../../src/cluster/environment/sources.js';
import {
  createMachine,
  kindKubeconfig,
  outcomes,
  processAlive,
  stepEnds,
  type TestMachine,
  waitFor,
} from './helpers.js';

let machine: TestMachine;
afterEach(() => machine?.cleanup());

describe('up --context churn-labs-sim', () => {
  const simLab = (m: TestMachine) => {
    m.lab = { ...m.lab, target: { context: 'churn-labs-sim', kubeconfig: m.kubeconfig } };
  };

  it('targets the running simulated cluster and never calls kind or docker', async () => {
    machine = await createMachine();
    simLab(machine);
    await writeFile(machine.kubeconfig, kindKubeconfig('churn-labs-sim', machine.cluster.url));
    const { result, events } = await machine.up();
    expect(result.ok).toBe(true);
    expect(outcomes(events)).toEqual({
      preflight: 'ok',
      cluster: 'skipped',
      images: 'skipped',
      'metrics-server': 'skipped',
      workspace: 'ok',
      smoke: 'ok',
    });
    expect(stepEnds(events)[0]?.detail).toMatch(/^kubectl v1\.\d+/);
    expect(await machine.calls()).toEqual([]);
    expect(machine.cluster.requests).toContain('POST /api/v1/namespaces/churn-labs-smoke/pods');
  });

  it('says to start sim serve when the simulated cluster is not running', async () => {
    machine = await createMachine();
    simLab(machine);
    await writeFile(machine.kubeconfig, kindKubeconfig('churn-labs-sim', 'http://127.0.0.1:9'));
    const { result, events } = await machine.up();
    expect(result).toMatchObject({ ok: false, failedStep: 'cluster' });
    const failed = stepEnds(events).at(-1)!;
    expect(failed.detail).toMatch(
      /^The simulated cluster \(context churn-labs-sim\) does not answer \(the connection to the server 127\.0\.0\.1:9 was refused\)\.$/,
    );
    expect(failed.fix).toMatch(/churn-labs sim serve.*churn-labs start --simulate/);
  });

  it('refuses a context that is neither its kind cluster nor the simulated one without a registry', async () => {
    machine = await createMachine();
    machine.lab = { ...machine.lab, target: { context: 'prod-eu', kubeconfig: machine.kubeconfig } };
    const { result, events } = await machine.up();
    expect(result).toMatchObject({ ok: false, failedStep: 'preflight' });
    expect(stepEnds(events)[0]?.detail).toMatch(
      /^Context prod-eu is neither .* pull the lab's images from a registry\.$/,
    );
    expect(stepEnds(events)[0]?.fix).toMatch(/churn-labs up --context prod-eu --registry REGISTRY/);
    expect(await machine.calls()).toEqual([]);
  });
});

describe('interrupting up', () => {
  it('ends the running command and reports the step as interrupted', async () => {
    machine = await createMachine();
    machine.fail('build-hang');
    const controller = new AbortController();
    const context = () => readBuildContext(machine.sources(), machine.lab.paths.home);
    const running = machine.run([buildImageStep(LAB_IMAGES[0]!, context)], controller.signal);
    const { readFile } = await import('node:fs/promises');
    const pid = async () =>
      Number((await readFile(machine.env.STANDIN_PIDS!, 'utf8').catch(() => '')).trim());
    await waitFor(async () => (await pid()) > 0, 20_000, 'the docker build to start');
    const child = await pid();
    expect(processAlive(child)).toBe(true);
    controller.abort();
    const { result, events } = await running;
    expect(result).toMatchObject({ ok: false, canceled: true, failedStep: 'build-churn-api-0.1.0' });
    expect(stepEnds(events)[0]).toMatchObject({
      outcome: 'failed',
      detail: 'Interrupted: the running command was stopped.',
      fix: 'Run churn-labs up again: it picks up where it stopped.',
    });
    await waitFor(() => !processAlive(child), 5_000, 'the docker build to end');
  });
});
