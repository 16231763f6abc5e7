import { usageError } from '../errors.js';
import type { CommonOptions } from './common.js';

export async function start(_options: CommonOptions & { simulate?: boolean }): Promise<number> {
  throw usageError(
    'The terminal app is not built yet in this version. Use churn-labs list, check, hint and solve.',
  );
}
