import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageSources } from '../../src/cluster/environment/sources.js';
import { runSteps } from '../../src/cluster/environment/steps.js';
import { workspaceStep } from '../../src/cluster/environment/workspace.js';
import type { UpEvent } from '../../src/cluster/environment-api.js';
import { renderManifest } from '../../src/files/render-manifests.js';
import { contentDirs } from '../../src/paths.js';

const ADA = { namespace: 'churn-mlops-ada', registry: 'registry.test:5000/team', storageClass: 'gp3' };

/** The top-level manifests and those of hpa/ and exercises/, as the workspace gets them. */
async function courseManifests(): Promise<[string, string][]> {
  const root = contentDirs().manifests;
  const files: [string, string][] = [];
  for (const dir of ['', 'hpa', 'exercises'])
    for (const name of (await readdir(join(root, dir))).filter((n) => n.endsWith('.yaml')))
      files.push([join(dir, name), await readFile(join(root, dir, name), 'utf8')]);
  return files;
}

const comments = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('#'));

describe('the manifests rendered for a lab', () => {
  it('gives every object the lab namespace, the registry images and the StorageClass, and keeps every comment', async () => {
    for (const [name, text] of await courseManifests()) {
      const out = renderManifest(text, ADA);
      expect(out, name).not.toMatch(/namespace: churn-mlops\s*$/m);
      expect(out, name).not.toMatch(/image: churn-labs\//);
      expect(out, name).not.toMatch(/storageClassName: standard/);
      expect(comments(out), name).toEqual(comments(text));
      if (/namespace: churn-mlops$/m.test(text))
        expect(out, name).toMatch(/^ {2}namespace: churn-mlops-ada$/m);
      if (/image: churn-labs\/churn-ml:0\.1\.0/.test(text))
        expect(out, name).toContain('image: registry.test:5000/team/churn-labs/churn-ml:0.1.0');
    }
    const [, pvc] = (await courseManifests()).find(([n]) => n === 'pvc.yaml')!;
    expect(renderManifest(pvc, ADA)).toMatch(/^ {2}storageClassName: gp3$/m);
    // Only what names the namespace changes: the label part-of: churn-mlops and churn-mlops-pvc stay.
    expect(renderManifest(pvc, ADA)).toContain('app.kubernetes.io/part-of: churn-mlops\n');
    expect(renderManifest(pvc, ADA)).toContain('name: churn-mlops-pvc\n');
    const [, namespace] = (await courseManifests()).find(([n]) => n === 'namespace.yaml')!;
    expect(renderManifest(namespace, ADA)).toMatch(/^ {2}name: churn-mlops-ada$/m);
  });

  it('leaves every file byte for byte as it is for the default lab (namespace churn-mlops, kind)', async () => {
    for (const [name, text] of await courseManifests())
      expect(renderManifest(text, { namespace: 'churn-mlops' }), name).toBe(text);
  });

  it('renders each document of a stream, and leaves a file it cannot parse alone', () => {
    const stream =
      '# a\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: churn-mlops # ns\n---\n# b\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: "churn-mlops"\n';
    expect(renderManifest(stream, { namespace: 'x' })).toBe(
      '# a\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x # ns\n---\n# b\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: "x"\n',
    );
    const broken = 'metadata:\n  namespace: churn-mlops\n  - [\n';
    expect(renderManifest(broken, { namespace: 'x' })).toBe(broken);
    // An image of another repository is not the course's.
    const other = 'spec:\n  containers:\n    - image: nginx:1.27\n    - image: not-churn-labs/churn-api:1\n';
    expect(renderManifest(other, { namespace: 'churn-mlops', registry: 'r.test' })).toBe(other);
  });
});

describe('the workspace of a classroom learner', () => {
  let workspace: string;
  beforeEach(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'churn-labs-render-'));
  });
  afterEach(() => rm(workspace, { recursive: true, force: true }));

  const copy = async (target: Parameters<typeof workspaceStep>[3]) => {
    const events: UpEvent[] = [];
    const result = await runSteps([workspaceStep(workspace, packageSources(), undefined, target)], (e) =>
      events.push(e),
    );
    expect(result.ok).toBe(true);
    return events.find((e) => e.type === 'step-end');
  };

  it('gets the manifests rendered for their namespace, without namespace.yaml, and a second copy changes nothing', async () => {
    await copy({ ...ADA, classroom: true });
    const k8s = join(workspace, 'k8s');
    await expect(readFile(join(k8s, 'namespace.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(k8s, 'api-deployment.yaml'), 'utf8')).toMatch(/namespace: churn-mlops-ada\n/);
    expect(await readFile(join(k8s, 'hpa', 'hpa.yaml'), 'utf8')).toMatch(/namespace: churn-mlops-ada\n/);
    expect(await readFile(join(k8s, 'pvc.yaml'), 'utf8')).toMatch(/storageClassName: gp3\n/);
    expect(await copy({ ...ADA, classroom: true })).toMatchObject({ outcome: 'skipped' });
    // A learner's edit stays theirs.
    await writeFile(join(k8s, 'configmap.yaml'), 'mine\n');
    await copy({ ...ADA, classroom: true });
    expect(await readFile(join(k8s, 'configmap.yaml'), 'utf8')).toBe('mine\n');
  });

  it('gets namespace.yaml outside a classroom', async () => {
    await copy({ namespace: 'churn-mlops' });
    expect(await readFile(join(workspace, 'k8s', 'namespace.yaml'), 'utf8')).toMatch(/name: churn-mlops\n/);
  });
});
