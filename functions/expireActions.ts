import type { InvocationContext, Timer } from '@azure/functions';

import { expireActions as expire } from '../shared/services/expireActions';
import { loggerFor } from './context';
import { getDependencies } from './deps';

/** Timer (every 5 minutes): undoes response actions whose expiry has passed. */
export async function expireActions(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  if (deps.config.apim === undefined) return;
  const logger = loggerFor(context);
  const summary = await expire({ policies: deps.policies(), actions: deps.actions, clock: deps.clock, allowlist: deps.config.blockAllowlist, logger });
  if (summary.undone + summary.failed > 0) logger.info('actions.expired', { ...summary });
}
