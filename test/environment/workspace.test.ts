import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { workspaceStep } from '../../src/cluster/environment/workspace.js';
import { WORKSPACE_STATE } from '../../src/cluster/environment.js';
import { createMachine, notices, stepEnds, type TestMachine, writePackage } from './helpers.js';

const DEPLOYMENT_V2 =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: churn-api\nspec:\n  replicas: 3\n  revisionHistoryLimit: 5\n';

describe('the workspace copy of the manifests (k8s/)', () => {
  let machine: TestMachine;
  let k8s: string;
  beforeEach(async () => {
    machine = await createMachine();
    k8s = join(machine.lab.paths.workspace, 'k8s');
  });
  afterEach(() => machine.cleanup());

  const copy = async (confirmOverwrite?: (files: string[]) => Promise<boolean>) => {
    const { result, events } = await machine.run([
      workspaceStep(machine.lab.paths.workspace, machine.sources(), confirmOverwrite),
    ]);
    expect(result.ok).toBe(true);
    return { end: stepEnds(events)[0]!, notices: notices(events) };
  };
  const read = (name: string) => readFile(join(k8s, name), 'utf8');
  const edit = (name: string, text: string) => writeFile(join(k8s, name), text);
  const newRelease = () =>
    writePackage(machine.packageDir, '0.2.0', { 'manifests/api-deployment.yaml': DEPLOYMENT_V2 });

  it('copies the top-level manifests, hpa/ and exercises/, but not platform/, and remembers what it copied', async () => {
    const { end } = await copy();
    expect(end).toMatchObject({ outcome: 'ok', detail: `copied 4 files to ${k8s}` });
    expect(await read('api-deployment.yaml')).toMatch(/replicas: 3/);
    expect(await read('hpa/api-hpa.yaml')).toMatch(/HorizontalPodAutoscaler/);
    expect(await read('exercises/broken-probe.yaml')).toMatch(/broken/);
    await expect(read('platform/metrics-server.yaml')).rejects.toThrow(/ENOENT/);
    const state = JSON.parse(await readFile(join(machine.lab.paths.workspace, WORKSPACE_STATE), 'utf8'));
    expect(state).toMatchObject({ version: 1, packageVersion: '0.1.0' });
    expect(Object.keys(state.copied).sort()).toEqual([
      'k8s/api-deployment.yaml',
      'k8s/exercises/broken-probe.yaml',
      'k8s/hpa/api-hpa.yaml',
      'k8s/namespace.yaml',
    ]);
    expect((await copy()).end).toMatchObject({ outcome: 'skipped', detail: `${k8s} is up to date` });
  });

  it("keeps the learner's edit without a question while the package brings nothing new for that file", async () => {
    await copy();
    await edit('api-deployment.yaml', 'replicas: 5 # mine\n');
    const ask = vi.fn(async () => true);
    const { end } = await copy(ask);
    expect(ask).not.toHaveBeenCalled();
    expect(end.outcome).toBe('skipped');
    expect(await read('api-deployment.yaml')).toBe('replicas: 5 # mine\n');
  });

  it('updates a file the learner did not touch when a new version of churn-labs changes it', async () => {
    await copy();
    await newRelease();
    const ask = vi.fn(async () => false);
    const { end } = await copy(ask);
    expect(ask).not.toHaveBeenCalled();
    expect(end).toMatchObject({ outcome: 'ok', detail: `copied 1 file to ${k8s}` });
    expect(await read('api-deployment.yaml')).toBe(DEPLOYMENT_V2);
  });

  it('asks before replacing an edited file that a new version changes; no keeps theirs and says so, once asked it does not ask again', async () => {
    await copy();
    await edit('api-deployment.yaml', 'replicas: 5 # mine\n');
    await newRelease();
    const no = vi.fn(async (_files: string[]) => false);
    const first = await copy(no);
    expect(no).toHaveBeenCalledWith(['k8s/api-deployment.yaml']);
    expect(await read('api-deployment.yaml')).toBe('replicas: 5 # mine\n');
    expect(first.notices).toEqual([
      expect.stringMatching(
        /^Kept your edited k8s\/api-deployment\.yaml in .*; this version of churn-labs \(0\.2\.0\) has different versions of them in .*manifests\.$/,
      ),
    ]);

    const again = vi.fn(async () => true);
    const second = await copy(again);
    expect(again).not.toHaveBeenCalled();
    expect(await read('api-deployment.yaml')).toBe('replicas: 5 # mine\n');
    expect(second.notices).toHaveLength(1);
  });

  it('replaces the edited file when the learner says yes', async () => {
    await copy();
    await edit('api-deployment.yaml', 'replicas: 5 # mine\n');
    await newRelease();
    const { end } = await copy(async () => true);
    expect(end.outcome).toBe('ok');
    expect(await read('api-deployment.yaml')).toBe(DEPLOYMENT_V2);
  });

  it("keeps the learner's file when there is no one to ask, or nothing records what was copied", async () => {
    await copy();
    await edit('api-deployment.yaml', 'replicas: 5 # mine\n');
    await newRelease();
    const { notices: said } = await copy();
    expect(await read('api-deployment.yaml')).toBe('replicas: 5 # mine\n');
    expect(said[0]).toMatch(/^Kept your edited k8s\/api-deployment\.yaml/);

    // Without the state file an existing, different file can only be the learner's: ask.
    await rm(join(machine.lab.paths.workspace, WORKSPACE_STATE));
    await edit('namespace.yaml', '# my namespace\n');
    const ask = vi.fn(async (_files: string[]) => false);
    await copy(ask);
    expect(ask.mock.calls[0]?.[0]).toEqual(['k8s/api-deployment.yaml', 'k8s/namespace.yaml']);
    expect(await read('namespace.yaml')).toBe('# my namespace\n');
  });

  it('leaves files of the learner that are not in the package alone, and brings new ones', async () => {
    await copy();
    await edit('my-notes.yaml', '# notes\n');
    await writePackage(machine.packageDir, '0.2.0', { 'manifests/hpa/extra.yaml': 'kind: ConfigMap\n' });
    await copy();
    expect(await read('my-notes.yaml')).toBe('# notes\n');
    expect(await read('hpa/extra.yaml')).toBe('kind: ConfigMap\n');
  });
});
