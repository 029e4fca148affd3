/**
 * Threat-intel lists: the daily refresh (timer `refresh-intel`) that downloads the configured
 * feeds and stores them, and the readers that give detectors the current lists, falling back
 * to the shipped snapshot (shared/intel/) for a kind nothing was stored for.
 *
 * A feed's stored list is replaced only by a plausible download. Otherwise its last good copy
 * stays in effect and the summary says why:
 * - the download failed (network, timeout, HTTP status, size limit, corrupt gzip);
 * - it is garbage: no valid entry, or more than `maxRejectedRatio` of its lines are not
 *   IPs or CIDRs (an HTML error page, a changed format);
 * - it shrank implausibly: fewer than `minRetainedRatio` times the previous list's entries.
 * A feed with no copy yet that fails is `failed`; while no feed of a kind has a stored list,
 * readers use the snapshot for that kind. Removing every URL of a kind from the settings
 * unpublishes its stored lists, so the snapshot applies again.
 */
import { createHash } from 'node:crypto';

import { formatFeed, INTEL_KINDS, IntelSet, parseFeed, type FeedParseOptions, type IntelKind, type IntelLists } from '../core/intel';
import { redactUrl, type FeedFetcher } from '../http/feedClient';
import { loadSnapshotLists } from '../intel/snapshot';
import { silentLogger, systemClock, type Clock, type IntelListVersion, type IntelStore, type Logger, type PublishedIntelLists } from '../ports';

/** A feed to download; a plain string is its URL. */
export interface IntelFeedSpec {
  url: string;
  /** Name quoted in alerts; default host + path of the URL ("check.torproject.org/torbulkexitlist"). */
  name?: string;
}

export type IntelFeedSpecs = Record<IntelKind, ReadonlyArray<string | IntelFeedSpec>>;

export interface RefreshIntelOptions {
  /** Feed URLs per kind (settings WARDEN_TOR_FEED_URLS and WARDEN_THREAT_INTEL_FEED_URLS). */
  feeds: IntelFeedSpecs;
  /** A download with fewer entries than this fraction of the stored list is refused (default 0.5). */
  minRetainedRatio?: number;
  /** A download where more than this fraction of the non-comment lines are invalid is garbage (default 0.1). */
  maxRejectedRatio?: number;
  /** Parsing limits (broadest accepted networks). */
  parse?: FeedParseOptions;
}

export const DEFAULT_MIN_RETAINED_RATIO = 0.5;
export const DEFAULT_MAX_REJECTED_RATIO = 0.1;

export interface RefreshIntelDependencies {
  store: IntelStore;
  fetchFeed: FeedFetcher;
  clock?: Clock;
  logger?: Logger;
}

/** `ok`: the download is in effect; `kept-previous`: it was refused or failed and the last good copy stays; `failed`: likewise, with no copy to keep. */
export type FeedRefreshStatus = 'ok' | 'kept-previous' | 'failed';

export interface FeedRefreshResult {
  kind: IntelKind;
  name: string;
  /** The URL without credentials or query. */
  url: string;
  status: FeedRefreshStatus;
  /** For `ok`: the download equals the stored list, which was kept as is. */
  unchanged?: boolean;
  /** Entries of this feed now in effect (the new list, or the kept one; 0 when failed). */
  entries: number;
  /** Valid entries in the download; absent when nothing was downloaded. */
  downloaded?: number;
  /** Lines of the download that were neither entries, comments nor blank. */
  rejectedLines?: number;
  /** Entries of the list stored before this run; absent when there was none. */
  previous?: number;
  /** Stored version now in effect. */
  version?: string;
  /** Why the download was refused or failed. */
  reason?: string;
}

export interface KindRefreshSummary {
  /** Feeds with a published list, and their entries summed. */
  feeds: number;
  entries: number;
  /** What readers use for this kind after the run. */
  readersUse: 'stored' | 'snapshot';
  /** Set when the new pointer could not be written: the lists before the run stay in effect. */
  publishError?: string;
  /** Set when old copies could not be deleted (harmless; retried next run). */
  cleanupError?: string;
}

export interface RefreshIntelSummary {
  /** Wall-clock start of the run, ISO 8601. */
  startedAt: string;
  feeds: FeedRefreshResult[];
  kinds: Record<IntelKind, KindRefreshSummary>;
  /** True when every feed is `ok` and every kind was published. */
  ok: boolean;
}

/** Stable, key-safe id of a feed: first 16 hex digits of sha256(kind + URL). */
export function feedId(kind: IntelKind, url: string): string {
  return createHash('sha256').update(`${kind}\n${url}`, 'utf8').digest('hex').slice(0, 16);
}

/** Default feed name: host and path of the URL, without scheme, credentials or query. */
export function defaultFeedName(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return redactUrl(url);
  }
}

interface FeedOutcome {
  result: FeedRefreshResult;
  /** The list to publish for this feed, if any. */
  list?: IntelListVersion;
}

/**
 * Downloads every configured feed, stores the plausible ones and publishes each kind's lists
 * in one atomic switch. Never throws for a feed or storage failure: the summary reports it
 * (`ok: false`), and the lists in effect before stay in effect where nothing better exists.
 */
export async function refreshIntel(deps: RefreshIntelDependencies, options: RefreshIntelOptions): Promise<RefreshIntelSummary> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const startedAt = clock.now().toISOString();
  const feeds: FeedRefreshResult[] = [];
  const kinds = {} as Record<IntelKind, KindRefreshSummary>;
  await Promise.all(
    INTEL_KINDS.map(async (kind) => {
      const { results, summary } = await refreshKind(kind, deps, options, clock, logger);
      feeds.push(...results);
      kinds[kind] = summary;
    }),
  );
  feeds.sort((a, b) => INTEL_KINDS.indexOf(a.kind) - INTEL_KINDS.indexOf(b.kind));
  const ok = feeds.every((f) => f.status === 'ok') && INTEL_KINDS.every((k) => kinds[k].publishError === undefined);
  logger.info('intel.refresh.done', {
    ok,
    feeds: feeds.map((f) => ({ kind: f.kind, name: f.name, status: f.status, entries: f.entries, reason: f.reason })),
  });
  return { startedAt, feeds, kinds, ok };
}

function specsOf(list: ReadonlyArray<string | IntelFeedSpec>): IntelFeedSpec[] {
  const byUrl = new Map<string, IntelFeedSpec>();
  for (const item of list) {
    const spec = typeof item === 'string' ? { url: item.trim() } : { ...item, url: item.url.trim() };
    if (spec.url !== '' && !byUrl.has(spec.url)) byUrl.set(spec.url, spec);
  }
  return [...byUrl.values()];
}

async function refreshKind(
  kind: IntelKind,
  deps: RefreshIntelDependencies,
  options: RefreshIntelOptions,
  clock: Clock,
  logger: Logger,
): Promise<{ results: FeedRefreshResult[]; summary: KindRefreshSummary }> {
  const specs = specsOf(options.feeds[kind]);
  let published: PublishedIntelLists;
  try {
    published = await deps.store.current(kind);
  } catch (error) {
    const reason = `could not read the stored ${kind} lists: ${messageOf(error)}`;
    logger.error('intel.refresh.readFailed', { kind, reason });
    const results = specs.map((spec) => ({ kind, name: spec.name ?? defaultFeedName(spec.url), url: redactUrl(spec.url), status: 'failed' as const, entries: 0, reason }));
    return { results, summary: { feeds: 0, entries: 0, readersUse: 'snapshot', publishError: reason } };
  }

  const outcomes = await Promise.all(
    specs.map((spec) => {
      const id = feedId(kind, spec.url);
      return refreshFeed(kind, id, spec, published.lists.find((l) => l.feedId === id), deps, options, clock, logger);
    }),
  );
  const lists = outcomes.flatMap((o) => (o.list === undefined ? [] : [o.list]));
  const before = published.lists;
  const unchangedPointer =
    lists.length === before.length && lists.every((l, i) => JSON.stringify(l) === JSON.stringify(before[i]));
  const summary: KindRefreshSummary = {
    feeds: lists.length,
    entries: lists.reduce((sum, l) => sum + l.entries, 0),
    readersUse: lists.length > 0 ? 'stored' : 'snapshot',
  };
  if (!unchangedPointer) {
    try {
      const cleanup = await deps.store.publish(kind, lists, published.etag);
      if (cleanup.cleanupError !== undefined) {
        summary.cleanupError = cleanup.cleanupError;
        logger.warn('intel.refresh.cleanupFailed', { kind, reason: cleanup.cleanupError });
      }
    } catch (error) {
      const reason = `could not publish the ${kind} lists: ${messageOf(error)}`;
      logger.error('intel.refresh.publishFailed', { kind, reason });
      summary.publishError = reason;
      summary.feeds = before.length;
      summary.entries = before.reduce((sum, l) => sum + l.entries, 0);
      summary.readersUse = before.length > 0 ? 'stored' : 'snapshot';
      for (const outcome of outcomes) {
        const result = outcome.result;
        if (result.status !== 'ok' || result.unchanged === true) continue;
        const kept = before.find((l) => l.feedId === outcome.list?.feedId);
        result.status = kept === undefined ? 'failed' : 'kept-previous';
        result.entries = kept?.entries ?? 0;
        if (kept === undefined) delete result.version;
        else result.version = kept.version;
        result.reason = reason;
      }
    }
  }
  return { results: outcomes.map((o) => o.result), summary };
}

async function refreshFeed(
  kind: IntelKind,
  id: string,
  spec: IntelFeedSpec,
  previous: IntelListVersion | undefined,
  deps: RefreshIntelDependencies,
  options: RefreshIntelOptions,
  clock: Clock,
  logger: Logger,
): Promise<FeedOutcome> {
  const name = spec.name ?? defaultFeedName(spec.url);
  const url = redactUrl(spec.url);
  const result: FeedRefreshResult = { kind, name, url, status: 'failed', entries: 0 };
  if (previous !== undefined) result.previous = previous.entries;
  const now = clock.now().toISOString();

  const keepPrevious = (reason: string): FeedOutcome => {
    result.reason = reason;
    logger.warn('intel.feed.refused', { kind, feed: name, url, reason, kept: previous?.version ?? null });
    if (previous === undefined) return { result };
    result.status = 'kept-previous';
    result.entries = previous.entries;
    result.version = previous.version;
    return { result, list: { ...previous, name, url, checkedAt: now, lastError: reason } };
  };

  let text: string;
  try {
    text = (await deps.fetchFeed(spec.url)).text;
  } catch (error) {
    return keepPrevious(messageOf(error));
  }
  const parsed = parseFeed(text, options.parse);
  const downloaded = parsed.entries.length;
  const rejected = parsed.rejected.length;
  result.downloaded = downloaded;
  result.rejectedLines = rejected;
  const first = parsed.rejected[0];
  const firstBad = first === undefined ? '' : `; line ${first.line}: ${first.reason}: ${JSON.stringify(first.text)}`;
  if (downloaded === 0) return keepPrevious(`no IP or CIDR entries in the download (${rejected} invalid lines${firstBad})`);
  const maxRejected = options.maxRejectedRatio ?? DEFAULT_MAX_REJECTED_RATIO;
  if (rejected > maxRejected * (downloaded + rejected)) {
    return keepPrevious(`garbage: ${rejected} of ${downloaded + rejected} lines are not IPs or CIDRs${firstBad}`);
  }
  const minRetained = options.minRetainedRatio ?? DEFAULT_MIN_RETAINED_RATIO;
  if (previous !== undefined && downloaded < minRetained * previous.entries) {
    return keepPrevious(
      `shrank implausibly: ${downloaded} entries against ${previous.entries} stored (below ${Math.round(minRetained * 100)} %)`,
    );
  }

  const listText = formatFeed(parsed.entries);
  const sha256 = createHash('sha256').update(listText, 'utf8').digest('hex');
  if (previous !== undefined && previous.sha256 === sha256 && previous.chars === listText.length) {
    result.status = 'ok';
    result.unchanged = true;
    result.entries = previous.entries;
    result.version = previous.version;
    const list: IntelListVersion = { ...previous, name, url, checkedAt: now };
    delete list.lastError;
    return { result, list };
  }
  let stored: IntelListVersion;
  try {
    const input = { kind, feedId: id, name, url, fetchedAt: now, entries: downloaded, text: listText };
    stored = await deps.store.write(previous === undefined ? input : { ...input, previousVersion: previous.version });
  } catch (error) {
    return keepPrevious(`could not store the new list: ${messageOf(error)}`);
  }
  result.status = 'ok';
  result.entries = downloaded;
  result.version = stored.version;
  logger.info('intel.feed.updated', { kind, feed: name, url, entries: downloaded, rejected, previous: previous?.entries ?? null });
  return { result, list: stored };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---- Readers ----

/** Where a kind's lists came from. */
export type IntelOrigin = 'stored' | 'snapshot';

export interface LoadedIntelLists extends IntelLists {
  origin: Record<IntelKind, IntelOrigin>;
  /** Identifies the stored copies loaded ("snapshot" for a kind on the snapshot); equal fingerprints, equal lists. */
  fingerprint: string;
}

export interface ReadIntelListsOptions {
  /** The fallback lists (default: the shipped snapshot). */
  snapshot?: () => IntelLists;
  /** Attempts per kind when a copy vanishes or changes during the read (a refresh publishing meanwhile); default 3. */
  attempts?: number;
}

function fingerprintOf(kind: IntelKind, lists: readonly IntelListVersion[]): string {
  if (lists.length === 0) return `${kind}=snapshot`;
  return `${kind}=${lists.map((l) => `${l.feedId}@${l.version}`).join(',')}`;
}

async function readKind(
  store: IntelStore,
  kind: IntelKind,
  snapshot: () => IntelLists,
  attempts: number,
  first?: PublishedIntelLists,
): Promise<{ set: IntelSet; origin: IntelOrigin; fingerprint: string }> {
  let pointer = first;
  for (let attempt = 1; ; attempt += 1) {
    pointer ??= await store.current(kind);
    if (pointer.lists.length === 0) return { set: snapshot()[kind], origin: 'snapshot', fingerprint: fingerprintOf(kind, []) };
    try {
      const sets: IntelSet[] = [];
      for (const list of pointer.lists) {
        const parsed = parseFeed(await store.read(list), { minPrefixV4: 0, minPrefixV6: 0 });
        sets.push(IntelSet.build({ name: list.name, snapshotDate: list.fetchedAt.slice(0, 10) }, parsed.entries));
      }
      return { set: IntelSet.mergeAll(sets), origin: 'stored', fingerprint: fingerprintOf(kind, pointer.lists) };
    } catch (error) {
      if (attempt >= attempts) throw error;
      pointer = undefined;
    }
  }
}

/**
 * The current lists: for each kind, the stored copies merged (feeds in configured order), or
 * the snapshot when nothing is stored for it. A copy that vanishes mid-read (a refresh
 * published and cleaned up meanwhile) is retried from the new pointer. Storage errors throw;
 * {@link IntelListsCache} turns them into "keep what you have".
 */
export async function readIntelLists(store: IntelStore, options: ReadIntelListsOptions = {}): Promise<LoadedIntelLists> {
  return await readAll(store, options, undefined);
}

async function readAll(
  store: IntelStore,
  options: ReadIntelListsOptions,
  pointers: Partial<Record<IntelKind, PublishedIntelLists>> | undefined,
): Promise<LoadedIntelLists> {
  const snapshot = options.snapshot ?? loadSnapshotLists;
  const attempts = Math.max(1, options.attempts ?? 3);
  const [tor, threatIntel] = await Promise.all(INTEL_KINDS.map((kind) => readKind(store, kind, snapshot, attempts, pointers?.[kind])));
  if (tor === undefined || threatIntel === undefined) throw new Error('unreachable: two intel kinds');
  return {
    tor: tor.set,
    threatIntel: threatIntel.set,
    origin: { tor: tor.origin, threatIntel: threatIntel.origin },
    fingerprint: `${tor.fingerprint};${threatIntel.fingerprint}`,
  };
}

export interface IntelListsCacheOptions extends ReadIntelListsOptions {
  clock?: Clock;
  logger?: Logger;
  /** How often `refresh` looks at the pointer rows (two point reads) for newer lists; default 10 minutes. */
  checkEveryMs?: number;
}

export const DEFAULT_INTEL_CHECK_MS = 10 * 60 * 1000;

/**
 * The lists for the ingest path: `current()` is synchronous and cheap (pass `cache.source` to
 * the detectors), `refresh()` is called once per batch and does storage I/O only every
 * `checkEveryMs`, reloading the lists only when a refresh published new copies. Until the
 * first load, and whenever nothing is stored, the snapshot serves. Failures are logged and
 * the lists already held stay in use.
 */
export class IntelListsCache {
  private loaded: LoadedIntelLists | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<LoadedIntelLists> | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly checkEveryMs: number;

  constructor(
    private readonly store: IntelStore,
    private readonly options: IntelListsCacheOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.checkEveryMs = options.checkEveryMs ?? DEFAULT_INTEL_CHECK_MS;
  }

  /** The lists held now; the snapshot before anything was loaded. */
  current(): LoadedIntelLists {
    if (this.loaded === undefined) {
      const snapshot = (this.options.snapshot ?? loadSnapshotLists)();
      this.loaded = { ...snapshot, origin: { tor: 'snapshot', threatIntel: 'snapshot' }, fingerprint: 'tor=snapshot;threatIntel=snapshot' };
    }
    return this.loaded;
  }

  /** For detectors: `new TorExitNodeDetector(cache.source)`. */
  readonly source = (): IntelLists => this.current();

  /** Loads newer lists if the check is due (or `force`); never throws. */
  async refresh(force = false): Promise<LoadedIntelLists> {
    const now = this.clock.now().getTime();
    if (!force && now - this.checkedAt < this.checkEveryMs) return this.current();
    this.inFlight ??= this.reload(now).finally(() => {
      this.inFlight = undefined;
    });
    return await this.inFlight;
  }

  private async reload(now: number): Promise<LoadedIntelLists> {
    try {
      const pointers = {} as Record<IntelKind, PublishedIntelLists>;
      await Promise.all(
        INTEL_KINDS.map(async (kind) => {
          pointers[kind] = await this.store.current(kind);
        }),
      );
      const fingerprint = INTEL_KINDS.map((kind) => fingerprintOf(kind, pointers[kind].lists)).join(';');
      if (this.loaded === undefined || this.loaded.fingerprint !== fingerprint) {
        this.loaded = await readAll(this.store, this.options, pointers);
        this.logger.info('intel.lists.loaded', {
          fingerprint: this.loaded.fingerprint,
          tor: this.loaded.tor.size,
          threatIntel: this.loaded.threatIntel.size,
          origin: this.loaded.origin,
        });
      }
      this.checkedAt = now;
    } catch (error) {
      // Try again at the next check, not at the next batch: storage may be struggling.
      this.checkedAt = now;
      this.logger.warn('intel.lists.loadFailed', { reason: messageOf(error), keeping: this.current().fingerprint });
    }
    return this.current();
  }
}
