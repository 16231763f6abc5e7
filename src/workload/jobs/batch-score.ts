import { writeFileAtomic } from '../../files/atomic.js';
import { type Dataset, FEATURE_COUNT, generateUsers } from '../dataset.js';
import { freshPath, timeStamp } from '../layout.js';
import { type Coefficients, churnProbability } from '../model.js';
import { type JobContext, loadProduction, rawData } from './context.js';

/** Longest line we write: a 6-digit user id, "0.1234", "false" and a model version of any sane length. */
const MAX_LINE_BYTES = 96;

/**
 * Scores every recent user with the production model, or `users` synthetic users held in memory
 * at once; memory grows linearly with `users`, which the resources exercise uses to hit a limit.
 */
export async function batchScore(context: JobContext, options: { users?: number } = {}): Promise<void> {
  const { layout, log, config } = context;
  const { entry, model } = await loadProduction(context);
  let data: Dataset;
  let source: string;
  if (options.users !== undefined) {
    log.info(`Generating ${options.users} synthetic users to score in memory`);
    data = generateUsers(options.users, config.data.seed, 'recent');
    source = 'synthetic users held in memory';
  } else {
    data = await rawData(context, 'recent');
    source = layout.recentCsv;
  }
  const csv = predictionsCsv(model, entry.version, data, config.model.threshold);
  const file = await freshPath(
    layout,
    layout.predictionsDir,
    `predictions_${timeStamp(context.now())}`,
    '.csv',
  );
  await writeFileAtomic(layout.disk(file), csv.bytes);
  log.info(
    `Scored ${data.rows} users (${source}) with model ${entry.version}: ${csv.churners} likely to churn (threshold ${config.model.threshold}); wrote ${file}`,
  );
}

/** The predictions file, built in one buffer outside the JavaScript heap (see Dataset). */
export function predictionsCsv(
  model: Coefficients,
  version: string,
  data: Dataset,
  threshold: number,
): { bytes: Buffer; churners: number } {
  const header = 'user_id,churn_probability,will_churn,model_version\n';
  const bytes = Buffer.allocUnsafe(header.length + data.rows * (MAX_LINE_BYTES + version.length));
  let offset = bytes.write(header, 0);
  let churners = 0;
  for (let row = 0; row < data.rows; row++) {
    const probability = churnProbability(
      model,
      data.features.subarray(row * FEATURE_COUNT, (row + 1) * FEATURE_COUNT),
    );
    const willChurn = probability >= threshold;
    if (willChurn) churners++;
    offset += bytes.write(`${data.userId(row)},${probability.toFixed(4)},${willChurn},${version}\n`, offset);
  }
  return { bytes: bytes.subarray(0, offset), churners };
}
