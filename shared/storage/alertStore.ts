import { createHash } from 'node:crypto';

import { odata, type TableEntity } from '@azure/data-tables';

import type { Alert } from '../core/alerts';
import { DomainError } from '../errors';
import type { AlertOutbox, AlertStore, AlertStoreFilter, StoredAlert } from '../ports';
import { textFromProperties, textToProperties } from './chunkedText';
import { getEntityOrUndefined, TableNames, type TableFactory } from './tables';

/**
 * Table layout: PartitionKey `k<sha256 of the dedupe key, 32 hex>` (so one query finds every
 * alert of a type on the same entities), RowKey = systemAlertId. The alert is stored whole as
 * JSON; the columns listings filter on are copied out (API and operation ids lower-cased, as APIM
 * compares them). A second table maps each id to its partition, for point reads by id.
 */
interface AlertEntity extends TableEntity {
  alertType: string;
  severity: string;
  status: string;
  startTimeUtc: string;
  endTimeUtc: string;
  isSample: boolean;
  apiId?: string;
  operationId?: string;
}

interface AlertIdEntity extends TableEntity {
  alertPartition: string;
}

export function alertPartitionKey(dedupeKey: string): string {
  return `k${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}`;
}

/** Ids are hex-led UUIDs: their first two characters spread the id index over 256 partitions. */
function idPartition(alertId: string): string {
  return alertId.slice(0, 2).toLowerCase();
}

export class TableAlertStore implements AlertStore {
  constructor(
    private readonly tables: TableFactory,
    /** Hears of every write (SIEM export, automation); none: nothing is queued. */
    private readonly outbox?: AlertOutbox,
  ) {}

  async byDedupeKey(dedupeKey: string): Promise<StoredAlert[]> {
    const stored = await this.query(odata`PartitionKey eq ${alertPartitionKey(dedupeKey)}`);
    return stored.sort((a, b) => b.alert.firstFindingTime.localeCompare(a.alert.firstFindingTime));
  }

  async get(alertId: string): Promise<StoredAlert | undefined> {
    const index = await this.tables.table(TableNames.alertIds);
    const pointer = await getEntityOrUndefined<AlertIdEntity>(index, idPartition(alertId), alertId);
    if (pointer === undefined) return undefined;
    const client = await this.tables.table(TableNames.alerts);
    const row = await getEntityOrUndefined<AlertEntity & { etag: string }>(client, pointer.alertPartition, alertId);
    return row === undefined ? undefined : fromEntity(row);
  }

  async save(alert: Alert, etag?: string): Promise<string> {
    const client = await this.tables.table(TableNames.alerts);
    const entity = toEntity(alert);
    let written: string;
    try {
      if (etag !== undefined) {
        written = (await client.updateEntity(entity, 'Replace', { etag })).etag ?? '';
      } else {
        const index = await this.tables.table(TableNames.alertIds);
        await index.upsertEntity<AlertIdEntity>({ partitionKey: idPartition(alert.systemAlertId), rowKey: alert.systemAlertId, alertPartition: entity.partitionKey });
        written = (await client.createEntity(entity)).etag ?? '';
      }
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 409 || status === 412) {
        throw new DomainError('conflict', `alert ${alert.systemAlertId} was ${status === 409 ? 'created' : 'changed'} by someone else meanwhile`);
      }
      throw error;
    }
    // Queued after the write: a dispatcher reading the entry any earlier could send the old state and drop the entry.
    await this.outbox?.enqueue([{ alertId: alert.systemAlertId, created: etag === undefined }]);
    return written;
  }

  async list(filter: AlertStoreFilter = {}): Promise<Alert[]> {
    return (await this.query(listFilter(filter))).map((stored) => stored.alert);
  }

  private async query(filter: string | undefined): Promise<StoredAlert[]> {
    const client = await this.tables.table(TableNames.alerts);
    const stored: StoredAlert[] = [];
    const rows = client.listEntities<AlertEntity>(filter === undefined ? {} : { queryOptions: { filter } });
    for await (const row of rows) stored.push(fromEntity(row));
    return stored;
  }
}

/** The OData filter for what the table can check itself; undefined when nothing narrows. */
function listFilter(filter: AlertStoreFilter): string | undefined {
  const anyOf = <T>(values: readonly T[] | undefined, clause: (value: T) => string): string | undefined =>
    values === undefined ? undefined : `(${values.map(clause).join(' or ')})`;
  const clauses = [
    anyOf(filter.severities, (value) => odata`severity eq ${value}`),
    anyOf(filter.statuses, (value) => odata`status eq ${value}`),
    anyOf(filter.alertTypes, (value) => odata`alertType eq ${value}`),
    filter.apiId === undefined ? undefined : odata`apiId eq ${filter.apiId.toLowerCase()}`,
    filter.operationId === undefined ? undefined : odata`operationId eq ${filter.operationId.toLowerCase()}`,
    filter.from === undefined ? undefined : odata`endTimeUtc ge ${new Date(filter.from).toISOString()}`,
    filter.to === undefined ? undefined : odata`startTimeUtc le ${new Date(filter.to).toISOString()}`,
    filter.isSample === undefined ? undefined : odata`isSample eq ${filter.isSample}`,
  ].filter((clause): clause is string => clause !== undefined);
  return clauses.length === 0 ? undefined : clauses.join(' and ');
}

function fromEntity(row: TableEntity & { etag?: string }): StoredAlert {
  return { alert: JSON.parse(textFromProperties(row, 'j')) as Alert, etag: row.etag ?? '' };
}

function toEntity(alert: Alert): AlertEntity {
  const entity: AlertEntity = {
    partitionKey: alertPartitionKey(alert.dedupeKey),
    rowKey: alert.systemAlertId,
    alertType: alert.alertType,
    severity: alert.severity,
    status: alert.status,
    startTimeUtc: new Date(alert.startTimeUtc).toISOString(),
    endTimeUtc: new Date(alert.endTimeUtc).toISOString(),
    isSample: alert.isSample,
    ...textToProperties(JSON.stringify(alert), 'j'),
  };
  const endpoint = alert.keyEntities.endpoint;
  if (endpoint !== undefined && endpoint.apiId !== '') entity.apiId = endpoint.apiId.toLowerCase();
  if (endpoint !== undefined && endpoint.operationId !== '') entity.operationId = endpoint.operationId.toLowerCase();
  return entity;
}
