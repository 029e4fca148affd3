import { createDependencies, ingestDependencies } from '../../functions/deps';
import { parseConfig } from '../../shared/config';
import { ingestBatch, type IngestBatch, type IngestSummary } from '../../shared/services/ingestBatch';
import type { RunningAzurite } from './azurite';
import { faultInjector, requestCounter, snapshotTables } from './storageFaults';

/**
 * A fresh app (its own table prefix) over a shared Azurite, with the real Table adapters,
 * request counting and fault injection, and an `ingest` that runs the real ingest service.
 */
export function freshApp(azurite: RunningAzurite, options: { maxAttempts?: number; now?: Date } = {}) {
  const prefix = azurite.uniquePrefix();
  const counter = requestCounter();
  const faults = faultInjector();
  const config = parseConfig({
    WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString,
    WARDEN_TABLE_PREFIX: prefix,
    WARDEN_STORAGE_MAX_ATTEMPTS: String(options.maxAttempts ?? 3),
  });
  const now = options.now ?? new Date('2026-03-02T12:00:00Z');
  const deps = createDependencies(config, {
    clock: { now: () => now },
    tableOptions: { retryDelayMs: 5, policies: [counter.policy, faults.policy] },
  });
  const ingest = (batch: IngestBatch): Promise<IngestSummary> => ingestBatch(batch, ingestDependencies(deps, null));
  return { prefix, config, deps, counter, faults, ingest, snapshot: () => snapshotTables(azurite.connectionString, prefix) };
}
