import { odata, type TableEntity } from '@azure/data-tables';

import type { ActionRecord, ActionStore } from '../ports';
import { textFromProperties, textToProperties } from './chunkedText';
import { TableNames, type TableFactory } from './tables';

/**
 * Table layout: partition `action`, RowKey = inverted wall-clock time + id, so a plain query
 * lists the newest first; the record is kept whole as JSON (policies included). Partition
 * `expiry`, RowKey = expiry time + id: the actions still to undo, found with one range query.
 */
const LATEST = 8_640_000_000_000_000;

interface ActionEntity extends TableEntity {
  kind: string;
  result: string;
  at: string;
}

export class TableActionStore implements ActionStore {
  constructor(private readonly tables: TableFactory) {}

  async add(record: ActionRecord): Promise<void> {
    const client = await this.tables.table(TableNames.actions);
    const inverted = String(LATEST - Date.parse(record.at)).padStart(16, '0');
    await client.createEntity<ActionEntity>({
      partitionKey: 'action',
      rowKey: `${inverted}-${record.id}`,
      kind: record.kind,
      result: record.result,
      at: record.at,
      ...textToProperties(JSON.stringify(record), 'j'),
    });
    if (record.expiresAt !== undefined && record.result === 'applied') {
      const { policyBefore: _before, policyAfter: _after, ...scheduled } = record;
      await client.upsertEntity({ partitionKey: 'expiry', rowKey: expiryKey(record), ...textToProperties(JSON.stringify(scheduled), 'j') });
    }
  }

  async list(limit: number): Promise<ActionRecord[]> {
    return await this.query(odata`PartitionKey eq 'action'`, limit);
  }

  async due(now: Date, limit: number): Promise<ActionRecord[]> {
    return await this.query(odata`PartitionKey eq 'expiry' and RowKey le ${`${now.toISOString()}~~`}`, limit);
  }

  async unschedule(record: ActionRecord): Promise<void> {
    if (record.expiresAt === undefined) return;
    const client = await this.tables.table(TableNames.actions);
    await client.deleteEntity('expiry', expiryKey(record)).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    });
  }

  private async query(filter: string, limit: number): Promise<ActionRecord[]> {
    const client = await this.tables.table(TableNames.actions);
    const records: ActionRecord[] = [];
    for await (const row of client.listEntities({ queryOptions: { filter } })) {
      records.push(JSON.parse(textFromProperties(row, 'j')) as ActionRecord);
      if (records.length >= limit) break;
    }
    return records;
  }
}

/** Sorts by expiry time (ISO 8601 in UTC sorts as time), then id. */
function expiryKey(record: ActionRecord): string {
  return `${new Date(record.expiresAt ?? 0).toISOString()}~${record.id}`;
}
