import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/** metadata.managedFields and server-side apply conflicts, driven by the real kubectl. */
interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

const deployment = (name: string, replicas: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: nginx:1.27
${extra}`;

describe('managed fields and server-side apply', () => {
  let cluster: TestCluster;
  const k = (...args: string[]) => cluster.kubectl(args);
  const managed = async (kind: string, name: string): Promise<Entry[]> =>
    JSON.parse((await k('get', kind, name, '-o', 'json', '--show-managed-fields')).stdout).metadata
      .managedFields ?? [];
  const byManager = (entries: Entry[], manager: string, subresource?: string) =>
    entries.find((e) => e.manager === manager && e.subresource === subresource);
  const file = async (name: string, text: string) => {
    const path = join(cluster.home, name);
    await writeFile(path, text);
    return path;
  };

  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('records an Update entry for each manager that creates, patches, labels, scales or replaces', async () => {
    expect((await k('create', 'configmap', 'settings', '--from-literal=mode=prod')).exitCode).toBe(0);
    let entries = await managed('configmap', 'settings');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { '.': {}, 'f:mode': {} } },
    });
    // kubectl hides them unless asked.
    expect((await k('get', 'configmap', 'settings', '-o', 'yaml')).stdout).not.toContain('managedFields');

    await k('create', 'deployment', 'web', '--image=nginx:1.27');
    const created = byManager(await managed('deploy', 'web'), 'kubectl-create')!;
    const spec = created.fieldsV1['f:spec'] as Record<string, Record<string, unknown>>;
    // Defaults are the creator's; the containers list was there (null) in the empty object, its item new.
    expect(Object.keys(spec).sort()).toEqual([
      'f:progressDeadlineSeconds',
      'f:replicas',
      'f:revisionHistoryLimit',
      'f:selector',
      'f:strategy',
      'f:template',
    ]);
    expect(spec['f:strategy']).toEqual({
      'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} },
      'f:type': {},
    });
    const podSpec = (spec['f:template'] as Record<string, Record<string, Record<string, unknown>>>)[
      'f:spec'
    ]!;
    expect(Object.keys(podSpec['f:containers']!)).toEqual(['k:{"name":"nginx"}']);
    expect(podSpec['f:containers']!['k:{"name":"nginx"}']).toMatchObject({ '.': {}, 'f:image': {} });

    await k('scale', 'deploy', 'web', '--replicas=3');
    await k('label', 'deploy', 'web', 'team=ml');
    await k('set', 'image', 'deploy/web', 'nginx=nginx:1.28');
    await k('patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"minReadySeconds":5}}');
    entries = await managed('deploy', 'web');
    expect(byManager(entries, 'kubectl', 'scale')).toMatchObject({
      operation: 'Update',
      apiVersion: 'apps/v1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
    expect(byManager(entries, 'kubectl-label')?.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:team': {} } },
    });
    expect(byManager(entries, 'kubectl-patch')?.fieldsV1).toEqual({ 'f:spec': { 'f:minReadySeconds': {} } });
    const set = byManager(entries, 'kubectl-set')!.fieldsV1 as Record<string, unknown>;
    expect(JSON.stringify(set)).toContain('"f:image":{}');
    // What later writers set is no longer the creator's.
    const creator = JSON.stringify(byManager(entries, 'kubectl-create')!.fieldsV1);
    expect(creator).not.toContain('f:replicas');
    expect(creator).not.toContain('f:image"');

    // A label taken away leaves kubectl-label with nothing: its entry goes.
    await k('label', 'deploy', 'web', 'team-');
    expect(byManager(await managed('deploy', 'web'), 'kubectl-label')).toBeUndefined();

    // A status write through the subresource is recorded as such.
    await k(
      'patch',
      'deploy',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"replicas":3}}',
    );
    expect(byManager(await managed('deploy', 'web'), 'kubectl-patch', 'status')?.fieldsV1).toEqual({
      'f:status': { 'f:replicas': {} },
    });

    // A replace (PUT) from a file, and a client-side apply.
    const cm = JSON.parse((await k('get', 'configmap', 'settings', '-o', 'json')).stdout);
    cm.data.level = 'debug';
    await k('replace', '-f', await file('cm.json', JSON.stringify(cm)));
    expect(byManager(await managed('configmap', 'settings'), 'kubectl-replace')?.fieldsV1).toEqual({
      'f:data': { 'f:level': {} },
    });
    await k('apply', '-f', await file('csa.yaml', deployment('csa', 2)));
    const csa = byManager(await managed('deploy', 'csa'), 'kubectl-client-side-apply')!;
    expect(JSON.stringify(csa.fieldsV1)).toContain('"f:kubectl.kubernetes.io/last-applied-configuration":{}');
  });

  it('answers 409 when an apply changes a field another manager owns; --force-conflicts takes it', async () => {
    const path = await file('ssa.yaml', deployment('shared', 2));
    expect((await k('apply', '--server-side', '--field-manager=ci', '-f', path)).exitCode).toBe(0);
    await k('patch', 'deploy', 'shared', '-p', '{"spec":{"replicas":4}}');

    await writeFile(path, deployment('shared', 3));
    const refused = await k('apply', '--server-side', '--field-manager=ci', '-f', path);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas',
    );
    expect(refused.stderr).toContain('--force-conflicts');
    const raw = await k('apply', '--server-side', '--field-manager=ci', '-f', path, '-v=8');
    expect(raw.stderr).toContain('Response Status: 409 Conflict');
    expect(raw.stderr).toContain('\\"reason\\":\\"FieldManagerConflict\\"');
    expect(raw.stderr).toContain('\\"field\\":\\".spec.replicas\\"');
    expect(JSON.parse((await k('get', 'deploy', 'shared', '-o', 'json')).stdout).spec.replicas).toBe(4);

    // The same value as the other manager's: no conflict, both own it.
    await writeFile(path, deployment('shared', 4));
    expect((await k('apply', '--server-side', '--field-manager=ci', '-f', path)).exitCode).toBe(0);
    let entries = await managed('deploy', 'shared');
    expect(byManager(entries, 'ci')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
    expect(byManager(entries, 'kubectl-patch')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    // Apply entries come first.
    expect(entries[0]!.operation).toBe('Apply');

    // Forced: the field is ci's alone, and kubectl-patch, left with nothing, is gone.
    await writeFile(path, deployment('shared', 6));
    const forced = await k('apply', '--server-side', '--field-manager=ci', '--force-conflicts', '-f', path);
    expect(forced.stdout.trim()).toBe('deployment.apps/shared serverside-applied');
    entries = await managed('deploy', 'shared');
    expect(byManager(entries, 'kubectl-patch')).toBeUndefined();
    expect(JSON.parse((await k('get', 'deploy', 'shared', '-o', 'json')).stdout).spec.replicas).toBe(6);
  });

  it('moves kubectl from client-side to server-side apply without conflicts, keeping the annotation in step', async () => {
    const path = await file('move.yaml', deployment('move', 2));
    expect((await k('apply', '-f', path)).exitCode).toBe(0);
    await writeFile(path, deployment('move', 3));
    const moved = await k('apply', '--server-side', '-f', path);
    expect(moved.stderr).toBe('');
    expect(moved.stdout.trim()).toBe('deployment.apps/move serverside-applied');
    const d = JSON.parse((await k('get', 'deploy', 'move', '-o', 'json')).stdout);
    expect(d.spec.replicas).toBe(3);
    // The annotation is the applied configuration, as the API server encodes it.
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      `${JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { labels: { app: 'move' }, name: 'move', namespace: 'default' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'move' } },
          template: {
            metadata: { labels: { app: 'move' } },
            spec: { containers: [{ image: 'nginx:1.27', name: 'main' }] },
          },
        },
      })}\n`,
    );
    // So a later client-side apply of the same file changes nothing in the spec.
    expect((await k('apply', '-f', path)).exitCode).toBe(0);
    const after = JSON.parse((await k('get', 'deploy', 'move', '-o', 'json')).stdout);
    expect(after.spec.replicas).toBe(3);
    expect(after.metadata.generation).toBe(d.metadata.generation);

    // A field someone else changed since the last client-side apply is still a conflict.
    await k('patch', 'deploy', 'move', '-p', '{"spec":{"replicas":5}}');
    await writeFile(path, deployment('move', 7));
    const refused = await k('apply', '--server-side', '-f', path);
    expect(refused.stderr).toContain('conflict with "kubectl-patch" using apps/v1: .spec.replicas');
  });

  it('hands a kind without status from client-side to server-side apply, so a dropped key goes', async () => {
    // test/cmd/apply.sh: kubectl moves the client-side apply entry to its Apply entry with a JSON
    // patch of metadata.managedFields; a key the next server-side apply leaves out is then removed.
    const configMap = (legacy: boolean) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: moved\ndata:\n  key: value\n${legacy ? '  legacy: unused\n' : ''}`;
    const path = await file('moved.yaml', configMap(true));
    expect((await k('apply', '-f', path)).exitCode).toBe(0);
    const moved = await k('apply', '--server-side', '-f', path);
    expect(moved.stderr).toBe('');
    expect(byManager(await managed('configmap', 'moved'), 'kubectl-client-side-apply')).toBeUndefined();
    await writeFile(path, configMap(false));
    expect((await k('apply', '--server-side', '-f', path)).exitCode).toBe(0);
    expect(JSON.parse((await k('get', 'configmap', 'moved', '-o', 'json')).stdout).data).toEqual({
      key: 'value',
    });
  });

  it("takes a request's valid managedFields, resets on [{}], ignores unreadable ones, refuses bad managers", async () => {
    await k('create', 'configmap', 'hostile', '--from-literal=a=b');
    const entry = {
      manager: 'importer',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:data': { 'f:__proto__': {}, 'f:a': {} } },
    };
    const patch = (managedFields: unknown) =>
      k(
        'patch',
        'configmap',
        'hostile',
        '--type=merge',
        '-p',
        JSON.stringify({ metadata: { managedFields } }),
      );
    expect((await patch([entry])).exitCode).toBe(0);
    let entries = await managed('configmap', 'hostile');
    expect(entries.map((e) => e.manager)).toEqual(['importer']);
    expect(entries[0]!.fieldsV1).toEqual({ 'f:data': { 'f:__proto__': {}, 'f:a': {} } });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();

    // Unreadable (an unknown operation): the object keeps what it had.
    expect((await patch([{ ...entry, manager: 'x', operation: 'Steal' }])).exitCode).toBe(0);
    expect((await managed('configmap', 'hostile')).map((e) => e.manager)).toEqual(['importer']);

    const bad = await patch([{ ...entry, manager: 'a\u0007b' }]);
    expect(bad.stderr).toContain(
      'metadata.managedFields[0].manager: Invalid value: "a\\ab": invalid character U+0007 (at position 1)',
    );
    const wrongType = await patch('everything');
    expect(wrongType.exitCode).not.toBe(0);
    expect(wrongType.stderr).toMatch(/managedFields/);

    // [{}] clears them all.
    expect((await patch([{}])).exitCode).toBe(0);
    entries = await managed('configmap', 'hostile');
    expect(entries).toEqual([]);
  });

  it('keeps managed fields across a restart (journal and state file)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'churn-labs-mf-'));
    try {
      const first = await startCluster({ home });
      await first.kubectl(['create', 'configmap', 'kept', '--from-literal=a=b']);
      await first.kubectl(['label', 'configmap', 'kept', 'x=y']);
      const before = JSON.parse(
        (await first.kubectl(['get', 'cm', 'kept', '-o', 'json', '--show-managed-fields'])).stdout,
      ).metadata.managedFields;
      await first.stop();
      const second = await startCluster({ home, cacheDir: join(home, 'cache-2') });
      const after = JSON.parse(
        (await second.kubectl(['get', 'cm', 'kept', '-o', 'json', '--show-managed-fields'])).stdout,
      ).metadata.managedFields;
      await second.stop();
      expect(after).toEqual(before);
      expect(after.map((e: Entry) => e.manager)).toEqual(['kubectl-create', 'kubectl-label']);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
