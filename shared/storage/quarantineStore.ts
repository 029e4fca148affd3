import { odata, type TableEntity } from '@azure/data-tables';

import type { Rejection } from '../core/parse';
import { escapeKeyPart, type InputFormat } from '../core/requestEvent';
import type { QuarantineEntry, QuarantineStore } from '../ports';
import { deleteWhere, sequenceKey, TableNames, upsertInTransactions, type TableFactory } from './tables';

/**
 * Table layout: PartitionKey = the day the message was enqueued (YYYY-MM-DD, "undated" for
 * file replays), RowKey = `<partition>-<sequence number>-<record index>`: deterministic, so a
 * redelivered record overwrites itself instead of appearing twice.
 */
export const UNDATED = 'undated';

interface QuarantineEntity extends TableEntity {
  reason: string;
  detail: string;
  raw: string;
  rawLength: number;
  format: string;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  recordIndex: number;
  enqueuedTimeUtc?: Date;
}

export function quarantineDay(enqueuedTimeUtc?: Date): string {
  return enqueuedTimeUtc === undefined ? UNDATED : enqueuedTimeUtc.toISOString().slice(0, 10);
}

export class TableQuarantineStore implements QuarantineStore {
  constructor(private readonly tables: TableFactory) {}

  async add(entries: readonly QuarantineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const client = await this.tables.table(TableNames.quarantine);
    await upsertInTransactions(client, entries.map(toEntity));
  }

  async deleteBefore(day: string): Promise<number> {
    const client = await this.tables.table(TableNames.quarantine);
    // Day keys are YYYY-MM-DD, which sort as dates; "undated" sorts after them and is kept.
    return await deleteWhere(client, odata`PartitionKey lt ${day}`);
  }

  async list(day: string, limit: number): Promise<QuarantineEntry[]> {
    const client = await this.tables.table(TableNames.quarantine);
    const entries: QuarantineEntry[] = [];
    const pages = client.listEntities<QuarantineEntity>({ queryOptions: { filter: odata`PartitionKey eq ${day}` } });
    for await (const entity of pages) {
      entries.push(fromEntity(entity));
      if (entries.length >= limit) break;
    }
    return entries;
  }
}

function toEntity({ rejection, enqueuedTimeUtc }: QuarantineEntry): QuarantineEntity {
  const { source } = rejection;
  const entity: QuarantineEntity = {
    partitionKey: quarantineDay(enqueuedTimeUtc),
    rowKey: `${escapeKeyPart(source.partitionId)}-${sequenceKey(source.sequenceNumber)}-${String(source.recordIndex).padStart(6, '0')}`,
    reason: rejection.reason,
    detail: rejection.detail,
    raw: rejection.raw,
    rawLength: rejection.rawLength,
    format: rejection.format ?? '',
    partitionId: source.partitionId,
    sequenceNumber: source.sequenceNumber,
    offset: source.offset,
    recordIndex: source.recordIndex,
  };
  if (enqueuedTimeUtc !== undefined) entity.enqueuedTimeUtc = enqueuedTimeUtc;
  return entity;
}

function fromEntity(entity: QuarantineEntity): QuarantineEntry {
  const rejection: Rejection = {
    reason: entity.reason as Rejection['reason'],
    detail: entity.detail,
    raw: entity.raw,
    rawLength: entity.rawLength,
    source: {
      partitionId: entity.partitionId,
      sequenceNumber: entity.sequenceNumber,
      offset: entity.offset,
      recordIndex: entity.recordIndex,
    },
  };
  if (entity.format !== '') rejection.format = entity.format as InputFormat;
  return {
    rejection,
    enqueuedTimeUtc: entity.enqueuedTimeUtc === undefined ? undefined : new Date(entity.enqueuedTimeUtc),
  };
}
