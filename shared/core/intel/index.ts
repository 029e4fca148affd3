/**
 * Threat-intel IP lists: feed parsing and fast lookup. Pure: no I/O.
 * Downloads live in shared/http/feedClient.ts, storage in shared/storage/intelStore.ts, the
 * shipped snapshot in shared/intel/, the daily refresh in shared/services/refreshIntel.ts.
 */
import type { IntelSet } from './intelSet';

export * from './address';
export * from './feed';
export * from './intelSet';

/** The two kinds of list the detectors use. */
export const INTEL_KINDS = ['tor', 'threatIntel'] as const;

/** `tor`: Tor exit relays (API_AccessFromTorExitNode); `threatIntel`: IP reputation feeds (API_AccessFromSuspiciousIP). */
export type IntelKind = (typeof INTEL_KINDS)[number];

/** The lists the intel detectors judge client IPs against. */
export interface IntelLists {
  tor: IntelSet;
  threatIntel: IntelSet;
}

/**
 * Where a detector gets its lists: fixed lists, or a function returning the current ones, so a
 * cache can swap in refreshed lists without rebuilding detectors. The function is called once
 * per request and must be cheap (no I/O).
 */
export type IntelListsSource = IntelLists | (() => IntelLists);

/** The lists of a source, now. */
export function currentLists(source: IntelListsSource): IntelLists {
  return typeof source === 'function' ? source() : source;
}
