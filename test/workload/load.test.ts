import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSamples, sumSamples } from '../../src/course/prometheus.js';
import { defaultLoadUrl } from '../../src/workload/load.js';
import {
  buildWorkload,
  getJson,
  type RunningApi,
  runJob,
  startApi,
  tempVolume,
  type Volume,
  waitFor,
} from './helpers.js';

let bin: string;
let cleanupBin: () => Promise<void>;
let v: Volume;
let server: RunningApi;

beforeAll(async () => {
  ({ bin, cleanup: cleanupBin } = await buildWorkload());
  v = await tempVolume('data:\n  users: 500\napi:\n  model_poll_seconds: 0.1\n');
  await runJob(bin, ['seed-model'], v.env);
  server = await startApi(bin, v.env);
  await waitFor('ready', async () =>
    (await getJson(`${server.url}/ready`)).status === 200 ? true : undefined,
  );
});
afterAll(async () => {
  await server?.stop();
  await v?.cleanup();
  await cleanupBin();
});

const predictions = async () =>
  sumSamples(parseSamples(await (await fetch(`${server.url}/metrics`)).text()), 'api_requests_total', {
    endpoint: '/predict',
    status: '200',
  });

describe('churn-mlops load', () => {
  it('finds the API through the Service variables, else the Service name', () => {
    expect(defaultLoadUrl({ CHURN_API_SERVICE_HOST: '10.96.0.12', CHURN_API_SERVICE_PORT: '8000' })).toBe(
      'http://10.96.0.12:8000',
    );
    expect(defaultLoadUrl({ CHURN_API_SERVICE_HOST: 'fd00::12', CHURN_API_SERVICE_PORT: '8000' })).toBe(
      'http://[fd00::12]:8000',
    );
    expect(defaultLoadUrl({})).toBe('http://churn-api:8000');
  });

  it('sends valid /predict requests for the given duration and sums them up', async () => {
    const before = await predictions();
    const { port } = new URL(server.url);
    const result = await runJob(bin, ['load', '--concurrency', '3', '--duration', '2'], {
      CHURN_API_SERVICE_HOST: '127.0.0.1',
      CHURN_API_SERVICE_PORT: port,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const summary =
      /load finished: (\d+) requests in [\d.]+ s, (\d+) errors, p50 [\d.]+ ms, p95 [\d.]+ ms/.exec(
        result.stdout,
      );
    expect(summary, result.stdout).not.toBeNull();
    const sent = Number(summary![1]);
    expect(sent).toBeGreaterThan(50);
    expect(Number(summary![2])).toBe(0);
    expect((await predictions()) - before).toBe(sent);
  });

  it('stops on SIGTERM with a summary and exit 0', async () => {
    const child = execa(process.execPath, [bin, 'load', '--url', server.url, '--concurrency', '2'], {
      reject: false,
      env: v.env,
      timeout: 30_000,
    });
    const before = await predictions();
    await waitFor('requests to arrive', async () => ((await predictions()) > before + 20 ? true : undefined));
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('until stopped');
    expect(result.stdout).toMatch(/load finished: \d+ requests/);
  });

  it('counts errors against an API that is not there, and refuses a bad URL', async () => {
    const down = await runJob(bin, ['load', '--url', 'http://127.0.0.1:9', '--duration', '1'], {});
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toMatch(/load finished: (\d+) requests in [\d.]+ s, \1 errors/);
    expect(down.stdout).toContain('last error: ECONNREFUSED');
    const bad = await runJob(bin, ['load', '--url', 'churn-api'], {});
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--url churn-api is not a URL');
  });
});
