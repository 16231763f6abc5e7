import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMachine,
  kindKubeconfig,
  outcomes,
  stepEnds,
  type TestMachine,
  writePackage,
} from './helpers.js';

/**
 * The same steps against the project's simulated cluster instead of the small fake: pods really
 * run there (the smoke pod is the workload's own `churn-mlops --version`). Active once
 * src/sim/main.ts exists.
 */
const simulatorModule = join(process.cwd(), 'src', 'sim', 'main.ts');
type Simulator = { url: string; ca: string; kubeconfig: string; context: string; stop(): Promise<void> };

describe.skipIf(!existsSync(simulatorModule))('up against the simulated cluster', () => {
  let machine: TestMachine;
  let simulator: Simulator | undefined;
  const start = async () => {
    const { startSimulator } = (await import(simulatorModule)) as {
      startSimulator: (o: { home: string }) => Promise<Simulator>;
    };
    simulator = await startSimulator({ home: machine.lab.paths.home });
    return simulator;
  };
  afterEach(async () => {
    for (const key of ['STANDIN_API_URL', 'STANDIN_API_CA', 'STANDIN_API_CERT', 'STANDIN_API_KEY'])
      delete process.env[key];
    await simulator?.stop();
    simulator = undefined;
    await machine.cleanup();
  });

  it('up --context churn-labs-sim: no kind, no docker; the smoke pod runs the real workload', async () => {
    machine = await createMachine();
    const sim = await start();
    machine.lab = { ...machine.lab, target: { context: sim.context, kubeconfig: sim.kubeconfig } };
    // The package's own manifests and workload, as a learner's `up --context churn-labs-sim` uses them.
    const { result, events } = await machine.up({ packageDir: process.cwd(), timeouts: { smokeMs: 60_000 } });
    const failed = stepEnds(events).find((e) => e.outcome === 'failed');
    expect(failed, JSON.stringify(failed)).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(outcomes(events)).toMatchObject({ images: 'skipped', 'metrics-server': 'skipped', smoke: 'ok' });
    expect(stepEnds(events).find((e) => e.id === 'smoke')?.detail).toMatch(/\(churn-mlops 0\.1\.0\)$/);
    expect(await machine.calls()).toEqual([]);
  }, 150_000);

  it('the kind path, with kind pointed at the simulated cluster: metrics-server and the smoke test through kubectl', async () => {
    machine = await createMachine();
    const sim = await start();
    machine.env.STANDIN_API_URL = sim.url;
    process.env.STANDIN_API_URL = sim.url;
    // kind's kubeconfig entry trusts the cluster's CA, as the real kind's does.
    machine.env.STANDIN_API_CA = sim.ca;
    process.env.STANDIN_API_CA = sim.ca;
    // ... and its client certificate, which the simulated cluster authenticates as its admin.
    const { parse } = await import('yaml');
    const admin = parse(await readFile(sim.kubeconfig, 'utf8')).users[0].user;
    for (const [key, field] of [
      ['STANDIN_API_CERT', 'client-certificate-data'],
      ['STANDIN_API_KEY', 'client-key-data'],
    ] as const) {
      const pem = Buffer.from(admin[field], 'base64').toString('utf8');
      machine.env[key] = pem;
      process.env[key] = pem;
    }
    // The simulated cluster serves the metrics API itself; it has no RBAC and no aggregation layer
    // (APIService), so it gets the Deployment and Service of the real manifest.
    await writePackage(machine.packageDir, '0.1.0', {
      'manifests/platform/metrics-server.yaml': (await import('node:fs'))
        .readFileSync(join(process.cwd(), 'manifests', 'platform', 'metrics-server.yaml'), 'utf8')
        .split(/^---$/m)
        .filter((doc) => /^kind: (Deployment|Service)$/m.test(doc))
        .join('---'),
    });
    await writeFile(machine.kubeconfig, kindKubeconfig('some-other-cluster', 'https://127.0.0.1:6443'));
    const { result, events } = await machine.up({ timeouts: { smokeMs: 60_000, metricsMs: 90_000 } });
    const failed = stepEnds(events).find((e) => e.outcome === 'failed');
    expect(failed, JSON.stringify(failed)).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(outcomes(events)).toMatchObject({ cluster: 'ok', 'metrics-server': 'ok', smoke: 'ok' });
  }, 150_000);
});
