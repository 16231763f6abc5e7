import type { Config } from '../config.js';
import type { Layout } from '../layout.js';
import type { Logger } from '../log.js';
import type { Coefficients } from '../model.js';
import { productionModel, readRegisteredModel, readRegistry } from '../registry.js';

export interface ServedModel {
  version: string;
  /** The day it was trained, YYYY-MM-DD. */
  date: string;
  coefficients: Coefficients;
}

/**
 * Keeps the API's model in step with the registry: it looks every api.model_poll_seconds, so a
 * model seeded or promoted after the API started is picked up without a restart. A registry or
 * model that cannot be read leaves the current model serving (and is logged once, not every poll).
 */
export class ModelWatcher {
  current: ServedModel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;
  private stopped = false;

  constructor(
    private readonly config: Config,
    private readonly layout: Layout,
    private readonly log: Logger,
    private readonly onChange: (model: ServedModel) => void,
  ) {}

  start(): void {
    this.stopped = false;
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async check(): Promise<void> {
    try {
      const entry = productionModel(await readRegistry(this.layout));
      if (!entry) {
        this.problem(
          `no production model registered in ${this.layout.registryFile} yet; waiting for seed-model`,
        );
        return;
      }
      if (entry.version === this.current?.version) return;
      const file = await readRegisteredModel(this.layout, entry);
      const previous = this.current?.version;
      this.current = {
        version: file.version,
        date: file.created_at.slice(0, 10),
        coefficients: { means: file.means, stds: file.stds, weights: file.weights, bias: file.bias },
      };
      this.lastProblem = undefined;
      this.onChange(this.current);
      this.log.info(
        `Loaded production model ${file.version} (trained ${this.current.date}, held-out AUC ${file.metrics.auc.toFixed(4)})` +
          (previous ? `, replacing ${previous}` : ''),
      );
    } catch (error) {
      this.problem((error as Error).message);
    }
  }

  private async poll(): Promise<void> {
    await this.check();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), this.config.api.model_poll_seconds * 1000);
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    if (this.current) this.log.warn(`${message} (still serving ${this.current.version})`);
    else this.log.info(`Not ready: ${message}`);
  }
}
