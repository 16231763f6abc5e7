import { type Lab, openLab } from '../lab.js';
import type { GlobalOptions } from '../program.js';

export interface CommonOptions extends GlobalOptions {
  json?: boolean;
  yes?: boolean;
}

export function labFrom(options: CommonOptions): Promise<Lab> {
  return openLab({ context: options.context, kubeconfig: options.kubeconfig });
}
