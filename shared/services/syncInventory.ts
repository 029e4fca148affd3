import { stampNewOperations, type Inventory } from '../core/inventory';
import { DomainError } from '../errors';
import type { Clock, InventoryReader, InventoryStore } from '../ports';

export type SyncSummary =
  | { result: 'synced'; syncedAt: string; apis: number; operations: number; products: number }
  | { result: 'failed'; error: string; lastSuccessAt: string | null };

/** Longest error text kept in the sync status. */
const MAX_ERROR_CHARS = 1_000;

/**
 * Reads the APIM inventory and stores it as the current snapshot with the time it was synced
 * (wall clock: the inventory is the service as it is now, not as of any event), operations new
 * since the last snapshot stamped with that time (so they are not judged unused before they
 * could have had traffic). When the read
 * fails, the last good snapshot stays current and the status records the error; a storage
 * failure is thrown.
 */
export async function syncInventory(deps: { reader: InventoryReader; store: InventoryStore; clock: Clock }): Promise<SyncSummary> {
  const attemptedAt = deps.clock.now();
  let inventory: Inventory;
  try {
    inventory = await deps.reader.read();
  } catch (error) {
    const message = describeError(error);
    const previous = await deps.store.status();
    await deps.store.setStatus({ ...previous, lastAttemptAt: attemptedAt.toISOString(), lastError: message });
    return { result: 'failed', error: message, lastSuccessAt: previous?.lastSuccessAt ?? null };
  }
  const apis = inventory.apis.length;
  const operations = inventory.apis.reduce((sum, api) => sum + api.operations.length, 0);
  const syncedAt = attemptedAt.toISOString();
  await deps.store.save(stampNewOperations(inventory, (await deps.store.current())?.inventory, syncedAt), attemptedAt);
  await deps.store.setStatus({ lastAttemptAt: syncedAt, lastSuccessAt: syncedAt, apis, operations });
  return { result: 'synced', syncedAt, apis, operations, products: inventory.products?.length ?? 0 };
}

/** A DomainError's message (written to be shown); for anything else its class and message. */
function describeError(error: unknown): string {
  const text = error instanceof DomainError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
