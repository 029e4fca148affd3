import type { InvocationContext, Timer } from '@azure/functions';

import { markInactiveEndpoints as mark } from '../shared/services/markInactiveEndpoints';
import { loggerFor } from './context';
import { getDependencies } from './deps';

/** Timer (daily): marks endpoints without traffic for WARDEN_INACTIVE_DAYS as inactive, and clears the mark when traffic returns. */
export async function markInactiveEndpoints(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  const summary = await mark({ activity: deps.activity, statuses: deps.endpointStatuses, partitions: deps.partitions }, deps.config.inactiveDays);
  loggerFor(context).info('endpoints.inactive', { ...summary });
}
