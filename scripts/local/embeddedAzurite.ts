import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Azurite's well-known development account (public and documented, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's default Table port, which `UseDevelopmentStorage=true` points at. */
export const AZURITE_TABLE_PORT = 10_002;

export interface EmbeddedAzurite {
  /** Connection string for @azure/data-tables. */
  connectionString: string;
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  tableEndpoint: string;
  stop(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}

/**
 * Starts Azurite's Table service inside this process on 127.0.0.1. `port` 0 picks a free port.
 * With `dataDir` the tables persist there (Azurite saves every few seconds and on stop);
 * without it they live in memory only.
 */
export async function startEmbeddedAzurite(options: { port: number; dataDir?: string }): Promise<EmbeddedAzurite> {
  // Azurite ships CommonJS without type declarations; its Table server is loaded directly.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const TableServer = require('azurite/dist/src/table/TableServer').default;
  const TableConfiguration = require('azurite/dist/src/table/TableConfiguration').default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const inMemory = options.dataDir === undefined;
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const dbPath = options.dataDir === undefined ? '__azurite_db_table__.json' : join(options.dataDir, '__azurite_db_table__.json');
  // Positional arguments of TableConfiguration: host, port, keepAliveTimeout, metadataDBPath,
  // enableDebugLog, enableAccessLog, accessLogWriteStream, debugLogFilePath, loose,
  // skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, isMemoryPersistence.
  const config = new TableConfiguration(
    '127.0.0.1', options.port, undefined, dbPath, false, false, undefined, undefined,
    false, true, '', '', '', undefined, false, inMemory,
  );
  const server: AzuriteServer = new TableServer(config);
  await server.start();
  const tableEndpoint = `${server.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
  return {
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${tableEndpoint};`,
    stop: async () => {
      await server.close();
      if (inMemory) await server.clean();
    },
  };
}
