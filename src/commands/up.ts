import { usageError } from '../errors.js';
import type { CommonOptions } from './common.js';

export async function up(_options: CommonOptions): Promise<number> {
  throw usageError('churn-labs up is not built yet in this version.');
}
