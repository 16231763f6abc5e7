import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLastLab, writeLastLab } from '../../src/files/last-lab.js';
import { renderManifest } from '../../src/files/render-manifests.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('lab.json', () => {
  it('keeps the registry, storage class and namespace up rendered the workspace for', async () => {
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-lastlab-'));
    const path = join(dir, 'lab.json');
    await writeLastLab(path, { context: 'gke-class', registry: 'ghcr.io/acme', storageClass: 'premium-rwo' });
    expect(readLastLab(path)).toEqual({
      context: 'gke-class',
      registry: 'ghcr.io/acme',
      storageClass: 'premium-rwo',
    });
    // Bringing kind up afterwards forgets them: they belonged to the other cluster.
    await writeLastLab(path, { context: 'kind-churn-labs' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ context: 'kind-churn-labs' });
  });

  it('takes only string fields of its own, never inherited ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'churn-labs-lastlab-'));
    const path = join(dir, 'lab.json');
    await writeFile(
      path,
      '{"context":"c","registry":42,"__proto__":{"storageClass":"x"},"namespace":"churn-mlops-ada"}',
    );
    expect(readLastLab(path)).toEqual({ context: 'c', namespace: 'churn-mlops-ada' });
  });
});

describe('rendering the manifests for a cluster', () => {
  const deployment = [
    'metadata:',
    '  namespace: churn-mlops',
    'spec:',
    '  containers:',
    '    - name: api',
    '      image: churn-labs/churn-api:0.1.0',
    '    - image: "churn-labs/churn-ml:0.1.0"',
    '    - image: nginx:1.27',
    "  # claims: kind's class",
    '  storageClassName: standard',
    '',
  ].join('\n');

  it('prefixes the lab images with the registry and swaps the class, leaving the rest and the comments', () => {
    expect(renderManifest(deployment, { registry: 'ghcr.io/acme', storageClass: 'gp3' })).toBe(
      deployment
        .replace('image: churn-labs/', 'image: ghcr.io/acme/churn-labs/')
        .replace('"churn-labs/', '"ghcr.io/acme/churn-labs/')
        .replace('storageClassName: standard', 'storageClassName: gp3'),
    );
    expect(renderManifest(deployment, {})).toBe(deployment);
  });

  it("renders the namespace, and the Namespace object's own name", () => {
    expect(renderManifest(deployment, { namespace: 'churn-mlops-ada' })).toContain(
      '  namespace: churn-mlops-ada\n',
    );
    expect(
      renderManifest('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: churn-mlops\n', {
        namespace: 'churn-mlops-ada',
      }),
    ).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: churn-mlops-ada\n');
  });
});
