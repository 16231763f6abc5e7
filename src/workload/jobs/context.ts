import { posix } from 'node:path';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../files/atomic.js';
import type { Config } from '../config.js';
import { datasetToCsv, readDatasetCsv } from '../csv.js';
import { type Cohort, type Dataset, generateUsers } from '../dataset.js';
import { exists, type Layout } from '../layout.js';
import type { Logger } from '../log.js';
import type { ModelFile } from '../model.js';
import {
  productionModel,
  type Registry,
  type RegistryEntry,
  readRegisteredModel,
  readRegistry,
} from '../registry.js';

/** What every job gets: the settings, the volume and the pod log. */
export interface JobContext {
  config: Config;
  layout: Layout;
  log: Logger;
  now: () => Date;
}

/**
 * The raw data set of a cohort: read from the volume, or generated from data.seed and saved
 * first, so every job works on a fresh volume and all of them see the same users.
 */
export async function rawData(context: JobContext, cohort: Cohort): Promise<Dataset> {
  const { layout, config, log } = context;
  const file = cohort === 'training' ? layout.trainingCsv : layout.recentCsv;
  if (!(await exists(layout.disk(file)))) {
    const data = generateUsers(config.data.users, config.data.seed, cohort);
    await writeFileAtomic(layout.disk(file), datasetToCsv(data));
    log.info(`Generated ${data.rows} synthetic ${cohort} users (seed ${config.data.seed}) into ${file}`);
    return data;
  }
  return readDatasetCsv(layout.disk(file), file);
}

export const cohortOf = (layout: Layout, file: string): Cohort =>
  file === layout.recentCsv ? 'recent' : 'training';

export interface ProductionModel {
  entry: RegistryEntry;
  model: ModelFile;
  registry: Registry;
}

export async function loadProduction(context: JobContext): Promise<ProductionModel> {
  const registry = await readRegistry(context.layout);
  const entry = productionModel(registry);
  if (!entry)
    throw new UserError(
      `no production model in ${context.layout.registryFile}: run seed-model first (in a pod, the volume that holds it must be mounted there).`,
      1,
    );
  return { entry, registry, model: await readRegisteredModel(context.layout, entry) };
}

/** A version name nobody has used, in the registry or on the volume (a killed run's orphan file). */
export async function pickVersion(layout: Layout, registry: Registry, stem: string): Promise<string> {
  const taken = new Set(registry.models.map((m) => m.version));
  for (let n = 1; ; n++) {
    const version = n === 1 ? stem : `${stem}-${n}`;
    if (
      !taken.has(version) &&
      !(await exists(layout.disk(posix.join(layout.modelsDir, `${version}.json`))))
    ) {
      return version;
    }
  }
}

export const fixed = (value: number, digits = 4) => value.toFixed(digits);
