import type { TableEntity } from '@azure/data-tables';

import { makeEndpoint } from '../core/requestEvent';
import type { EndpointStatus, EndpointStatusStore } from '../ports';
import { TableNames, upsertInTransactions, type TableFactory } from './tables';

/** Table layout: one partition `endpoint`, RowKey = endpoint key (already key-safe). */
interface StatusEntity extends TableEntity {
  service: string;
  apiId: string;
  operationId: string;
  pathTemplate: string;
  lastSeen: Date;
  inactive: boolean;
  inactiveSince?: Date;
}

export class TableEndpointStatusStore implements EndpointStatusStore {
  constructor(private readonly tables: TableFactory) {}

  async list(): Promise<EndpointStatus[]> {
    const client = await this.tables.table(TableNames.endpointStatus);
    const statuses: EndpointStatus[] = [];
    for await (const row of client.listEntities<StatusEntity>()) {
      const status: EndpointStatus = {
        endpoint: makeEndpoint({ service: row.service, apiId: row.apiId, operationId: row.operationId, pathTemplate: row.pathTemplate }),
        lastSeen: new Date(row.lastSeen).getTime(),
        inactive: row.inactive,
      };
      if (row.inactiveSince !== undefined) status.inactiveSince = new Date(row.inactiveSince).getTime();
      statuses.push(status);
    }
    return statuses;
  }

  async put(statuses: readonly EndpointStatus[]): Promise<void> {
    if (statuses.length === 0) return;
    const client = await this.tables.table(TableNames.endpointStatus);
    await upsertInTransactions(
      client,
      statuses.map(({ endpoint, lastSeen, inactive, inactiveSince }) => {
        const entity: StatusEntity = {
          partitionKey: 'endpoint',
          rowKey: endpoint.key,
          service: endpoint.service,
          apiId: endpoint.apiId,
          operationId: endpoint.operationId,
          pathTemplate: endpoint.pathTemplate,
          lastSeen: new Date(lastSeen),
          inactive,
        };
        if (inactiveSince !== undefined) entity.inactiveSince = new Date(inactiveSince);
        return entity;
      }),
    );
  }
}
