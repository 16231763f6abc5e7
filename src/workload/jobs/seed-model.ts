import { dayStamp } from '../layout.js';
import { productionModel, readRegistry } from '../registry.js';
import { type JobContext, rawData } from './context.js';
import { describeMetrics, fitModel, saveAndRegister } from './training.js';

/** Generates the data, trains the baseline and registers it as production; a no-op when one exists. */
export async function seedModel(context: JobContext): Promise<void> {
  const { layout, log } = context;
  const existing = productionModel(await readRegistry(layout));
  if (existing) {
    log.info(`Production model ${existing.version} is already registered; nothing to do.`);
    return;
  }
  const training = await rawData(context, 'training');
  await rawData(context, 'recent');
  const fitted = fitModel(context, training, layout.trainingCsv);
  const saved = await saveAndRegister(
    context,
    fitted,
    'baseline',
    `baseline_${dayStamp(context.now())}`,
    (registry) => {
      const raced = productionModel(registry);
      return (
        raced && `Production model ${raced.version} was registered meanwhile by another job; nothing to do.`
      );
    },
  );
  if ('declined' in saved) {
    log.info(saved.declined);
    return;
  }
  log.info(`Trained ${saved.entry.version} on ${layout.trainingCsv}: ${describeMetrics(fitted.metrics)}`);
  log.info(`Registered ${saved.entry.version} as the production model in ${layout.registryFile}`);
}
