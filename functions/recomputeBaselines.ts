import type { InvocationContext, Timer } from '@azure/functions';

import { recomputeBaselines as recompute } from '../shared/services/recomputeBaselines';
import { loggerFor } from './context';
import { getDependencies } from './deps';

/** Timer (daily): learns the 30-day baselines from the stored window history. */
export async function recomputeBaselines(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  const summary = await recompute(deps, deps.config.detection);
  loggerFor(context).info('baselines.recomputed', { ...summary });
}
