import { access } from 'node:fs/promises';
import { posix } from 'node:path';
import { type Config, onDisk } from './config.js';

/**
 * Where things live on the volume, as the container sees it (the course text's layout). Messages show
 * these paths, since they are what a learner finds with `kubectl exec ... ls`; `disk()` gives the
 * path to open on this machine.
 */
export interface Layout {
  trainingCsv: string;
  recentCsv: string;
  predictionsDir: string;
  modelsDir: string;
  metricsDir: string;
  /** JSON rather than the course text's model_registry.db: readable with `cat`, no database engine needed. */
  registryFile: string;
  artifactsDir: string;
  disk(containerPath: string): string;
}

export function volumeLayout(config: Config, env: NodeJS.ProcessEnv = process.env): Layout {
  const data = config.paths.data;
  const artifacts = config.paths.artifacts;
  return {
    trainingCsv: posix.join(data, 'raw', 'training.csv'),
    recentCsv: posix.join(data, 'raw', 'recent.csv'),
    predictionsDir: posix.join(data, 'predictions'),
    modelsDir: posix.join(artifacts, 'models'),
    metricsDir: posix.join(artifacts, 'metrics'),
    registryFile: posix.join(artifacts, 'registry', 'model_registry.json'),
    artifactsDir: artifacts,
    disk: (containerPath) => onDisk(containerPath, env),
  };
}

const pad = (value: number) => String(value).padStart(2, '0');

/** 20251124 (UTC): the day in a baseline model's name. */
export const dayStamp = (date: Date) =>
  `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;

/** 20251124-101500 (UTC): the moment in a file name, sortable as text. */
export const timeStamp = (date: Date) =>
  `${dayStamp(date)}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;

/** `<dir>/<stem><ext>`, or `<stem>-2<ext>`, ... when two runs land in the same second. */
export async function freshPath(layout: Layout, dir: string, stem: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = posix.join(dir, `${n === 1 ? stem : `${stem}-${n}`}${ext}`);
    if (!(await exists(layout.disk(candidate)))) return candidate;
  }
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
