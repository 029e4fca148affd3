import type { TableEntity } from '@azure/data-tables';

import { parseInventory, type Inventory } from '../core/inventory';
import type { InventorySnapshot, InventoryStore, InventorySyncStatus } from '../ports';
import { getEntityOrUndefined, TableNames, type TableFactory } from './tables';
import { VersionedTextTable } from './versionedText';

/**
 * Table layout: the snapshot is the versioned text `snapshot` (VersionedTextTable: chunk rows,
 * then the pointer, so a half-written snapshot is never read and a failed sync leaves the last
 * good one); the sync status is the row `sync/status`.
 */
const SNAPSHOT = 'snapshot';
const STATUS_PARTITION = 'sync';
const STATUS_ROW = 'status';

interface StatusEntity extends TableEntity, InventorySyncStatus {}

export class TableInventoryStore implements InventoryStore {
  private readonly texts: VersionedTextTable;

  constructor(private readonly tables: TableFactory) {
    this.texts = new VersionedTextTable(tables, TableNames.inventory);
  }

  async current(): Promise<InventorySnapshot | undefined> {
    const stored = await this.texts.read(SNAPSHOT);
    if (stored === undefined) return undefined;
    const parsed = parseInventory(JSON.parse(stored.text));
    if (!parsed.ok) throw new Error(`stored inventory ${stored.version} is invalid: ${parsed.errors.slice(0, 3).join('; ')}`);
    return { inventory: parsed.inventory, syncedAt: new Date(stored.asOf).toISOString() };
  }

  async save(inventory: Inventory, syncedAt: Date): Promise<void> {
    await this.texts.write(SNAPSHOT, JSON.stringify(inventory), syncedAt.getTime());
  }

  async status(): Promise<InventorySyncStatus | undefined> {
    const client = await this.tables.table(TableNames.inventory);
    const row = await getEntityOrUndefined<StatusEntity>(client, STATUS_PARTITION, STATUS_ROW);
    if (row === undefined) return undefined;
    // Only the status's own properties: the row also carries keys, timestamp and ETag.
    const status: InventorySyncStatus = { lastAttemptAt: row.lastAttemptAt };
    if (row.lastSuccessAt !== undefined) status.lastSuccessAt = row.lastSuccessAt;
    if (row.lastError !== undefined) status.lastError = row.lastError;
    if (row.apis !== undefined) status.apis = row.apis;
    if (row.operations !== undefined) status.operations = row.operations;
    return status;
  }

  async setStatus(status: InventorySyncStatus): Promise<void> {
    const client = await this.tables.table(TableNames.inventory);
    await client.upsertEntity<StatusEntity>({ partitionKey: STATUS_PARTITION, rowKey: STATUS_ROW, ...status }, 'Replace');
  }
}
