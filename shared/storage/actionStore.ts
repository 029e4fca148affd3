import type { TableEntity } from '@azure/data-tables';

import type { ActionRecord, ActionStore } from '../ports';
import { textFromProperties, textToProperties } from './chunkedText';
import { TableNames, type TableFactory } from './tables';

/**
 * Table layout: one partition `action`, RowKey = inverted wall-clock time + id, so a plain
 * query lists the newest first. The record is kept whole as JSON (policies included).
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
  }

  async list(limit: number): Promise<ActionRecord[]> {
    const client = await this.tables.table(TableNames.actions);
    const records: ActionRecord[] = [];
    for await (const row of client.listEntities()) {
      records.push(JSON.parse(textFromProperties(row, 'j')) as ActionRecord);
      if (records.length >= limit) break;
    }
    return records;
  }
}
