import type { InvocationContext, Timer } from '@azure/functions';

import { createFeedFetcher } from '../shared/http/feedClient';
import { refreshIntel as refresh } from '../shared/services/refreshIntel';
import { loggerFor } from './context';
import { getDependencies } from './deps';

/** Timer (daily): downloads the Tor and threat-intel feeds, keeping the last good copy when one fails. */
export async function refreshIntel(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  const logger = loggerFor(context);
  const summary = await refresh(
    { store: deps.intel, fetchFeed: createFeedFetcher({}), clock: deps.clock, logger },
    { feeds: { tor: deps.config.torFeedUrls, threatIntel: deps.config.threatIntelFeedUrls } },
  );
  logger.info('intel.refreshed', { ...summary });
}
