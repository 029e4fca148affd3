import type { InvocationContext, Timer } from '@azure/functions';

import { dispatchAlerts as dispatch } from '../shared/services/dispatchAlerts';
import { loggerFor } from './context';
import { dispatchDependencies, getDependencies } from './deps';

/** Timer (every minute): exports queued alerts to the SIEM hub and runs the automation rules of new ones. */
export async function dispatchAlerts(_timer: Timer, context: InvocationContext): Promise<void> {
  const logger = loggerFor(context);
  const summary = await dispatch(dispatchDependencies(getDependencies(), logger));
  if (Object.values(summary).some((count) => count > 0)) logger.info('dispatch.done', { ...summary });
}
