import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/** Request options and methods as the API server judges them, each answered with a Status. */
describe('list options and methods', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(() => cluster?.stop());
  const get = async (path: string) => {
    const response = await cluster.fetch(path);
    return {
      status: response.status,
      body: (await response.json()) as { reason?: string; message?: string },
    };
  };

  it('refuses an unknown resourceVersionMatch, and one without a resourceVersion, as ValidateListOptions does', async () => {
    const unknown = await get('/api/v1/pods?resourceVersion=1&resourceVersionMatch=Foo');
    expect(unknown.status).toBe(422);
    expect(unknown.body.message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Foo": supported values: "Exact", "NotOlderThan", ""',
    );
    const alone = await get('/api/v1/pods?resourceVersionMatch=NotOlderThan');
    expect(alone.body.message).toContain(
      'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
    expect((await get('/api/v1/pods?resourceVersion=0&resourceVersionMatch=NotOlderThan')).status).toBe(200);
  });

  it('reads watch=maybe as the API server converts a boolean: true, a watch', async () => {
    const controller = new AbortController();
    const response = await cluster.fetch(`/api/v1/namespaces?watch=maybe`, {
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(first).toMatch(/^\{"type":"ADDED"/);
    expect((await get('/api/v1/namespaces?watch=false')).body).toMatchObject({ kind: 'NamespaceList' });
    expect((await get('/api/v1/namespaces?watch=0')).body).toMatchObject({ kind: 'NamespaceList' });
    // An empty value is true too (the conversion's "any other value, the empty string included").
    const empty = new AbortController();
    const bare = await cluster.fetch(`/api/v1/namespaces?watch=`, { signal: empty.signal });
    const chunk = new TextDecoder().decode((await bare.body!.getReader().read()).value);
    empty.abort();
    expect(chunk).toMatch(/^\{"type":"ADDED"/);
  });

  it('answers a method it does not know with 405 and a Status, and keeps serving', async () => {
    const url = new URL(cluster.sim.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, { ca: cluster.sim.ca }, () =>
        socket.write(`FOO /api/v1/namespaces HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(raw).toContain('"reason":"MethodNotAllowed"');
    expect((await get('/api/v1/namespaces')).status).toBe(200);
  });
});
