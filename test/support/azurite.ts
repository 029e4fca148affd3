import { TableServiceClient } from '@azure/data-tables';

import { startEmbeddedAzurite } from '../../scripts/local/embeddedAzurite';

export interface RunningAzurite {
  /** Connection string for @azure/data-tables. */
  connectionString: string;
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  tableEndpoint: string;
  /** A table-name prefix unique to the caller, so tests sharing one Azurite never collide. */
  uniquePrefix(): string;
  stop(): Promise<void>;
}

/** Starts an in-memory Azurite Table service on a random free port on loopback; stop() when done. */
export async function startAzurite(): Promise<RunningAzurite> {
  const azurite = await startEmbeddedAzurite({ port: 0 });
  let counter = 0;
  return {
    ...azurite,
    uniquePrefix: () => `t${process.pid}x${(counter++).toString(36)}`,
  };
}

/** Lists table names, for assertions about what a component created. */
export async function listTables(connectionString: string): Promise<string[]> {
  const client = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  const names: string[] = [];
  for await (const table of client.listTables()) if (table.name) names.push(table.name);
  return names;
}
