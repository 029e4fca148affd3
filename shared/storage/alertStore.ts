import { createHash } from 'node:crypto';

import { odata, type TableEntity } from '@azure/data-tables';

import type { Alert } from '../core/alerts';
import type { AlertStore } from '../ports';
import { textFromProperties, textToProperties } from './chunkedText';
import { TableNames, upsertInTransactions, type TableFactory } from './tables';

/**
 * Table layout: PartitionKey `k<sha256 of the dedupe key, 32 hex>` (so one query finds every
 * alert of a type on the same entities), RowKey = systemAlertId. The alert is stored whole as
 * JSON; a few columns are copied out for filtering.
 */
interface AlertEntity extends TableEntity {
  alertType: string;
  severity: string;
  status: string;
  startTimeUtc: string;
  endTimeUtc: string;
}

export function alertPartitionKey(dedupeKey: string): string {
  return `k${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}`;
}

export class TableAlertStore implements AlertStore {
  constructor(private readonly tables: TableFactory) {}

  async byDedupeKey(dedupeKey: string): Promise<Alert[]> {
    const client = await this.tables.table(TableNames.alerts);
    const alerts: Alert[] = [];
    const rows = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${alertPartitionKey(dedupeKey)}` } });
    for await (const row of rows) alerts.push(JSON.parse(textFromProperties(row, 'j')) as Alert);
    return alerts.sort((a, b) => b.firstFindingTime.localeCompare(a.firstFindingTime));
  }

  async put(alerts: readonly Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const client = await this.tables.table(TableNames.alerts);
    await upsertInTransactions(client, alerts.map(toEntity));
  }

  /** A scan filtered by RowKey: alerts are partitioned by dedupe key, not id. */
  async get(alertId: string): Promise<Alert | undefined> {
    const client = await this.tables.table(TableNames.alerts);
    for await (const row of client.listEntities({ queryOptions: { filter: odata`RowKey eq ${alertId}` } })) {
      return JSON.parse(textFromProperties(row, 'j')) as Alert;
    }
    return undefined;
  }

  async list(): Promise<Alert[]> {
    const client = await this.tables.table(TableNames.alerts);
    const alerts: Alert[] = [];
    for await (const row of client.listEntities()) alerts.push(JSON.parse(textFromProperties(row, 'j')) as Alert);
    return alerts;
  }
}

function toEntity(alert: Alert): AlertEntity {
  return {
    partitionKey: alertPartitionKey(alert.dedupeKey),
    rowKey: alert.systemAlertId,
    alertType: alert.alertType,
    severity: alert.severity,
    status: alert.status,
    startTimeUtc: alert.startTimeUtc,
    endTimeUtc: alert.endTimeUtc,
    ...textToProperties(JSON.stringify(alert), 'j'),
  };
}
