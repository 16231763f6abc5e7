import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serverSideApply } from '../../../src/sim/patch/apply.js';
import { applyJsonPatch } from '../../../src/sim/patch/json-patch.js';
import { applyMergePatch } from '../../../src/sim/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../../src/sim/patch/strategic.js';
import { definition } from '../../../src/sim/schema/schema.js';
import { startCluster, type TestCluster } from './helpers.js';

/**
 * No key of a request reaches an object's prototype: `__proto__`, `constructor` and `prototype`
 * are plain keys (a ConfigMap may hold them: the API server takes any key of [-._a-zA-Z0-9]+), and
 * a path or a merge never walks into what an object inherits.
 */
const polluted = () => ({}) as Record<string, unknown> as { polluted?: unknown; deletionTimestamp?: unknown };

afterEach(() => {
  // Should a test fail, leave the rest of the suite a clean Object.prototype.
  for (const key of ['polluted', 'deletionTimestamp'])
    delete (Object.prototype as Record<string, unknown>)[key];
});

describe('the patch engines never write through a prototype', () => {
  const configMap = () => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data: { a: '1' },
  });
  const proto = JSON.parse(
    '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}',
  );

  it('JSON patch: a path through __proto__ or constructor is missing, as in the API server', () => {
    for (const path of ['/__proto__/polluted', '/constructor/prototype/polluted', '/data/__proto__/polluted'])
      expect(() => applyJsonPatch(configMap(), [{ op: 'add', path, value: 'yes' }])).toThrow(
        /doc is missing path/,
      );
    expect(polluted().polluted).toBeUndefined();
    // A key that is only named so is an ordinary key.
    const added = applyJsonPatch(configMap(), [{ op: 'add', path: '/data/__proto__', value: 'x' }]);
    expect(Object.hasOwn(added.data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(added.data)).toBe(Object.prototype);
  });

  it('merge patch, strategic merge patch and server-side apply keep such keys as data', () => {
    const merged = applyMergePatch(configMap(), { data: proto });
    const strategic = applyStrategicMergePatch(
      configMap(),
      { data: proto },
      definition('io.k8s.api.core.v1.ConfigMap'),
    );
    const applied = serverSideApply(
      configMap(),
      { ...configMap(), data: proto },
      definition('io.k8s.api.core.v1.ConfigMap'),
      'kubectl',
    );
    for (const result of [merged, strategic, applied]) {
      const data = (result as { data: Record<string, unknown> }).data;
      expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      expect(Object.hasOwn(data, '__proto__')).toBe(true);
    }
    expect(polluted().polluted).toBeUndefined();
    const top = applyStrategicMergePatch(
      configMap(),
      JSON.parse('{"__proto__": {"deletionTimestamp": "2026-01-01T00:00:00Z"}}'),
      definition('io.k8s.api.core.v1.ConfigMap'),
    );
    expect(Object.getPrototypeOf(top)).toBe(Object.prototype);
    expect(polluted().deletionTimestamp).toBeUndefined();
  });
});

describe('server-side apply after a key is dropped', () => {
  it('never deletes what an object inherits (a field set naming __proto__ after the field is gone)', () => {
    const schema = definition('io.k8s.api.core.v1.ConfigMap');
    const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    const first = serverSideApply(
      undefined,
      { ...base, ...JSON.parse('{"__proto__": {"toString": "a"}}') },
      schema,
      'm',
    );
    const dropped = applyMergePatch(first, JSON.parse('{"__proto__": null}'));
    serverSideApply(dropped, { ...base, ...JSON.parse('{"__proto__": {}}') }, schema, 'm');
    expect(typeof Object.prototype.toString).toBe('function');
    expect(`${{}}`).toBe('[object Object]');
  });
});

describe('through kubectl, on the simulated cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  let restartedHome: string | undefined;
  afterAll(async () => {
    await cluster?.stop();
    if (restartedHome) await rm(restartedHome, { recursive: true, force: true });
  });
  const k = (...args: string[]) => cluster.kubectl(args);

  it('refuses a JSON patch through __proto__, and no pod or namespace takes on what it names', async () => {
    await k('create', 'configmap', 'target', '--from-literal=a=1');
    await k('run', 'web', '--image=nginx');
    for (const path of [
      '/__proto__/polluted',
      '/__proto__/deletionTimestamp',
      '/constructor/prototype/polluted',
    ]) {
      const patched = await k(
        'patch',
        'configmap',
        'target',
        '--type=json',
        '-p',
        JSON.stringify([{ op: 'add', path, value: 'yes' }]),
      );
      expect(patched.exitCode).not.toBe(0);
      expect(patched.stderr).toMatch(/doc is missing path/);
    }
    // An object where a string belongs is refused, as the API server refuses it; a top-level
    // __proto__ is an unknown field, dropped: either way nothing reaches a prototype.
    for (const type of ['merge', 'strategic']) {
      const nested = await k(
        'patch',
        'configmap',
        'target',
        `--type=${type}`,
        '-p',
        '{"data":{"__proto__":{"polluted":"yes"}}}',
      );
      expect(nested.exitCode, `${type}: ${nested.stdout}`).not.toBe(0);
      const top = await k(
        'patch',
        'configmap',
        'target',
        `--type=${type}`,
        '-p',
        '{"__proto__":{"polluted":"yes"}}',
      );
      expect(`${top.stdout}${top.stderr}`, type).toMatch(/patched|unknown field|Warning/);
    }
    const selected = await k('get', 'pods', '-l', 'polluted=yes', '-o', 'name');
    expect(selected.stdout.trim()).toBe('');
    const withConstructor = await k('get', 'pods', '-l', 'constructor', '-o', 'name');
    expect(withConstructor.stdout.trim()).toBe('');
    const namespaces = JSON.parse((await k('get', 'namespaces', '-o', 'json')).stdout);
    for (const ns of namespaces.items) expect(ns.status.phase).toBe('Active');
  });

  it('keeps a ConfigMap whose keys are __proto__, constructor and prototype as plain data, across a restart', async () => {
    const keys = '{"__proto__": "p", "constructor": "c", "prototype": "t"}';
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'odd-keys' },
      data: JSON.parse(keys),
    });
    const created = await cluster.kubectl(['apply', '-f', '-'], { input: manifest });
    expect(created.exitCode, created.stderr).toBe(0);
    const read = async () => JSON.parse((await k('get', 'configmap', 'odd-keys', '-o', 'json')).stdout);
    expect((await read()).data).toEqual(JSON.parse(keys));
    // The state file holds the keys as data, and loading it again does not turn them into a prototype.
    restartedHome = cluster.home;
    await cluster.sim.stop();
    cluster = await startCluster({ home: restartedHome });
    const again = await read();
    expect(again.data).toEqual(JSON.parse(keys));
    const namespaces = JSON.parse((await k('get', 'namespaces', '-o', 'json')).stdout);
    for (const ns of namespaces.items) expect(ns.status.phase).toBe('Active');
    expect(polluted().polluted).toBeUndefined();
  });
});
