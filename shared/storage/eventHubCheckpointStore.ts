import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { Checkpoint, CheckpointStore, OperationOptions, PartitionOwnership } from '@azure/event-hubs';

import type { Logger } from '../ports';

/**
 * The @azure/event-hubs `CheckpointStore` over one Azure Table: partition ownership (for the
 * SDK's load balancing between consumers) and checkpoints (where each partition resumes).
 *
 * Layout: PartitionKey = `<kind>|<namespace>|<hub>|<consumer group>` (lower-cased, since all
 * three are case-insensitive in Event Hubs, and escaped), kind = `ownership` or `checkpoint`;
 * RowKey = the partition id (escaped). Listing is one partition-key query; claims and
 * checkpoints are one point write each.
 *
 * Ownership claims use the entity's ETag for optimistic concurrency, like the SDK's blob
 * store: a claim with an etag replaces only that version (If-Match), a claim without one only
 * creates (fails if someone created it first). A claim that loses the race is left out of
 * the result; any other failure is thrown.
 */
export class TableCheckpointStore implements CheckpointStore {
  private readonly logger: Logger | undefined;

  constructor(
    private readonly table: TableClient,
    options: { logger?: Logger } = {},
  ) {
    this.logger = options.logger;
  }

  async listOwnership(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options?: OperationOptions,
  ): Promise<PartitionOwnership[]> {
    const partitionKey = scopeKey('ownership', fullyQualifiedNamespace, eventHubName, consumerGroup);
    const result: PartitionOwnership[] = [];
    for await (const entity of this.table.listEntities<OwnershipEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
      ...abortOnly(options),
    })) {
      result.push(toOwnership(entity));
    }
    return result;
  }

  async claimOwnership(
    partitionOwnership: PartitionOwnership[],
    options?: OperationOptions,
  ): Promise<PartitionOwnership[]> {
    const claims = await Promise.all(partitionOwnership.map((ownership) => this.claimOne(ownership, options)));
    return claims.filter((claim): claim is PartitionOwnership => claim !== undefined);
  }

  async updateCheckpoint(checkpoint: Checkpoint, options?: OperationOptions): Promise<void> {
    if (typeof checkpoint.sequenceNumber !== 'number' || !Number.isInteger(checkpoint.sequenceNumber)) {
      throw new TypeError('updateCheckpoint: checkpoint.sequenceNumber must be an integer');
    }
    if (checkpoint.offset === undefined || checkpoint.offset === null || String(checkpoint.offset) === '') {
      throw new TypeError('updateCheckpoint: checkpoint.offset is required');
    }
    const entity: CheckpointEntity = {
      partitionKey: scopeKey('checkpoint', checkpoint.fullyQualifiedNamespace, checkpoint.eventHubName, checkpoint.consumerGroup),
      rowKey: escapeKeyPart(checkpoint.partitionId),
      fullyQualifiedNamespace: checkpoint.fullyQualifiedNamespace,
      eventHubName: checkpoint.eventHubName,
      consumerGroup: checkpoint.consumerGroup,
      partitionId: checkpoint.partitionId,
      sequenceNumber: BigInt(checkpoint.sequenceNumber),
      offset: String(checkpoint.offset),
    };
    await this.table.upsertEntity(entity, 'Replace', abortOnly(options));
  }

  async listCheckpoints(
    fullyQualifiedNamespace: string,
    eventHubName: string,
    consumerGroup: string,
    options?: OperationOptions,
  ): Promise<Checkpoint[]> {
    const partitionKey = scopeKey('checkpoint', fullyQualifiedNamespace, eventHubName, consumerGroup);
    const result: Checkpoint[] = [];
    for await (const entity of this.table.listEntities<CheckpointEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
      ...abortOnly(options),
    })) {
      result.push({
        fullyQualifiedNamespace: entity.fullyQualifiedNamespace,
        eventHubName: entity.eventHubName,
        consumerGroup: entity.consumerGroup,
        partitionId: entity.partitionId,
        sequenceNumber: toNumber(entity.sequenceNumber),
        offset: String(entity.offset),
      });
    }
    return result;
  }

  private async claimOne(ownership: PartitionOwnership, options?: OperationOptions): Promise<PartitionOwnership | undefined> {
    const entity: OwnershipEntity = {
      partitionKey: scopeKey('ownership', ownership.fullyQualifiedNamespace, ownership.eventHubName, ownership.consumerGroup),
      rowKey: escapeKeyPart(ownership.partitionId),
      fullyQualifiedNamespace: ownership.fullyQualifiedNamespace,
      eventHubName: ownership.eventHubName,
      consumerGroup: ownership.consumerGroup,
      partitionId: ownership.partitionId,
      ownerId: ownership.ownerId,
    };
    try {
      const response = ownership.etag
        ? await this.table.updateEntity(entity, 'Replace', { etag: ownership.etag, ...abortOnly(options) })
        : await this.table.createEntity(entity, abortOnly(options));
      return {
        fullyQualifiedNamespace: ownership.fullyQualifiedNamespace,
        eventHubName: ownership.eventHubName,
        consumerGroup: ownership.consumerGroup,
        partitionId: ownership.partitionId,
        ownerId: ownership.ownerId,
        ...(response.etag !== undefined ? { etag: response.etag } : {}),
        lastModifiedTimeInMs: response.date?.getTime() ?? Date.now(),
      };
    } catch (err) {
      const status = statusOf(err);
      // 412: someone changed it since our etag; 409: someone created it first; 404: it was
      // deleted since we listed it. In every case the claim lost the race.
      if (status === 412 || status === 409 || (status === 404 && ownership.etag)) {
        this.logger?.info('eventhub.ownership.claim_lost', {
          partitionId: ownership.partitionId,
          ownerId: ownership.ownerId,
          status,
        });
        return undefined;
      }
      throw err;
    }
  }
}

/** Creates the checkpoint table if it does not exist yet, and returns the client. */
export async function ensureCheckpointTable(table: TableClient): Promise<TableClient> {
  try {
    await table.createTable();
  } catch (err) {
    // createTable already ignores TableAlreadyExists; a 409 for a table being deleted is not ours to hide.
    if (statusOf(err) !== 409) throw err;
  }
  return table;
}

/** Creates the table if missing and returns a store over it. */
export async function openTableCheckpointStore(
  table: TableClient,
  options: { logger?: Logger } = {},
): Promise<TableCheckpointStore> {
  await ensureCheckpointTable(table);
  return new TableCheckpointStore(table, options);
}

// ---- keys ----------------------------------------------------------------------------------

/**
 * Escapes what Table keys forbid (/ \ # ? and control characters U+0000–U+001F, U+007F–U+009F),
 * plus `|` (our separator) and `~` (the escape character), as `~XX` (hex of the UTF-16 code unit).
 * Injective, so different inputs never share a key.
 */
export function escapeKeyPart(value: string): string {
  return value.replace(/[/\\#?|~\u0000-\u001f\u007f-\u009f]/g, (ch) => `~${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function scopeKey(kind: 'ownership' | 'checkpoint', namespace: string, hub: string, consumerGroup: string): string {
  return [kind, namespace, hub, consumerGroup].map((part) => escapeKeyPart(part.toLowerCase())).join('|');
}

// ---- entities --------------------------------------------------------------------------------

interface ScopeFields {
  partitionKey: string;
  rowKey: string;
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
}

interface OwnershipEntity extends ScopeFields {
  ownerId: string;
}

interface CheckpointEntity extends ScopeFields {
  sequenceNumber: bigint | number;
  offset: string;
}

function toOwnership(entity: TableEntityResult<OwnershipEntity>): PartitionOwnership {
  const modified = entity.timestamp ? Date.parse(entity.timestamp) : NaN;
  return {
    fullyQualifiedNamespace: entity.fullyQualifiedNamespace,
    eventHubName: entity.eventHubName,
    consumerGroup: entity.consumerGroup,
    partitionId: entity.partitionId,
    ownerId: entity.ownerId ?? '',
    ...(entity.etag ? { etag: entity.etag } : {}),
    ...(Number.isFinite(modified) ? { lastModifiedTimeInMs: modified } : {}),
  };
}

function toNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  if (typeof value === 'object' && value !== null && 'value' in value) return Number((value as { value: unknown }).value);
  return NaN;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function abortOnly(options: OperationOptions | undefined): { abortSignal?: AbortSignal } {
  return options?.abortSignal ? { abortSignal: options.abortSignal as AbortSignal } : {};
}
