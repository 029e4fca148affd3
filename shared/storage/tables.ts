import { TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

import type { TablesConnection } from '../config';
import { createCredential } from '../azure/credential';

/** Logical table names; the deployed name is the configured prefix + this. */
export const TableNames = {
  /** Partial window aggregates per (window, Event Hub partition), with replay watermarks. */
  windows: 'windows',
  /** Per Event Hub partition: last sequence number, event-time watermark, counters. */
  ingestPartitions: 'ingestpartitions',
  /** Per (partition, endpoint): first and last seen event time. */
  endpointActivity: 'endpointactivity',
  /** Records that failed validation, with reason and raw text. */
  quarantine: 'quarantine',
  /** Event Hub ownership and checkpoints of the local run's consumer. */
  eventHubCheckpoints: 'ehcheckpoints',
  /** Learned baselines, versioned, with a pointer to the current version of each kind. */
  baselines: 'baselines',
  /** Where window evaluation has got to. */
  evaluation: 'evaluation',
  /** Alerts, partitioned by dedupe key. */
  alerts: 'alerts',
  /** Alert id → the alerts partition holding it. */
  alertIds: 'alertids',
  /** Suppression rules. */
  suppressionRules: 'suppressionrules',
  /** Per endpoint: last seen and the inactive mark. */
  endpointStatus: 'endpointstatus',
  /** Audit of response actions, newest first. */
  actions: 'actions',
  /** Threat-intel lists (Tor exits, threat-intel feeds), versioned. */
  intel: 'intel',
  /** Alerts still to export or to run automation for, per kind. */
  alertOutbox: 'alertoutbox',
  /** Automation rules: which new alerts run which playbook. */
  automationRules: 'automationrules',
  /** The APIM inventory as last synced (chunked JSON, versioned) and the sync's status. */
  inventory: 'inventory',
} as const;

export type TableName = (typeof TableNames)[keyof typeof TableNames];

/** Table Storage allows at most 100 operations in one transaction (entity group transaction). */
export const MAX_TRANSACTION_ACTIONS = 100;

export interface TableFactoryOptions {
  /** Attempts per request, first try included; transient failures (5xx, 408, network) are retried with backoff. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt (default 500 ms). */
  retryDelayMs?: number;
  /** Extra pipeline policies (tests use one to inject failures and count requests). */
  policies?: PipelinePolicy[];
  /** Credential for endpoint connections; defaults to DefaultAzureCredential with the configured client id. */
  credential?: TokenCredential;
}

/**
 * Builds one TableClient per table, lazily, and creates each table on first use.
 * Connection by connection string (Azurite) or by endpoint + managed identity (Azure).
 */
export class TableFactory {
  private readonly clients = new Map<TableName, TableClient>();
  private readonly created = new Map<TableName, Promise<void>>();

  constructor(
    private readonly connection: TablesConnection,
    private readonly prefix: string,
    private readonly options: TableFactoryOptions,
  ) {}

  /** The deployed name of a logical table. */
  tableName(name: TableName): string {
    return `${this.prefix}${name}`;
  }

  /** A client for the table, which exists by the time the promise resolves. */
  async table(name: TableName): Promise<TableClient> {
    const client = this.client(name);
    let creation = this.created.get(name);
    if (creation === undefined) {
      // createTable is a no-op when the table exists; forget failures so the next call retries.
      creation = client.createTable().catch((error: unknown) => {
        this.created.delete(name);
        throw error;
      });
      this.created.set(name, creation);
    }
    await creation;
    return client;
  }

  private client(name: TableName): TableClient {
    let client = this.clients.get(name);
    if (client === undefined) {
      client = this.newClient(this.tableName(name));
      this.clients.set(name, client);
    }
    return client;
  }

  private newClient(tableName: string): TableClient {
    const clientOptions = {
      retryOptions: {
        maxRetries: Math.max(0, this.options.maxAttempts - 1),
        retryDelayInMs: this.options.retryDelayMs ?? 500,
        maxRetryDelayInMs: 30_000,
      },
      additionalPolicies: (this.options.policies ?? []).map((policy) => ({ policy, position: 'perRetry' as const })),
    };
    if (this.connection.kind === 'connectionString') {
      const insecure = /TableEndpoint=http:|DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(
        this.connection.connectionString,
      );
      return TableClient.fromConnectionString(this.connection.connectionString, tableName, {
        ...clientOptions,
        allowInsecureConnection: insecure,
      });
    }
    const credential = this.options.credential ?? createCredential(this.connection.clientId);
    return new TableClient(this.connection.endpoint, tableName, credential, {
      ...clientOptions,
      allowInsecureConnection: this.connection.endpoint.startsWith('http:'),
    });
  }
}

/**
 * Submits upserts grouped by partition key, at most 100 per transaction, one partition key after
 * another. Each transaction is atomic; a failure stops at that transaction and throws.
 */
export async function upsertInTransactions<T extends TableEntity>(
  client: TableClient,
  entities: readonly T[],
  mode: 'Merge' | 'Replace' = 'Replace',
): Promise<number> {
  const byPartition = new Map<string, TransactionAction[]>();
  for (const entity of entities) {
    const actions = byPartition.get(entity.partitionKey) ?? [];
    actions.push(['upsert', entity, mode]);
    byPartition.set(entity.partitionKey, actions);
  }
  let transactions = 0;
  for (const actions of byPartition.values()) {
    for (let i = 0; i < actions.length; i += MAX_TRANSACTION_ACTIONS) {
      await client.submitTransaction(actions.slice(i, i + MAX_TRANSACTION_ACTIONS));
      transactions += 1;
    }
  }
  return transactions;
}

/**
 * Deletes every entity matching an OData filter (build it with the `odata` tag), in
 * transactions of up to 100 per partition key. Returns how many were deleted.
 */
export async function deleteWhere(client: TableClient, filter: string): Promise<number> {
  const byPartition = new Map<string, TransactionAction[]>();
  const entities = client.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } });
  for await (const { partitionKey = '', rowKey = '' } of entities) {
    const actions = byPartition.get(partitionKey) ?? [];
    actions.push(['delete', { partitionKey, rowKey }]);
    byPartition.set(partitionKey, actions);
  }
  let deleted = 0;
  for (const actions of byPartition.values()) {
    for (let i = 0; i < actions.length; i += MAX_TRANSACTION_ACTIONS) {
      const chunk = actions.slice(i, i + MAX_TRANSACTION_ACTIONS);
      await client.submitTransaction(chunk);
      deleted += chunk.length;
    }
  }
  return deleted;
}

/** Zero-pads a sequence number so that RowKeys sort in sequence order. */
export function sequenceKey(sequenceNumber: number): string {
  return String(sequenceNumber).padStart(16, '0');
}

/** True for the 404 a point read returns when the entity does not exist. */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === 404;
}

/** Reads one entity, or undefined when it does not exist. */
export async function getEntityOrUndefined<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<T | undefined> {
  try {
    // The SDK types keys as optional on reads; they are always present on a stored entity.
    return (await client.getEntity<T>(partitionKey, rowKey)) as unknown as T;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
