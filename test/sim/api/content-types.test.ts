import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/**
 * The media types a create or an update may be written in: JSON, YAML and protobuf; anything
 * else is a 415. kubectl itself sends JSON (and no Content-Type at all with --raw), so YAML comes
 * from other clients: these tests speak HTTP for it.
 */
describe('request content types', () => {
  let cluster: TestCluster;
  const send = (method: string, path: string, body: string, contentType?: string) =>
    cluster.fetch(path, {
      method,
      body,
      headers: contentType ? { 'Content-Type': contentType } : {},
    });
  const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('creates and replaces from YAML (application/yaml)', async () => {
    const created = await send(
      'POST',
      CONFIGMAPS,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  mode: fast\n  __proto__: kept\n',
      'application/yaml',
    );
    expect(created.status).toBe(201);
    const { data } = (await created.json()) as { data: Record<string, string> };
    expect(data.mode).toBe('fast');
    // A key named __proto__ is data like any other, never a prototype.
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toBe('kept');
    const replaced = await send(
      'PUT',
      `${CONFIGMAPS}/from-yaml`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\ndata: {mode: slow}\n',
      'application/yaml; charset=utf-8',
    );
    expect(replaced.status).toBe(200);
    const out = await cluster.kubectl(['get', 'configmap', 'from-yaml', '-o', 'jsonpath={.data.mode}']);
    expect(out.stdout).toBe('slow');
  });

  it('answers 415 with a Status for a media type it has no serializer for', async () => {
    for (const [method, path] of [
      ['POST', CONFIGMAPS],
      ['PUT', `${CONFIGMAPS}/from-yaml`],
    ] as const) {
      const response = await send(method, path, '{"metadata":{"name":"from-yaml"}}', 'text/plain');
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
        reason: 'UnsupportedMediaType',
        code: 415,
      });
    }
  });

  it('a YAML body sent without a Content-Type is JSON to the server, and not JSON', async () => {
    const out = await cluster.kubectl(['create', '--raw', CONFIGMAPS, '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: raw}\n',
    });
    expect(out.stderr.trim()).toBe(
      "Error from server (BadRequest): the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'a' looking for beginning of value (61706956657273696f6e3a2076310a6b696e643a20436f6e6669674d6170 ...)",
    );
  });

  it('refuses a YAML bomb with 400 instead of expanding it, and goes on serving', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n${levels.join('\n')}\n`;
    const response = await send('POST', CONFIGMAPS, bomb, 'application/yaml');
    expect(response.status).toBe(400);
    const status = (await response.json()) as { message: string; reason: string };
    expect(status.reason).toBe('BadRequest');
    expect(status.message).toMatch(
      /^the object provided is unrecognized \(must be of type ConfigMap\): yaml: document contains excessive aliasing \([0-9a-f]+ \.\.\.\)$/,
    );
    expect((await cluster.kubectl(['get', 'configmap', 'from-yaml', '-o', 'name'])).stdout.trim()).toBe(
      'configmap/from-yaml',
    );
  });

  it('keeps the body size limit for YAML', async () => {
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "${'y'.repeat(3 * 1024 * 1024)}"\n`;
    const response = await send('POST', CONFIGMAPS, big, 'application/yaml');
    expect(response.status).toBe(413);
  });
});
