import { usageError } from '../errors.js';
import type { CommonOptions } from './common.js';

export async function serve(_options: CommonOptions & { port?: number }): Promise<number> {
  throw usageError('churn-labs sim serve is not built yet in this version.');
}
