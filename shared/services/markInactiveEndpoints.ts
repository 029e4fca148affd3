import type { EndpointActivityStore, EndpointStatus, EndpointStatusStore, PartitionStateStore } from '../ports';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface InactiveSummary {
  /** Event-time "now" (the latest event ingested); null before any traffic. */
  eventTime: string | null;
  endpoints: number;
  inactive: number;
  newlyInactive: number;
  reactivated: number;
}

/**
 * Marks endpoints with no traffic for `inactiveDays` of event time as inactive and clears the
 * mark of those whose traffic returned. "Now" is the latest event time ingested, so a replay of
 * old logs gives the verdicts the live run gave. Only changed verdicts are written.
 */
export async function markInactiveEndpoints(
  stores: { activity: EndpointActivityStore; statuses: EndpointStatusStore; partitions: PartitionStateStore },
  inactiveDays: number,
): Promise<InactiveSummary> {
  const latest = Math.max(...(await stores.partitions.list()).map((p) => p.lastEventTime ?? Number.NEGATIVE_INFINITY));
  if (!Number.isFinite(latest)) return { eventTime: null, endpoints: 0, inactive: 0, newlyInactive: 0, reactivated: 0 };
  const previous = new Map((await stores.statuses.list()).map((status) => [status.endpoint.key, status]));
  const changed: EndpointStatus[] = [];
  const summary: InactiveSummary = { eventTime: new Date(latest).toISOString(), endpoints: 0, inactive: 0, newlyInactive: 0, reactivated: 0 };
  for (const { endpoint, lastSeen } of await stores.activity.listAll()) {
    summary.endpoints += 1;
    const inactive = latest - lastSeen >= inactiveDays * DAY_MS;
    const before = previous.get(endpoint.key);
    if (inactive) summary.inactive += 1;
    if (inactive && before?.inactive !== true) summary.newlyInactive += 1;
    if (!inactive && before?.inactive === true) summary.reactivated += 1;
    if (before?.inactive === inactive && before.lastSeen === lastSeen) continue;
    const status: EndpointStatus = { endpoint, lastSeen, inactive };
    if (inactive) status.inactiveSince = before?.inactiveSince ?? lastSeen + inactiveDays * DAY_MS;
    changed.push(status);
  }
  await stores.statuses.put(changed);
  return summary;
}
