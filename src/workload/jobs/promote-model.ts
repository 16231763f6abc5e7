import { UserError } from '../../errors.js';
import { splitRows } from '../dataset.js';
import { evaluateOn } from '../model.js';
import {
  type Decision,
  newestCandidate,
  productionModel,
  readRegisteredModel,
  readRegistry,
  updateRegistry,
} from '../registry.js';
import { cohortOf, type JobContext, rawData } from './context.js';

/**
 * Promotes the newest candidate when its AUC beats production's by training.min_improvement, both
 * measured now on the candidate's held-out rows, so the two numbers are comparable; says why either way.
 */
export async function promoteModel(context: JobContext): Promise<Decision> {
  const { layout, log, config } = context;
  const registry = await readRegistry(layout);
  const candidate = newestCandidate(registry);
  if (!candidate) throw new UserError('no candidate model: run train-candidate first.', 1);
  const production = productionModel(registry);
  const data = await rawData(context, cohortOf(layout, candidate.trained_on));
  const heldOut = splitRows(data.rows, candidate.split_seed).heldOut;
  const threshold = config.model.threshold;
  const candidateAuc = evaluateOn(await readRegisteredModel(layout, candidate), data, heldOut, threshold).auc;
  const productionAuc = production
    ? evaluateOn(await readRegisteredModel(layout, production), data, heldOut, threshold).auc
    : null;
  const needed = config.training.min_improvement;
  const gain = productionAuc === null ? null : candidateAuc - productionAuc;
  const promoted = gain === null || gain >= needed - 1e-12;
  const on = `on ${heldOut.length} held-out users of ${candidate.trained_on}`;
  const reason =
    gain === null || productionAuc === null
      ? `no production model yet; candidate AUC ${candidateAuc.toFixed(4)} ${on}`
      : `candidate AUC ${candidateAuc.toFixed(4)} vs production ${production!.version} AUC ${productionAuc.toFixed(4)} ${on}: ` +
        `${signed(gain)} ${promoted ? 'meets' : 'is below'} the required ${signed(needed)}`;
  const decision: Decision = {
    at: context.now().toISOString(),
    promoted,
    reason,
    candidate_auc: candidateAuc,
    production_auc: productionAuc,
    production_version: production?.version ?? null,
  };
  await updateRegistry(layout, (current) => {
    const now = decision.at;
    for (const model of current.models) {
      if (model.version === candidate.version) {
        model.decision = decision;
        if (promoted) {
          model.status = 'production';
          model.promoted_at = now;
        }
      } else if (promoted && model.status === 'production') {
        model.status = 'retired';
        model.retired_at = now;
      }
    }
  });
  log.info(
    promoted
      ? `Promoted ${candidate.version} to production: ${reason}.`
      : `Kept ${production!.version} in production; ${candidate.version} stays a candidate: ${reason}.`,
  );
  return decision;
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
