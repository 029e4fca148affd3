import type { TableEntity } from '@azure/data-tables';

import { escapeKeyPart } from '../core/requestEvent';
import type { PartitionIngestState, PartitionStateStore } from '../ports';
import { getEntityOrUndefined, TableNames, type TableFactory } from './tables';

/** Table layout: one Table partition `ingest`, RowKey = Event Hub partition id. Health reads it whole. */
const PARTITION_KEY = 'ingest';

interface PartitionEntity extends TableEntity {
  partitionId: string;
  lastSequenceNumber: number;
  lastOffset: string;
  firstEventTime?: Date;
  lastEventTime?: Date;
  lastEnqueuedTime?: Date;
  processedAt: Date;
  events: number;
  skipped: number;
  quarantined: number;
  /** JSON object reason → count. */
  quarantinedByReason: string;
}

export class TablePartitionStateStore implements PartitionStateStore {
  constructor(private readonly tables: TableFactory) {}

  async get(partitionId: string): Promise<PartitionIngestState | undefined> {
    const client = await this.tables.table(TableNames.ingestPartitions);
    const entity = await getEntityOrUndefined<PartitionEntity>(client, PARTITION_KEY, escapeKeyPart(partitionId));
    return entity === undefined ? undefined : fromEntity(entity);
  }

  async put(state: PartitionIngestState): Promise<void> {
    const client = await this.tables.table(TableNames.ingestPartitions);
    await client.upsertEntity<PartitionEntity>(toEntity(state), 'Replace');
  }

  async list(): Promise<PartitionIngestState[]> {
    const client = await this.tables.table(TableNames.ingestPartitions);
    const states: PartitionIngestState[] = [];
    for await (const entity of client.listEntities<PartitionEntity>()) states.push(fromEntity(entity));
    return states;
  }
}

function toEntity(state: PartitionIngestState): PartitionEntity {
  const entity: PartitionEntity = {
    partitionKey: PARTITION_KEY,
    rowKey: escapeKeyPart(state.partitionId),
    partitionId: state.partitionId,
    lastSequenceNumber: state.lastSequenceNumber,
    lastOffset: state.lastOffset,
    processedAt: state.processedAt,
    events: state.events,
    skipped: state.skipped,
    quarantined: state.quarantined,
    quarantinedByReason: JSON.stringify(state.quarantinedByReason),
  };
  if (state.firstEventTime !== undefined) entity.firstEventTime = new Date(state.firstEventTime);
  if (state.lastEventTime !== undefined) entity.lastEventTime = new Date(state.lastEventTime);
  if (state.lastEnqueuedTime !== undefined) entity.lastEnqueuedTime = state.lastEnqueuedTime;
  return entity;
}

function fromEntity(entity: PartitionEntity): PartitionIngestState {
  return {
    partitionId: entity.partitionId,
    lastSequenceNumber: entity.lastSequenceNumber,
    lastOffset: entity.lastOffset,
    firstEventTime: entity.firstEventTime === undefined ? undefined : new Date(entity.firstEventTime).getTime(),
    lastEventTime: entity.lastEventTime === undefined ? undefined : new Date(entity.lastEventTime).getTime(),
    lastEnqueuedTime: entity.lastEnqueuedTime === undefined ? undefined : new Date(entity.lastEnqueuedTime),
    processedAt: new Date(entity.processedAt),
    events: entity.events,
    skipped: entity.skipped,
    quarantined: entity.quarantined,
    quarantinedByReason: JSON.parse(entity.quarantinedByReason) as Record<string, number>,
  };
}
