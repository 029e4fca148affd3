import type { InvocationContext, Timer } from '@azure/functions';

import { Settings } from '../shared/settings';
import { syncInventory as sync } from '../shared/services/syncInventory';
import { loggerFor } from './context';
import { getDependencies } from './deps';

/** Timer (every 15 minutes): reads the configured APIM service's inventory through ARM and stores it; the last good one stays when a read fails. */
export async function syncInventory(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  const logger = loggerFor(context);
  const reader = deps.inventoryReader();
  if (reader === undefined) {
    logger.info('inventory.sync_skipped', { reason: `${Settings.apimSubscriptionId}, ${Settings.apimResourceGroup} and ${Settings.apimServiceName} are not set` });
    return;
  }
  const summary = await sync({ reader, store: deps.inventory, clock: deps.clock });
  if (summary.result === 'synced') logger.info('inventory.synced', { ...summary });
  else logger.error('inventory.sync_failed', { ...summary });
}
