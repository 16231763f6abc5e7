import { posix } from 'node:path';
import { writeFileAtomic } from '../../files/atomic.js';
import { type Dataset, FEATURES, splitRows } from '../dataset.js';
import type { Evaluation } from '../evaluate.js';
import { freshPath, timeStamp } from '../layout.js';
import { type Coefficients, evaluateOn, type ModelFile, train } from '../model.js';
import { type Registry, type RegistryEntry, updateRegistry } from '../registry.js';
import { type JobContext, pickVersion } from './context.js';

const L2 = 0.01;
const ITERATIONS = 400;

export interface FittedModel {
  coefficients: Coefficients;
  metrics: Evaluation;
  dataFile: string;
  trainRows: number;
  seed: number;
}

/** Trains on 80% of `data` and evaluates on the held-out 20%. */
export function fitModel(context: JobContext, data: Dataset, dataFile: string): FittedModel {
  const seed = context.config.data.seed;
  const split = splitRows(data.rows, seed);
  const coefficients = train(data, split.train, { seed, l2: L2, iterations: ITERATIONS });
  const metrics = evaluateOn(coefficients, data, split.heldOut, context.config.model.threshold);
  return { coefficients, metrics, dataFile, trainRows: split.train.length, seed };
}

/**
 * Names, saves and registers a fitted model in one step under the registry lock, so that jobs
 * finishing in the same second still get distinct versions. `register` may decline (returns a
 * reason) after seeing the current registry; then nothing is written.
 */
export async function saveAndRegister(
  context: JobContext,
  fitted: FittedModel,
  kind: RegistryEntry['kind'],
  stem: string,
  register: (registry: Registry) => string | undefined = () => undefined,
): Promise<{ entry: RegistryEntry } | { declined: string }> {
  const { layout, config } = context;
  return updateRegistry(layout, async (registry) => {
    const declined = register(registry);
    if (declined) return { declined };
    const createdAt = context.now();
    const version = await pickVersion(layout, registry, stem);
    const model: ModelFile = {
      format: 1,
      kind: 'logistic_regression',
      version,
      created_at: createdAt.toISOString(),
      features: [...FEATURES],
      ...fitted.coefficients,
      training: {
        data: fitted.dataFile,
        rows: fitted.trainRows,
        held_out_rows: fitted.metrics.rows,
        seed: fitted.seed,
        l2: L2,
        iterations: ITERATIONS,
      },
      metrics: fitted.metrics,
    };
    const modelFile = posix.join(layout.modelsDir, `${version}.json`);
    await writeFileAtomic(layout.disk(modelFile), `${JSON.stringify(model, null, 2)}\n`);
    const evaluationFile = await freshPath(
      layout,
      layout.metricsDir,
      `evaluation_${timeStamp(createdAt)}`,
      '.json',
    );
    const evaluation = {
      model_version: version,
      created_at: createdAt.toISOString(),
      data: fitted.dataFile,
      held_out_rows: fitted.metrics.rows,
      threshold: config.model.threshold,
      metrics: fitted.metrics,
    };
    await writeFileAtomic(layout.disk(evaluationFile), `${JSON.stringify(evaluation, null, 2)}\n`);
    const entry: RegistryEntry = {
      version,
      kind,
      status: kind === 'baseline' ? 'production' : 'candidate',
      file: posix.relative(layout.artifactsDir, modelFile),
      created_at: createdAt.toISOString(),
      promoted_at: kind === 'baseline' ? createdAt.toISOString() : null,
      retired_at: null,
      trained_on: fitted.dataFile,
      split_seed: fitted.seed,
      metrics: fitted.metrics,
      evaluation_file: posix.relative(layout.artifactsDir, evaluationFile),
    };
    registry.models.push(entry);
    return { entry };
  });
}

export const describeMetrics = (m: Evaluation) =>
  `held-out AUC ${m.auc.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}, log loss ${m.log_loss.toFixed(4)} on ${m.rows} users`;
