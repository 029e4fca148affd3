import type { TableEntity } from '@azure/data-tables';

import type { EvaluationCursorStore } from '../ports';
import { getEntityOrUndefined, TableNames, type TableFactory } from './tables';

/** One row: `cursor/windows` with the start of the last window evaluated. */
interface CursorEntity extends TableEntity {
  lastEvaluated: number;
}

export class TableEvaluationCursorStore implements EvaluationCursorStore {
  constructor(private readonly tables: TableFactory) {}

  async lastEvaluated(): Promise<number | undefined> {
    const client = await this.tables.table(TableNames.evaluation);
    return (await getEntityOrUndefined<CursorEntity>(client, 'cursor', 'windows'))?.lastEvaluated;
  }

  async setLastEvaluated(windowStart: number): Promise<void> {
    const client = await this.tables.table(TableNames.evaluation);
    await client.upsertEntity<CursorEntity>({ partitionKey: 'cursor', rowKey: 'windows', lastEvaluated: windowStart }, 'Replace');
  }
}
