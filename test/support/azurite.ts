import { randomUUID } from 'node:crypto';

import { TableServiceClient } from '@azure/data-tables';

/** Azurite's well-known development account (public, documented). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  /** Connection string for @azure/data-tables. */
  connectionString: string;
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  tableEndpoint: string;
  /** A table-name prefix unique to the caller, so tests sharing one Azurite never collide. */
  uniquePrefix(): string;
  stop(): Promise<void>;
}

/**
 * Starts an in-memory Azurite Table service on a random free port on loopback.
 * Each call starts its own server; call stop() when done.
 */
export async function startAzurite(): Promise<RunningAzurite> {
  // Azurite ships CommonJS without types; load its Table server directly.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TableServer = require('azurite/dist/src/table/TableServer').default;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TableConfiguration = require('azurite/dist/src/table/TableConfiguration').default;
  const config = new TableConfiguration(
    '127.0.0.1', 0, undefined, `azurite-${randomUUID()}.json`, false, false, undefined, undefined,
    false, true, '', '', '', undefined, false, true,
  );
  const server = new TableServer(config);
  await server.start();
  const address: string = server.getHttpServerAddress();
  const tableEndpoint = `${address}/${AZURITE_ACCOUNT}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${tableEndpoint};`;
  let counter = 0;
  return {
    connectionString,
    tableEndpoint,
    uniquePrefix: () => `t${process.pid}x${(counter++).toString(36)}`,
    stop: async () => {
      await server.close();
      await server.clean();
    },
  };
}

/** Lists table names, for assertions about what a component created. */
export async function listTables(connectionString: string): Promise<string[]> {
  const client = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  const names: string[] = [];
  for await (const table of client.listTables()) if (table.name) names.push(table.name);
  return names;
}
