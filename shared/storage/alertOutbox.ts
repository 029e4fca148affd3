import { odata, type TableClient, type TableEntity } from '@azure/data-tables';

import { escapeKeyPart } from '../core/requestEvent';
import type { AlertOutbox, Clock, KindBacklog, OutboxBacklog, OutboxEntry } from '../ports';
import { isNotFound, TableNames, upsertInTransactions, type TableFactory } from './tables';

/**
 * Table layout: PartitionKey = kind (`export`, `automation`), RowKey = alert id, so an alert has
 * at most one pending entry per kind and queuing it again is a plain upsert. Queuing merges, so
 * it keeps the attempts and progress recorded so far while changing the entity's ETag, which is
 * the entry's concurrency token: `done` deletes only if the ETag is still the one read.
 *
 * `pending` reads the kind's whole partition and sorts it by queue time: the backlog is a few
 * entries in normal operation, and a full scan is cheaper than keeping a time index consistent
 * under concurrent writers.
 */
interface OutboxEntity extends TableEntity {
  alertId: string;
  queuedAt: string;
  attempts?: number;
  lastError?: string;
  /** JSON array of rule ids. */
  settledRules?: string;
}

const MAX_ERROR_CHARS = 1000;
/** Deletes in flight at once. */
const DELETE_CONCURRENCY = 16;

export class TableAlertOutbox implements AlertOutbox, OutboxBacklog {
  constructor(
    private readonly tables: TableFactory,
    private readonly clock: Clock,
  ) {}

  async enqueue(alertIds: readonly { alertId: string; created: boolean }[]): Promise<void> {
    if (alertIds.length === 0) return;
    const queuedAt = this.clock.now().toISOString();
    const rows = new Map<string, OutboxEntity>();
    const add = (kind: OutboxEntry['kind'], alertId: string) =>
      rows.set(`${kind}/${alertId}`, { partitionKey: kind, rowKey: escapeKeyPart(alertId), alertId, queuedAt });
    for (const { alertId, created } of alertIds) {
      add('export', alertId);
      if (created) add('automation', alertId);
    }
    const client = await this.tables.table(TableNames.alertOutbox);
    await upsertInTransactions(client, [...rows.values()], 'Merge');
  }

  async pending(kind: OutboxEntry['kind'], limit: number): Promise<OutboxEntry[]> {
    const client = await this.tables.table(TableNames.alertOutbox);
    const entries: OutboxEntry[] = [];
    for await (const row of client.listEntities<OutboxEntity>({ queryOptions: { filter: odata`PartitionKey eq ${kind}` } })) {
      entries.push(toEntry(kind, row));
    }
    return entries.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt) || a.alertId.localeCompare(b.alertId)).slice(0, limit);
  }

  async done(entries: readonly OutboxEntry[]): Promise<void> {
    const client = await this.tables.table(TableNames.alertOutbox);
    for (let i = 0; i < entries.length; i += DELETE_CONCURRENCY) {
      await Promise.all(
        entries.slice(i, i + DELETE_CONCURRENCY).map(async (entry) => {
          try {
            await client.deleteEntity(entry.kind, escapeKeyPart(entry.alertId), { etag: entry.etag });
          } catch (error) {
            // 412: queued again since it was read, so it stays for the next run; 404: already gone.
            const status = (error as { statusCode?: number }).statusCode;
            if (status !== 412 && !isNotFound(error)) throw error;
          }
        }),
      );
    }
  }

  async failed(entry: OutboxEntry, error: string): Promise<void> {
    const client = await this.tables.table(TableNames.alertOutbox);
    const update: OutboxEntity = {
      partitionKey: entry.kind,
      rowKey: escapeKeyPart(entry.alertId),
      alertId: entry.alertId,
      queuedAt: entry.queuedAt,
      attempts: entry.attempts + 1,
      lastError: error.slice(0, MAX_ERROR_CHARS),
      ...(entry.settledRules === undefined ? {} : { settledRules: JSON.stringify(entry.settledRules) }),
    };
    try {
      // Whatever its ETag: a re-queue in between keeps the entry pending, and the failure still happened.
      await client.updateEntity(update, 'Merge', { etag: '*' });
    } catch (failure) {
      if (!isNotFound(failure)) throw failure;
    }
  }

  async backlog(): Promise<Record<OutboxEntry['kind'], KindBacklog>> {
    const client = await this.tables.table(TableNames.alertOutbox);
    return { export: await kindBacklog(client, 'export'), automation: await kindBacklog(client, 'automation') };
  }
}

async function kindBacklog(client: TableClient, kind: OutboxEntry['kind']): Promise<KindBacklog> {
  const backlog: KindBacklog = { pending: 0, oldestQueuedAt: null };
  for await (const row of client.listEntities<OutboxEntity>({ queryOptions: { filter: odata`PartitionKey eq ${kind}`, select: ['queuedAt'] } })) {
    backlog.pending += 1;
    if (backlog.oldestQueuedAt === null || row.queuedAt < backlog.oldestQueuedAt) backlog.oldestQueuedAt = row.queuedAt;
  }
  return backlog;
}

function toEntry(kind: OutboxEntry['kind'], row: OutboxEntity & { etag: string }): OutboxEntry {
  const entry: OutboxEntry = { alertId: row.alertId, kind, attempts: row.attempts ?? 0, queuedAt: row.queuedAt, etag: row.etag };
  if (row.lastError !== undefined) entry.lastError = row.lastError;
  if (row.settledRules !== undefined) entry.settledRules = JSON.parse(row.settledRules) as string[];
  return entry;
}
