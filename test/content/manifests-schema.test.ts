import { beforeAll, describe, expect, it } from 'vitest';
import { typeProblems } from './kubernetes-types.js';
import { allDocuments, MANIFESTS, type ManifestDocument, readDocuments } from './manifest-files.js';

/** The kind cluster config is kind's own format, not a Kubernetes object; it has its own test. */
const isKubernetesObject = (doc: ManifestDocument) => doc.apiVersion !== 'kind.x-k8s.io/v1alpha4';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** Picks the kubernetes-models class by apiVersion and kind, e.g. kubernetes-models/apps/v1/Deployment. */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass> {
  const module = (await import(/* @vite-ignore */ `kubernetes-models/${apiVersion}/${kind}`)) as Record<
    string,
    ModelClass
  >;
  const model = module[kind];
  if (!model) throw new Error(`kubernetes-models has no ${kind} in ${apiVersion}`);
  return model;
}

async function validate(doc: {
  apiVersion: string;
  kind: string;
  body: unknown;
}): Promise<string | undefined> {
  const Model = await modelClass(doc.apiVersion, doc.kind);
  try {
    new Model(doc.body).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const deployment = (spec: Record<string, unknown>): ManifestDocument => ({
  where: 'test',
  file: 'test',
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: 'x',
  body: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          containers: [{ name: 'x', image: 'x:1', livenessProbe: { httpGet: { path: '/', port: 80 } } }],
        },
      },
      ...spec,
    },
  },
});

describe('every manifest is a valid Kubernetes object', () => {
  let docs: ManifestDocument[];
  beforeAll(() => {
    docs = allDocuments().filter(isKubernetesObject);
  });

  it('finds the manifests of every folder', () => {
    const files = new Set(docs.map((d) => d.file));
    expect([...files].some((f) => f.startsWith('manifests/hpa/'))).toBe(true);
    expect([...files].some((f) => f.startsWith('manifests/platform/'))).toBe(true);
    expect(docs.length).toBeGreaterThanOrEqual(20);
  });

  it('validates each document against the Kubernetes schema (kubernetes-models)', async () => {
    const problems: string[] = [];
    for (const doc of docs) {
      const problem = await validate(doc);
      if (problem) problems.push(`${doc.where} ${doc.kind}/${doc.name}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('has no field the Kubernetes API does not know, and no value of the wrong type', () => {
    expect(typeProblems(docs)).toEqual([]);
  });

  it('puts every namespaced object of the system in churn-mlops', () => {
    const system = docs.filter((d) => !d.file.startsWith('manifests/platform/'));
    for (const doc of system) {
      if (doc.kind === 'Namespace') continue;
      expect(
        (doc.body.metadata as { namespace?: string }).namespace,
        `${doc.where} ${doc.kind}/${doc.name}`,
      ).toBe('churn-mlops');
    }
  });
});

describe('the schema checks catch mistakes (red)', () => {
  it('kubernetes-models refuses a wrong type and a missing required field', async () => {
    expect(await validate(deployment({ replicas: 'three' }))).toMatch(/replicas/);
    const noSelector = deployment({});
    delete (noSelector.body.spec as Record<string, unknown>).selector;
    expect(await validate(noSelector)).toMatch(/selector/);
  });

  it('a typo in a field name fails, at the top of spec and deep in a container', () => {
    expect(typeProblems([deployment({ replicas: 3 })])).toEqual([]);
    const [typo] = typeProblems([deployment({ replcas: 3 })]);
    expect(typo).toMatch(/^test: spec\.replcas: .*'"?replcas"?' does not exist/);
    const deep = deployment({});
    const container = (
      (deep.body.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
        .containers[0] as { livenessProbe: Record<string, unknown> }
    ).livenessProbe;
    container.initialDelaySecond = 10;
    expect(typeProblems([deep]).join('\n')).toMatch(
      /spec\.template\.spec\.containers\[0\]\.livenessProbe\.initialDelaySecond: .*does not exist/,
    );
  });

  it('a field of a real manifest renamed by mistake fails', () => {
    const [cronJob] = readDocuments(`${MANIFESTS}/batch-cronjob.yaml`);
    const spec = cronJob!.body.spec as Record<string, unknown>;
    spec.succesfulJobsHistoryLimit = spec.successfulJobsHistoryLimit;
    delete spec.successfulJobsHistoryLimit;
    expect(typeProblems([cronJob!]).join('\n')).toMatch(/succesfulJobsHistoryLimit.*does not exist/);
  });

  it('a value of the wrong type fails', () => {
    expect(typeProblems([deployment({ replicas: '3' })]).join('\n')).toMatch(/spec\.replicas: .*string/);
  });
});
