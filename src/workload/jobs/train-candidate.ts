import { timeStamp } from '../layout.js';
import type { JobContext } from './context.js';
import { rawData } from './context.js';
import { describeMetrics, fitModel, saveAndRegister } from './training.js';

/** Trains on the latest data (the recent users and their outcomes) and registers a candidate. */
export async function trainCandidate(context: JobContext): Promise<void> {
  const { layout, log } = context;
  const recent = await rawData(context, 'recent');
  const fitted = fitModel(context, recent, layout.recentCsv);
  const saved = await saveAndRegister(context, fitted, 'candidate', `candidate_${timeStamp(context.now())}`);
  if ('declined' in saved) return;
  log.info(`Trained ${saved.entry.version} on ${layout.recentCsv}: ${describeMetrics(fitted.metrics)}`);
  log.info(`Registered ${saved.entry.version} as a candidate; promote-model compares it with production.`);
}
