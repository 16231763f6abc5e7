import { writeFileAtomic } from '../../files/atomic.js';
import { FEATURES, featureColumn } from '../dataset.js';
import { psi } from '../drift.js';
import { freshPath, timeStamp } from '../layout.js';
import { type JobContext, rawData } from './context.js';

export interface DriftReport {
  created_at: string;
  reference: { data: string; rows: number };
  current: { data: string; rows: number };
  method: 'psi';
  bins: number;
  threshold: number;
  features: Record<string, { psi: number; drifted: boolean }>;
  drifted_features: string[];
  verdict: 'drift_detected' | 'no_drift';
}

/** Compares recent data with training data feature by feature; drift is a finding, not a failure. */
export async function checkDrift(context: JobContext): Promise<DriftReport> {
  const { layout, log, config } = context;
  const training = await rawData(context, 'training');
  const recent = await rawData(context, 'recent');
  const threshold = config.drift.psi_threshold;
  const features: DriftReport['features'] = {};
  FEATURES.forEach((name, index) => {
    const value = psi(featureColumn(training, index), featureColumn(recent, index));
    features[name] = { psi: Math.round(value * 1e4) / 1e4, drifted: value > threshold };
  });
  const drifted = FEATURES.filter((name) => features[name]!.drifted);
  const createdAt = context.now();
  const report: DriftReport = {
    created_at: createdAt.toISOString(),
    reference: { data: layout.trainingCsv, rows: training.rows },
    current: { data: layout.recentCsv, rows: recent.rows },
    method: 'psi',
    bins: 10,
    threshold,
    features,
    drifted_features: drifted,
    verdict: drifted.length ? 'drift_detected' : 'no_drift',
  };
  const file = await freshPath(layout, layout.metricsDir, `drift_${timeStamp(createdAt)}`, '.json');
  await writeFileAtomic(layout.disk(file), `${JSON.stringify(report, null, 2)}\n`);
  const table = FEATURES.map((name) => `${name}=${features[name]!.psi.toFixed(4)}`).join(', ');
  log.info(`PSI per feature (threshold ${threshold}): ${table}`);
  log.info(
    drifted.length
      ? `Drift detected in ${drifted.length} feature(s): ${drifted.join(', ')}; consider train-candidate. Report: ${file}`
      : `No drift: every feature's PSI is at most ${threshold}. Report: ${file}`,
  );
  return report;
}
