import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import envPaths from 'env-paths';
import { usageError } from './errors.js';

let root: string | undefined;

/** The folder holding package.json, labs/, quizzes/ and manifests/, whether we run from dist/ or src/. */
export function packageRoot(): string {
  root ??= findPackageRoot();
  return root;
}

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'churn-labs') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('churn-labs: cannot find the package folder (package.json)');
    dir = parent;
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const contentDirs = () => {
  const root = packageRoot();
  return {
    labs: join(root, 'labs'),
    incidents: join(root, 'labs', 'incidents'),
    quizzes: join(root, 'quizzes'),
    manifests: join(root, 'manifests'),
    docker: join(root, 'docker'),
  };
};

/** The state folder: progress, the learner's workspace and the simulated cluster live here. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CHURN_LABS_HOME;
  const given = fromEnv !== undefined && fromEnv.trim() !== '';
  const fallback = envPaths('churn-labs', { suffix: '' }).data;
  const home = given ? resolve(fromEnv) : fallback;
  // A folder that does not exist yet is made when first written; a file in its place (or on the
  // way to it) is a mistake.
  let isFolder: boolean | undefined;
  try {
    isFolder = statSync(home, { throwIfNoEntry: false })?.isDirectory();
  } catch {
    isFolder = false;
  }
  if (isFolder === false) {
    throw usageError(
      given
        ? `CHURN_LABS_HOME is ${home}, which is not a folder (it, or a folder on the way to it, is a file). Point CHURN_LABS_HOME at a folder (it is created if missing), or unset it to use ${fallback}.`
        : `The state folder ${home} is not a folder (it, or a folder on the way to it, is a file). Move the file away, or set CHURN_LABS_HOME to a folder.`,
    );
  }
  return home;
}

export const homePaths = (home = homeDir()) => ({
  home,
  progress: join(home, 'progress.json'),
  workspace: join(home, 'workspace'),
  sim: join(home, 'sim'),
  simKubeconfig: join(home, 'sim', 'kubeconfig'),
  /** The lab last brought up here (its context, and kubeconfig if one was given): the default target. */
  lastLab: join(home, 'lab.json'),
});
