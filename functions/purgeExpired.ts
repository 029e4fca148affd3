import type { InvocationContext, Timer } from '@azure/functions';

import { purgeExpired as purge } from '../shared/services/purgeExpired';
import { loggerFor } from './context';
import { getDependencies } from './deps';

/** Timer (daily): deletes window aggregates and quarantine entries past their retention. */
export async function purgeExpired(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  const summary = await purge(deps, {
    windowDays: deps.config.windowRetentionDays,
    quarantineDays: deps.config.quarantineRetentionDays,
  });
  loggerFor(context).info('purge.done', { ...summary });
}
