import { usageError } from '../errors.js';
import type { CommonOptions } from './common.js';

export async function down(_options: CommonOptions): Promise<number> {
  throw usageError('churn-labs down is not built yet in this version.');
}
