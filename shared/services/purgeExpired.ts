import { windowStart } from '../core/windows';
import type { PartitionStateStore, QuarantineStore, WindowStore } from '../ports';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionPolicy {
  /** Window aggregates older than this are deleted; must cover the 30-day baselines. */
  windowDays: number;
  quarantineDays: number;
}

export interface PurgeSummary {
  /** The event-time "now" the cut-offs were measured from; null when nothing was ingested yet. */
  eventTime: string | null;
  windowsBefore: string | null;
  quarantineBefore: string | null;
  windowEntitiesDeleted: number;
  quarantineEntitiesDeleted: number;
}

/**
 * Deletes window aggregates and quarantine entries past their retention, measured in event
 * time: from the latest event any partition has seen, not the wall clock, so a replay of old
 * logs is never purged as it is ingested.
 */
export async function purgeExpired(
  stores: { windows: WindowStore; quarantine: QuarantineStore; partitions: PartitionStateStore },
  retention: RetentionPolicy,
): Promise<PurgeSummary> {
  const times = (await stores.partitions.list()).map((p) => p.lastEventTime).filter((t): t is number => t !== undefined);
  if (times.length === 0) {
    return { eventTime: null, windowsBefore: null, quarantineBefore: null, windowEntitiesDeleted: 0, quarantineEntitiesDeleted: 0 };
  }
  const now = Math.max(...times);
  const windowsBefore = windowStart(now - retention.windowDays * DAY_MS);
  const quarantineBefore = new Date(now - retention.quarantineDays * DAY_MS).toISOString().slice(0, 10);
  return {
    eventTime: new Date(now).toISOString(),
    windowsBefore: new Date(windowsBefore).toISOString(),
    quarantineBefore,
    windowEntitiesDeleted: await stores.windows.deleteBefore(windowsBefore),
    quarantineEntitiesDeleted: await stores.quarantine.deleteBefore(quarantineBefore),
  };
}
