import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../paths.js';
import { StepFailed } from './steps.js';

/**
 * Where `up` takes what it brings to the cluster from: the installed package (there is no src/ in
 * the published package, only dist/, docker/ and manifests/).
 */
export interface PackageSources {
  root: string;
  version: string;
  manifests: string;
  kindConfig: string;
  metricsServer: string;
  dockerDir: string;
  /** The bundled workload that every image runs. */
  workload: string;
}

export function packageSources(root = packageRoot()): PackageSources {
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // A package folder without package.json still has files to copy; its version is unknown.
  }
  const manifests = join(root, 'manifests');
  return {
    root,
    version,
    manifests,
    kindConfig: join(manifests, 'platform', 'kind-config.yaml'),
    metricsServer: join(manifests, 'platform', 'metrics-server.yaml'),
    dockerDir: join(root, 'docker'),
    workload: join(root, 'dist', 'churn-mlops.js'),
  };
}

/** A file `up` needs from the package, or a failure that says which one is missing. */
export function requireFile(path: string, what: string): string {
  if (!existsSync(path))
    throw new StepFailed(
      `${what} is missing from the churn-labs package (${path}).`,
      'Reinstall churn-labs (npm install churn-labs); in a checkout of its source, run npm run build.',
    );
  return path;
}

export interface LabImage {
  /** Its reference, as the manifests name it. */
  ref: string;
  /** A short name for step ids: churn-api-0.1.0. */
  slug: string;
  buildArgs: Record<string, string>;
}

/** The three images of the course: the API at 0.1.0, the rolling-update target 0.2.0, the jobs. */
export const LAB_IMAGES: readonly LabImage[] = [
  {
    ref: 'churn-labs/churn-api:0.1.0',
    slug: 'churn-api-0.1.0',
    buildArgs: { APP_VERSION: '0.1.0', DEFAULT_COMMAND: 'api' },
  },
  {
    ref: 'churn-labs/churn-api:0.2.0',
    slug: 'churn-api-0.2.0',
    buildArgs: { APP_VERSION: '0.2.0', DEFAULT_COMMAND: 'api' },
  },
  {
    ref: 'churn-labs/churn-ml:0.1.0',
    slug: 'churn-ml-0.1.0',
    buildArgs: { APP_VERSION: '0.1.0', DEFAULT_COMMAND: '--help' },
  },
];

/** The label that records which build context an image was built from. */
export const CONTEXT_HASH_LABEL = 'io.churn-labs.context-hash';
