import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';

export const MANIFESTS = join(process.cwd(), 'manifests');

/** One YAML document of a manifest file, with where it came from for messages. */
export interface ManifestDocument {
  /** `manifests/api-deployment.yaml:5` — the file and the line the document starts on. */
  where: string;
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  body: Record<string, unknown>;
}

/**
 * manifests/exercises/ belongs to the exercises (labs/), whose manifests may be wrong on purpose
 * (a pod without requests to show BestEffort, say); their own tests check them.
 */
const EXERCISES = join(MANIFESTS, 'exercises');

/** The YAML files of a folder of manifests, optionally with its subfolders, sorted like kubectl does. */
export function manifestFiles(dir = MANIFESTS, recursive = true): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive && path !== EXERCISES) files.push(...manifestFiles(path, true));
    } else if (/\.ya?ml$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** Parses every document of a file; a YAML error fails loudly with its line. */
export function readDocuments(file: string): ManifestDocument[] {
  const lineCounter = new LineCounter();
  const display = relative(process.cwd(), file);
  const parsed = parseAllDocuments(readFileSync(file, 'utf8'), { lineCounter, uniqueKeys: true });
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((doc) => {
    const error = doc.errors[0];
    if (error) throw new Error(`${display}:${error.linePos?.[0]?.line ?? '?'}: ${error.message}`);
    const body = doc.toJS() as Record<string, unknown> | null;
    if (body === null) return [];
    const start = doc.contents?.range?.[0] ?? 0;
    const metadata = (body.metadata ?? {}) as { name?: string };
    return [
      {
        where: `${display}:${lineCounter.linePos(start).line}`,
        file: display,
        apiVersion: String(body.apiVersion),
        kind: String(body.kind),
        name: String(metadata.name ?? body.name),
        body,
      },
    ];
  });
}

export const allDocuments = (dir = MANIFESTS) => manifestFiles(dir).flatMap(readDocuments);

/** The one document of that kind and name, or a failure saying which exist. */
export function find(docs: ManifestDocument[], kind: string, name: string): Record<string, unknown> {
  const doc = docs.find((d) => d.kind === kind && d.name === name);
  if (!doc) throw new Error(`no ${kind} ${name}; found ${docs.map((d) => `${d.kind}/${d.name}`).join(', ')}`);
  return doc.body;
}

/** Every container (and init container) of any object that has a pod template, or of a pod. */
export function containersOf(doc: ManifestDocument): Record<string, unknown>[] {
  const podSpecs: unknown[] = [];
  const body = doc.body as {
    spec?: {
      template?: { spec?: unknown };
      jobTemplate?: { spec?: { template?: { spec?: unknown } } };
      containers?: unknown;
    };
  };
  if (doc.kind === 'Pod') podSpecs.push(body.spec);
  if (body.spec?.template?.spec) podSpecs.push(body.spec.template.spec);
  if (body.spec?.jobTemplate?.spec?.template?.spec) podSpecs.push(body.spec.jobTemplate.spec.template.spec);
  return podSpecs.flatMap((spec) => {
    const s = spec as { containers?: unknown[]; initContainers?: unknown[] };
    return [...(s.containers ?? []), ...(s.initContainers ?? [])] as Record<string, unknown>[];
  });
}

/** The pod spec of a Deployment, Job or CronJob. */
export const podSpec = (body: Record<string, unknown>): PodSpec => {
  const spec = body.spec as {
    template?: { spec: PodSpec };
    jobTemplate?: { spec: { template: { spec: PodSpec }; backoffLimit?: number } };
  };
  return (spec.template?.spec ?? spec.jobTemplate?.spec.template.spec)!;
};
export interface PodSpec {
  restartPolicy?: string;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }[];
}
export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
  [field: string]: unknown;
}
