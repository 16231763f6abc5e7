import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnLabs, tempHome } from './helpers.js';

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

const kubeconfig = (context: string, server: string) => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"}}]
users: [{name: u, user: {}}]
contexts: [{name: ${context}, context: {cluster: c, user: u}}]
current-context: ${context}
`;

describe('check against a cluster that is not there', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  beforeAll(async () => {
    env = await tempHome();
  });
  afterAll(() => env.cleanup());

  it('a missing context is one verdict, not a list of failures', async () => {
    const file = join(env.home, 'other-kubeconfig');
    await writeFile(file, kubeconfig('someone-elses-cluster', 'https://127.0.0.1:1'));
    const result = await churnLabs(['check', 'deploy-system', '--kubeconfig', file], { home: env.home });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      `deploy-system: Deploy the complete system (on context kind-churn-labs of ${file})\n  ✗ There is no kube context kind-churn-labs in ${file}: the lab cluster is not up. Bring the lab up with \`churn-labs up\` (or \`churn-labs start\`).`,
    );
    const json = await churnLabs(['check', 'deploy-system', '--kubeconfig', file, '--json'], {
      home: env.home,
    });
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(String(json.stdout))).toEqual({
      exercise: 'deploy-system',
      passed: false,
      steps: [],
      error: expect.stringMatching(/^There is no kube context kind-churn-labs/),
    });
  });

  it('never falls back to the current-context', async () => {
    // The kubeconfig's current-context points at a live-looking cluster; we asked for another.
    const file = join(env.home, 'current-context-kubeconfig');
    await writeFile(file, kubeconfig('kind-other', 'https://127.0.0.1:1'));
    const result = await churnLabs(['check', 'deploy-system', '--json'], {
      home: env.home,
      env: { KUBECONFIG: file },
    });
    expect(JSON.parse(String(result.stdout)).error).toBe(
      `There is no kube context kind-churn-labs in ${file}: the lab cluster is not up. Bring the lab up with \`churn-labs up\` (or \`churn-labs start\`).`,
    );
  });

  it('a simulated cluster that is not running says how to start it', async () => {
    const port = await closedPort();
    const file = join(env.home, 'sim-kubeconfig');
    await writeFile(file, kubeconfig('churn-labs-sim', `http://127.0.0.1:${port}`));
    const result = await churnLabs(
      ['check', 'scale-api', '--context', 'churn-labs-sim', '--kubeconfig', file, '--json'],
      {
        home: env.home,
      },
    );
    expect(result.exitCode).toBe(1);
    const verdict = JSON.parse(String(result.stdout));
    expect(verdict.steps).toEqual([]);
    expect(verdict.error).toMatch(
      /^The cluster of context churn-labs-sim is not reachable \(The connection to the server 127\.0\.0\.1:\d+ was refused - did you specify the right host or port\?\)\. Start the simulated cluster with `churn-labs up --simulate`/,
    );
  });

  it('--wait gives up when the time is up, with the same verdict', async () => {
    const file = join(env.home, 'other-kubeconfig');
    const started = Date.now();
    const result = await churnLabs(
      ['check', 'deploy-system', '--kubeconfig', file, '--wait', '2', '--json'],
      { home: env.home },
    );
    expect(result.exitCode).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(JSON.parse(String(result.stdout)).error).toMatch(/There is no kube context/);
  });
});
