import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSamples, sumSamples } from '../../src/course/prometheus.js';
import {
  buildWorkload,
  getJson,
  postJson,
  type RunningApi,
  runJob,
  startApi,
  tempVolume,
  type Volume,
  waitFor,
} from './helpers.js';

let bin: string;
let cleanupBin: () => Promise<void>;
const volumes: Volume[] = [];
const apis: RunningApi[] = [];

beforeAll(async () => {
  ({ bin, cleanup: cleanupBin } = await buildWorkload());
});
afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await Promise.all(volumes.map((v) => v.cleanup()));
  await cleanupBin();
});

async function volume(config: string): Promise<Volume> {
  const v = await tempVolume(config);
  volumes.push(v);
  return v;
}

async function api(env: Record<string, string>): Promise<RunningApi> {
  const running = await startApi(bin, env);
  apis.push(running);
  return running;
}

const metrics = async (url: string) => parseSamples(await (await fetch(`${url}/metrics`)).text());
const EXAMPLE = '{"user_id": "user123", "features": {"logins_7d": 15, "sessions_7d": 20}}';

describe('churn-mlops api, one server through its life', () => {
  let v: Volume;
  let server: RunningApi;

  beforeAll(async () => {
    v = await volume('data:\n  users: 2000\napi:\n  model_poll_seconds: 0.1\n  max_body_bytes: 2048\n');
    server = await api({ ...v.env, CHURN_MLOPS_VERSION: '0.2.0' });
  });

  it('is alive but not ready while there is no model', async () => {
    expect(await getJson(`${server.url}/live`)).toEqual({ status: 200, body: { status: 'alive' } });
    expect(await getJson(`${server.url}/ready`)).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'model not loaded' },
    });
    expect((await getJson(`${server.url}/health`)).body).toEqual({
      status: 'degraded',
      version: '0.2.0',
      model_version: null,
    });
    const predict = await postJson(`${server.url}/predict`, EXAMPLE);
    expect(predict.status).toBe(503);
    expect(predict.body.error).toContain('not loaded');
  });

  it('becomes ready when seed-model registers a model after it started', async () => {
    const seeded = await runJob(bin, ['seed-model'], v.env);
    expect(seeded.exitCode, seeded.stderr).toBe(0);
    const version = (await v.readJson('/app/artifacts/registry/model_registry.json')).models[0].version;
    await waitFor('/ready to answer 200', async () =>
      (await getJson(`${server.url}/ready`)).status === 200 ? true : undefined,
    );
    expect((await getJson(`${server.url}/ready`)).body).toEqual({ status: 'ready' });
    expect((await getJson(`${server.url}/health`)).body).toEqual({
      status: 'healthy',
      version: '0.2.0',
      model_version: version,
    });
    expect(server.logs()).toContain(`Loaded production model ${version}`);
  });

  it('predicts the course example, and inactive users churn more than active ones', async () => {
    const example = await postJson(`${server.url}/predict`, EXAMPLE);
    expect(example.status).toBe(200);
    expect(Object.keys(example.body).sort()).toEqual([
      'churn_probability',
      'model_version',
      'user_id',
      'will_churn',
    ]);
    expect(example.body.user_id).toBe('user123');
    expect(example.body.churn_probability).toBeGreaterThanOrEqual(0);
    expect(example.body.churn_probability).toBeLessThanOrEqual(1);
    const churn = async (features: object) =>
      (await postJson(`${server.url}/predict`, JSON.stringify({ user_id: 'u', features }))).body;
    const inactive = await churn({ logins_7d: 0, sessions_7d: 0, days_since_last_login: 30 });
    const active = await churn({ logins_7d: 25, sessions_7d: 40, days_since_last_login: 0 });
    expect(inactive.churn_probability).toBeGreaterThan(active.churn_probability);
    expect(inactive.will_churn).toBe(true);
    expect(active.will_churn).toBe(false);
  });

  it.each([
    ['not JSON', 'logins_7d=15', 400, 'not valid JSON'],
    ['no user_id', '{"features": {"logins_7d": 1}}', 422, 'user_id is missing'],
    ['unknown feature', '{"user_id": "u", "features": {"logins": 1}}', 422, 'Unknown feature "logins"'],
    ['negative count', '{"user_id": "u", "features": {"logins_7d": -3}}', 422, 'cannot be negative'],
    ['text for a number', '{"user_id": "u", "features": {"sessions_7d": "20"}}', 422, 'must be a number'],
    [
      'too large',
      JSON.stringify({ user_id: 'x'.repeat(5000), features: { logins_7d: 1 } }),
      413,
      'max_body_bytes',
    ],
  ])('answers %s with a 4xx naming the problem, and keeps serving', async (_, body, status, message) => {
    const answer = await postJson(`${server.url}/predict`, body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toContain(message);
    expect((await postJson(`${server.url}/predict`, EXAMPLE)).status).toBe(200);
  });

  it('answers a wrong method with 405 and an unknown path with 404', async () => {
    const get = await getJson(`${server.url}/predict`);
    expect(get.status).toBe(405);
    expect(get.body.error).toContain('use POST');
    expect((await getJson(`${server.url}/wp-admin`)).status).toBe(404);
  });

  it('counts every request in /metrics, with the model version', async () => {
    const before = await metrics(server.url);
    const labels = { method: 'POST', endpoint: '/predict', status: '200' };
    await postJson(`${server.url}/predict`, EXAMPLE);
    await getJson(`${server.url}/nope-${Date.now()}`);
    const after = await metrics(server.url);
    expect(sumSamples(after, 'api_requests_total', labels)).toBe(
      sumSamples(before, 'api_requests_total', labels) + 1,
    );
    expect(sumSamples(after, 'api_requests_total', { endpoint: 'other', status: '404' })).toBe(
      sumSamples(before, 'api_requests_total', { endpoint: 'other', status: '404' }) + 1,
    );
    // The scrape before this one is counted too.
    expect(sumSamples(after, 'api_requests_total', { endpoint: '/metrics' })).toBeGreaterThanOrEqual(1);
    expect(sumSamples(after, 'api_response_time_seconds_count', { endpoint: '/predict' })).toBeGreaterThan(
      sumSamples(before, 'api_response_time_seconds_count', { endpoint: '/predict' }),
    );
    const version = (await getJson(`${server.url}/health`)).body.model_version;
    const info = after.filter((s) => s.name === 'model_version_info');
    expect(info).toEqual([
      {
        name: 'model_version_info',
        labels: { version, date: expect.stringMatching(/^\d{4}-\d\d-\d\d$/) },
        value: 1,
      },
    ]);
  });

  it('drains on request: /ready says draining while /live stays 200, then undoes it', async () => {
    expect((await getJson(`${server.url}/admin/drain`, { method: 'POST' })).status).toBe(200);
    expect(await getJson(`${server.url}/ready`)).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'draining' },
    });
    expect((await getJson(`${server.url}/live`)).status).toBe(200);
    expect((await getJson(`${server.url}/admin/drain`, { method: 'DELETE' })).status).toBe(200);
    expect((await getJson(`${server.url}/ready`)).status).toBe(200);
    const samples = await metrics(server.url);
    expect(sumSamples(samples, 'api_requests_total', { method: 'POST', endpoint: '/admin/drain' })).toBe(1);
    expect(sumSamples(samples, 'api_requests_total', { method: 'DELETE', endpoint: '/admin/drain' })).toBe(1);
  });

  it('switches to a newly promoted model without a restart', async () => {
    const old = (await getJson(`${server.url}/health`)).body.model_version;
    expect((await runJob(bin, ['train-candidate'], v.env)).exitCode).toBe(0);
    const promote = await runJob(bin, ['promote-model'], v.env);
    expect(promote.stdout).toContain('Promoted');
    const current = await waitFor('the promoted model', async () => {
      const version = (await getJson(`${server.url}/health`)).body.model_version;
      return version !== old ? version : undefined;
    });
    expect(current).toMatch(/^candidate_/);
    expect((await postJson(`${server.url}/predict`, EXAMPLE)).body.model_version).toBe(current);
    const info = (await metrics(server.url)).filter((s) => s.name === 'model_version_info');
    expect(info.map((s) => s.labels.version)).toEqual([current]);
  });
});

describe('churn-mlops api start and stop', () => {
  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const v = await volume('data:\n  users: 500\napi:\n  model_poll_seconds: 0.1\n');
    await runJob(bin, ['seed-model'], v.env);
    const server = await api(v.env);
    await waitFor('ready', async () =>
      (await getJson(`${server.url}/ready`)).status === 200 ? true : undefined,
    );
    const { port } = new URL(server.url);
    let headersSent!: () => void;
    const sentHalf = new Promise<void>((resolve) => {
      headersSent = resolve;
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/predict',
          method: 'POST',
          headers: { 'content-length': Buffer.byteLength(EXAMPLE) },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // Half the body now, the rest after SIGTERM: the request is in flight when the signal lands.
      req.write(EXAMPLE.slice(0, 20), () => headersSent());
      void waitFor('the shutdown log line', () =>
        server.logs().includes('Received SIGTERM') ? true : undefined,
      ).then(() => req.end(EXAMPLE.slice(20)));
    });
    await sentHalf;
    // The server reads connections in arrival order: once a later request is answered, it has the first.
    expect((await getJson(`${server.url}/live`)).status).toBe(200);
    const signalled = Date.now();
    server.process.kill('SIGTERM');
    const result = await answer;
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body).user_id).toBe('user123');
    const exit = await server.process;
    expect(exit.exitCode).toBe(0);
    // Keep-alive connections must not hold the exit back until they time out.
    expect(Date.now() - signalled).toBeLessThan(3_000);
    expect(server.logs()).toContain('churn-api stopped');
    await expect(fetch(`${server.url}/live`)).rejects.toThrow();
  });

  it('refuses to start with an invalid config, naming the key', async () => {
    const v = await volume('api:\n  model_poll_seconds: often\n');
    const result = await execa(process.execPath, [bin, 'api'], {
      reject: false,
      env: { ...v.env, PORT: '0' },
      timeout: 20_000,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('invalid value for api.model_poll_seconds');
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const v = await volume('data:\n  users: 500\n');
      const result = await execa(process.execPath, [bin, 'api'], {
        reject: false,
        env: { ...v.env, PORT: String(port) },
        timeout: 20_000,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`Port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});

describe('where the API listens', () => {
  // An address of this machine other than loopback: what another machine on the network reaches.
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  const answers = async (url: string) =>
    fetch(`${url}/live`, { signal: AbortSignal.timeout(3_000) }).then(
      (r) => r.status,
      () => 'refused',
    );

  it.skipIf(external === undefined)(
    'on every interface by default (in a container, the pod IP), on loopback only with CHURN_MLOPS_HOST=127.0.0.1 (the simulated node)',
    async () => {
      const v = await volume('data:\n  users: 2000\n');
      const open = await api(v.env);
      const port = (url: string) => new URL(url).port;
      expect(await answers(`http://${external}:${port(open.url)}`)).toBe(200);
      const local = await api({ ...v.env, CHURN_MLOPS_HOST: '127.0.0.1' });
      expect(await answers(local.url)).toBe(200);
      expect(await answers(`http://${external}:${port(local.url)}`)).toBe('refused');
    },
  );
});
