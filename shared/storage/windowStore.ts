import { odata, type TableEntity } from '@azure/data-tables';

import { escapeKeyPart } from '../core/requestEvent';
import { WindowAggregate } from '../core/windows';
import type { WindowDelta, WindowStore } from '../ports';
import { textFromProperties, textToProperties } from './chunkedText';
import { deleteWhere, getEntityOrUndefined, sequenceKey, TableNames, type TableFactory } from './tables';

/**
 * Table layout: PartitionKey `w<window start, compact UTC>-p<Event Hub partition>`, so each
 * partition writes its own Table partition; RowKey `d<first sequence number>` for each batch's
 * delta, and `~watermark` for the last sequence number applied (sorts after every delta).
 * A delta and its watermark are written in one transaction: a replayed batch either finds its
 * events below the watermark or finds nothing written.
 */
const WATERMARK_ROW = '~watermark';
/** Entities hold at most 1 MiB and strings count 2 bytes a character: keep deltas well under it. */
export const MAX_DELTA_CHARS = 450_000;

interface DeltaEntity extends TableEntity {
  firstSequenceNumber: number;
  lastSequenceNumber: number;
  events: number;
}

interface WatermarkEntity extends TableEntity {
  lastSequenceNumber: number;
}

/** `20261123T1620Z`: readable, sortable and safe as a key. */
export function windowId(windowStart: number): string {
  return new Date(windowStart).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
}

function windowPartitionKey(windowStart: number, partitionId: string): string {
  return `w${windowId(windowStart)}-p${escapeKeyPart(partitionId)}`;
}

export class TableWindowStore implements WindowStore {
  constructor(private readonly tables: TableFactory) {}

  async readWatermarks(partitionId: string, windowStarts: readonly number[]): Promise<Map<number, number>> {
    const client = await this.tables.table(TableNames.windows);
    const found = new Map<number, number>();
    const reads = windowStarts.map(async (start) => {
      const entity = await getEntityOrUndefined<WatermarkEntity>(client, windowPartitionKey(start, partitionId), WATERMARK_ROW);
      if (entity !== undefined) found.set(start, entity.lastSequenceNumber);
    });
    await Promise.all(reads);
    return found;
  }

  async writeDelta(delta: WindowDelta): Promise<void> {
    const serialized = delta.aggregate.serialize();
    if (serialized.length > MAX_DELTA_CHARS) {
      throw new Error(`window delta of ${serialized.length} characters exceeds ${MAX_DELTA_CHARS}; split the batch`);
    }
    const partitionKey = windowPartitionKey(delta.windowStart, delta.partitionId);
    const entity: DeltaEntity = {
      partitionKey,
      rowKey: `d${sequenceKey(delta.firstSequenceNumber)}`,
      firstSequenceNumber: delta.firstSequenceNumber,
      lastSequenceNumber: delta.lastSequenceNumber,
      events: delta.aggregate.events,
      ...textToProperties(serialized, 'c'),
    };
    const watermark: WatermarkEntity = { partitionKey, rowKey: WATERMARK_ROW, lastSequenceNumber: delta.lastSequenceNumber };
    const client = await this.tables.table(TableNames.windows);
    await client.submitTransaction([
      ['upsert', entity, 'Replace'],
      ['upsert', watermark, 'Replace'],
    ]);
  }

  async deleteBefore(windowStart: number): Promise<number> {
    const client = await this.tables.table(TableNames.windows);
    return await deleteWhere(client, odata`PartitionKey lt ${`w${windowId(windowStart)}`}`);
  }

  async readWindow(windowStart: number, partitionIds: readonly string[]): Promise<WindowAggregate> {
    const client = await this.tables.table(TableNames.windows);
    const merged = new WindowAggregate();
    for (const partitionId of partitionIds) {
      const partitionKey = windowPartitionKey(windowStart, partitionId);
      const deltas = client.listEntities<DeltaEntity>({
        queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and RowKey lt ${WATERMARK_ROW}` },
      });
      for await (const delta of deltas) merged.merge(WindowAggregate.deserialize(textFromProperties(delta, 'c')));
    }
    return merged;
  }
}
