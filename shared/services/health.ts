import type { InventoryStore, InventorySyncStatus, KindBacklog, OutboxBacklog, OutboxEntry, PartitionIngestState, PartitionStateStore } from '../ports';

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  storage: { reachable: boolean; error?: string };
  /** Per Event Hub partition: how far ingest has got, in sequence numbers and event time. */
  partitions: Array<{
    partitionId: string;
    lastSequenceNumber: number;
    lastEventTime: string | null;
    lastEnqueuedTime: string | null;
    processedAt: string;
    events: number;
    quarantined: number;
  }>;
  quarantine: { total: number; byReason: Record<string, number> };
  /** Alerts still to export and to run automation for: how many, and since when the oldest waits (wall clock). */
  outbox: Record<OutboxEntry['kind'], KindBacklog>;
  /**
   * The APIM inventory sync, when asked for: last attempt and success, the last attempt's error,
   * what the current snapshot holds; null before the first attempt. A failed sync does not make
   * the app unhealthy (the last good snapshot serves).
   */
  inventory?: InventorySyncStatus | null;
}

const EMPTY_OUTBOX: HealthReport['outbox'] = { export: { pending: 0, oldestQueuedAt: null }, automation: { pending: 0, oldestQueuedAt: null } };

/** Checks that storage answers and reports ingest progress, the outbox backlog and (given its store) the inventory sync; never throws. */
export async function getHealth(deps: {
  partitions: PartitionStateStore;
  outbox: OutboxBacklog;
  inventory?: Pick<InventoryStore, 'status'>;
}): Promise<HealthReport> {
  let states: PartitionIngestState[];
  let outbox: HealthReport['outbox'];
  let sync: InventorySyncStatus | undefined;
  try {
    [states, outbox, sync] = await Promise.all([deps.partitions.list(), deps.outbox.backlog(), deps.inventory?.status()]);
  } catch (error) {
    // Only the error's class and code: a message could carry an endpoint or a token.
    const { name, code } = error as { name?: string; code?: string };
    return {
      status: 'unhealthy',
      storage: { reachable: false, error: [name, code].filter(Boolean).join(': ') || 'unknown error' },
      partitions: [],
      quarantine: { total: 0, byReason: {} },
      outbox: EMPTY_OUTBOX,
    };
  }
  const byReason: Record<string, number> = {};
  for (const state of states) {
    for (const [reason, count] of Object.entries(state.quarantinedByReason)) byReason[reason] = (byReason[reason] ?? 0) + count;
  }
  return {
    status: 'ok',
    storage: { reachable: true },
    partitions: states
      .sort((a, b) => a.partitionId.localeCompare(b.partitionId, 'en', { numeric: true }))
      .map((state) => ({
        partitionId: state.partitionId,
        lastSequenceNumber: state.lastSequenceNumber,
        lastEventTime: state.lastEventTime === undefined ? null : new Date(state.lastEventTime).toISOString(),
        lastEnqueuedTime: state.lastEnqueuedTime?.toISOString() ?? null,
        processedAt: state.processedAt.toISOString(),
        events: state.events,
        quarantined: state.quarantined,
      })),
    quarantine: { total: states.reduce((sum, state) => sum + state.quarantined, 0), byReason },
    outbox,
    ...(deps.inventory === undefined ? {} : { inventory: sync ?? null }),
  };
}
