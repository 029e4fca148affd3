import { odata, type TableEntity } from '@azure/data-tables';

import { escapeKeyPart, makeEndpoint } from '../core/requestEvent';
import type { EndpointActivity, EndpointActivityStore } from '../ports';
import { TableNames, upsertInTransactions, type TableFactory } from './tables';

/**
 * Table layout: PartitionKey = Event Hub partition id, RowKey = endpoint key. Each ingest
 * instance reads and writes only its own partition's rows, in transactions of up to 100.
 */
interface ActivityEntity extends TableEntity {
  service: string;
  apiId: string;
  operationId: string;
  pathTemplate: string;
  firstSeen: Date;
  lastSeen: Date;
}

export class TableEndpointActivityStore implements EndpointActivityStore {
  constructor(private readonly tables: TableFactory) {}

  async list(partitionId: string): Promise<EndpointActivity[]> {
    const client = await this.tables.table(TableNames.endpointActivity);
    const filter = odata`PartitionKey eq ${escapeKeyPart(partitionId)}`;
    const activities: EndpointActivity[] = [];
    for await (const entity of client.listEntities<ActivityEntity>({ queryOptions: { filter } })) {
      activities.push(fromEntity(entity));
    }
    return activities;
  }

  async upsert(partitionId: string, activities: readonly EndpointActivity[]): Promise<void> {
    if (activities.length === 0) return;
    const client = await this.tables.table(TableNames.endpointActivity);
    const partitionKey = escapeKeyPart(partitionId);
    await upsertInTransactions(client, activities.map((activity) => toEntity(partitionKey, activity)));
  }

  async listAll(): Promise<EndpointActivity[]> {
    const client = await this.tables.table(TableNames.endpointActivity);
    const merged = new Map<string, EndpointActivity>();
    for await (const entity of client.listEntities<ActivityEntity>()) {
      const activity = fromEntity(entity);
      const known = merged.get(activity.endpoint.key);
      merged.set(
        activity.endpoint.key,
        known === undefined
          ? activity
          : {
              endpoint: known.endpoint,
              firstSeen: Math.min(known.firstSeen, activity.firstSeen),
              lastSeen: Math.max(known.lastSeen, activity.lastSeen),
            },
      );
    }
    return [...merged.values()];
  }
}

function toEntity(partitionKey: string, { endpoint, firstSeen, lastSeen }: EndpointActivity): ActivityEntity {
  return {
    partitionKey,
    rowKey: endpoint.key,
    service: endpoint.service,
    apiId: endpoint.apiId,
    operationId: endpoint.operationId,
    pathTemplate: endpoint.pathTemplate,
    firstSeen: new Date(firstSeen),
    lastSeen: new Date(lastSeen),
  };
}

function fromEntity(entity: ActivityEntity): EndpointActivity {
  return {
    endpoint: makeEndpoint({
      service: entity.service,
      apiId: entity.apiId,
      operationId: entity.operationId,
      pathTemplate: entity.pathTemplate,
    }),
    firstSeen: new Date(entity.firstSeen).getTime(),
    lastSeen: new Date(entity.lastSeen).getTime(),
  };
}
