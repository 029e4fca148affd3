import { createHttpHeaders, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { TableClient, TableServiceClient } from '@azure/data-tables';

/** Counts every HTTP request a Table client sends (retries included), by method. */
export function requestCounter(): { policy: PipelinePolicy; counts: Map<string, number>; writes(): number; total(): number } {
  const counts = new Map<string, number>();
  return {
    counts,
    policy: {
      name: 'requestCounter',
      sendRequest: async (request, next) => {
        counts.set(request.method, (counts.get(request.method) ?? 0) + 1);
        return await next(request);
      },
    },
    writes: () => [...counts].filter(([method]) => method !== 'GET').reduce((sum, [, n]) => sum + n, 0),
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
  };
}

/**
 * A switchable fault: while `failing` returns true for a request, that request is answered
 * with 503 Server Busy without reaching storage, as a throttled or unreachable account would.
 */
export function faultInjector(): { policy: PipelinePolicy; failWhen(rule: (method: string, url: string) => boolean): void; heal(): void; failures(): number } {
  let rule: ((method: string, url: string) => boolean) | undefined;
  let failures = 0;
  return {
    policy: {
      name: 'faultInjector',
      sendRequest: async (request, next) => {
        if (rule?.(request.method, request.url) === true) {
          failures += 1;
          return {
            request,
            status: 503,
            headers: createHttpHeaders({ 'content-type': 'application/json', 'x-ms-error-code': 'ServerBusy' }),
            bodyAsText: JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { value: 'injected: server busy' } } }),
          };
        }
        return await next(request);
      },
    },
    failWhen: (next) => {
      rule = next;
    },
    heal: () => {
      rule = undefined;
    },
    failures: () => failures,
  };
}

/**
 * Every entity of every table whose name starts with the prefix, without the service's own
 * timestamps and ETags: two snapshots are equal when the data is.
 */
export async function snapshotTables(connectionString: string, prefix: string): Promise<Record<string, unknown[]>> {
  const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  const snapshot: Record<string, unknown[]> = {};
  for await (const table of service.listTables()) {
    const name = table.name ?? '';
    if (!name.startsWith(prefix)) continue;
    const client = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
    const rows: unknown[] = [];
    for await (const entity of client.listEntities()) {
      const { timestamp: _timestamp, etag: _etag, ...data } = entity as Record<string, unknown>;
      rows.push(data);
    }
    snapshot[name.slice(prefix.length)] = rows;
  }
  return snapshot;
}
