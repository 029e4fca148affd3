import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { parseFeed } from '../../shared/core/intel';
import { createFeedFetcher } from '../../shared/http/feedClient';
import { loadSnapshotLists } from '../../shared/intel/snapshot';
import type { IntelStore, Logger } from '../../shared/ports';
import {
  defaultFeedName,
  feedId,
  IntelListsCache,
  readIntelLists,
  refreshIntel,
  type RefreshIntelOptions,
} from '../../shared/services/refreshIntel';
import { TableIntelStore } from '../../shared/storage/intelStore';
import { TableFactory } from '../../shared/storage/tables';
import { IPSUM_FULL, TOR_2024, TOR_2026, dataText } from '../core/intel/support';
import { startFeedServer, type FeedServer } from '../http/feedServer';
import { startAzurite, type RunningAzurite } from '../support/azurite';

/** An intel store whose every read and write fails, as an unreachable account would. */
function unreachableStore(message: string): IntelStore {
  const fail = async (): Promise<never> => {
    throw new Error(message);
  };
  return { current: fail, read: fail, write: fail, publish: fail };
}

const torText = dataText(TOR_2026);
const torCount = parseFeed(torText).entries.length;
/** IPsum's full list, served gzipped as the real feed is mirrored. */
const ipsumText = dataText(IPSUM_FULL);
const ipsumCount = parseFeed(ipsumText).entries.length;

function recordingLogger(): Logger & { events: Array<{ level: string; event: string; fields?: Record<string, unknown> }> } {
  const events: Array<{ level: string; event: string; fields?: Record<string, unknown> }> = [];
  return {
    events,
    info: (event, fields) => events.push({ level: 'info', event, fields }),
    warn: (event, fields) => events.push({ level: 'warn', event, fields }),
    error: (event, fields) => events.push({ level: 'error', event, fields }),
  };
}

describe('refreshIntel (local HTTP feeds, Azurite)', () => {
  let azurite: RunningAzurite;
  let server: FeedServer;
  before(async () => {
    [azurite, server] = await Promise.all([startAzurite(), startFeedServer()]);
  });
  after(async () => {
    await Promise.all([azurite.stop(), server.stop()]);
  });

  let counter = 0;
  /** A fresh store (own table prefix), feed paths of its own, and a clock that moves a day per run. */
  function fresh() {
    const prefix = azurite.uniquePrefix();
    const clock = { t: Date.parse('2026-08-23T03:00:00Z'), now: () => new Date(clock.t) };
    const tables = new TableFactory({ kind: 'connectionString', connectionString: azurite.connectionString }, prefix, { maxAttempts: 2, retryDelayMs: 5 });
    const store = new TableIntelStore(tables, { clock });
    const logger = recordingLogger();
    const id = (counter += 1);
    const paths = { tor: `/t${id}/torbulkexitlist`, ipsum: `/t${id}/ipsum.txt.gz` };
    server.set(paths.tor, { body: torText });
    server.set(paths.ipsum, { body: gzipSync(ipsumText), headers: { 'content-type': 'application/octet-stream' } });
    const options: RefreshIntelOptions = { feeds: { tor: [server.url(paths.tor)], threatIntel: [{ url: server.url(paths.ipsum), name: 'ipsum' }] } };
    const run = (overrides: Partial<RefreshIntelOptions> = {}) => {
      clock.t += 24 * 60 * 60 * 1000;
      return refreshIntel({ store, fetchFeed: createFeedFetcher({ timeoutMs: 5000 }), clock, logger }, { ...options, ...overrides });
    };
    return { store, clock, logger, paths, options, run };
  }

  test('first run stores both feeds; readers then use them instead of the snapshot', async () => {
    const { store, run } = fresh();
    const before = await readIntelLists(store);
    assert.deepEqual(before.origin, { tor: 'snapshot', threatIntel: 'snapshot' });

    const summary = await run();
    assert.equal(summary.ok, true);
    assert.deepEqual(
      summary.feeds.map((f) => [f.kind, f.name, f.status, f.entries, f.downloaded, f.rejectedLines]),
      [
        ['tor', defaultFeedName(summary.feeds[0]?.url as string), 'ok', torCount, torCount, 0],
        ['threatIntel', 'ipsum', 'ok', ipsumCount, ipsumCount, 0],
      ],
    );
    assert.deepEqual(summary.kinds.tor, { feeds: 1, entries: torCount, readersUse: 'stored' });

    const lists = await readIntelLists(store);
    assert.deepEqual(lists.origin, { tor: 'stored', threatIntel: 'stored' });
    assert.equal(lists.tor.size, torCount);
    assert.equal(lists.threatIntel.size, ipsumCount);
    const match = lists.threatIntel.lookup('77.90.185.20');
    assert.deepEqual(match, { feed: 'ipsum', snapshotDate: '2026-08-24', listedAs: '77.90.185.20', confidence: 10 });
  });

  test('a failing (500), garbage or shrunken download keeps the last good copy', async () => {
    const { store, paths, run } = fresh();
    assert.equal((await run()).ok, true);
    const good = await readIntelLists(store);

    server.set(paths.tor, { status: 500, body: 'Internal error' });
    server.set(paths.ipsum, { body: '<!DOCTYPE html>\n<html><body>\n<h1>Rate limited</h1>\n</body></html>\n' });
    const failed = await run();
    assert.equal(failed.ok, false);
    const [tor, ipsum] = failed.feeds;
    assert.equal(tor?.status, 'kept-previous');
    assert.match(tor?.reason ?? '', /HTTP 500 Internal Server Error/);
    assert.equal(tor?.entries, torCount);
    assert.equal(tor?.previous, torCount);
    assert.equal(ipsum?.status, 'kept-previous');
    assert.match(ipsum?.reason ?? '', /no IP or CIDR entries in the download \(4 invalid lines; line 1: not an IP address: "<!DOCTYPE html>"\)/);

    // Mostly garbage with a few addresses: still garbage.
    server.set(paths.ipsum, { body: `203.0.113.7\n${'<td>row</td>\n'.repeat(30)}` });
    const shrunkTor = torText.split('\n').slice(0, 500).join('\n');
    server.set(paths.tor, { body: shrunkTor });
    const refused = await run();
    assert.equal(refused.feeds[0]?.status, 'kept-previous');
    assert.match(refused.feeds[0]?.reason ?? '', /shrank implausibly: 500 entries against 2277 stored \(below 50 %\)/);
    assert.equal(refused.feeds[0]?.downloaded, 500);
    assert.equal(refused.feeds[1]?.status, 'kept-previous');
    assert.match(refused.feeds[1]?.reason ?? '', /^garbage: 30 of 31 lines are not IPs or CIDRs/);

    const after = await readIntelLists(store);
    assert.equal(after.fingerprint, good.fingerprint);
    assert.equal(after.tor.size, torCount);
    assert.equal(after.threatIntel.size, ipsumCount);
    const pointer = await store.current('tor');
    assert.match(pointer.lists[0]?.lastError ?? '', /shrank implausibly/);

    // The shrink guard is a parameter: at 0.2, 500 of 2277 (22 %) is accepted.
    const lenient = await run({ minRetainedRatio: 0.2 });
    assert.equal(lenient.feeds[0]?.status, 'ok');
    assert.equal((await readIntelLists(store)).tor.size, 500);
  });

  test('an unchanged download keeps its stored copy; a new list replaces it and the old one stays as previous', async () => {
    const { store, paths, run } = fresh();
    const first = await run();
    const again = await run();
    assert.equal(again.feeds[0]?.status, 'ok');
    assert.equal(again.feeds[0]?.unchanged, true);
    assert.equal(again.feeds[0]?.version, first.feeds[0]?.version);

    server.set(paths.tor, { body: dataText(TOR_2024) });
    const changed = await run();
    assert.equal(changed.feeds[0]?.status, 'ok');
    assert.notEqual(changed.feeds[0]?.version, first.feeds[0]?.version);
    const pointer = (await store.current('tor')).lists[0];
    assert.equal(pointer?.previousVersion, first.feeds[0]?.version);
    const lists = await readIntelLists(store);
    assert.equal(lists.tor.size, parseFeed(dataText(TOR_2024)).entries.length);
  });

  test('a new feed that fails has nothing to keep: failed, and readers stay on the snapshot for its kind', async () => {
    const { store, run } = fresh();
    server.set('/never', { status: 503 });
    const summary = await run({ feeds: { tor: [server.url('/never')], threatIntel: [] } });
    assert.deepEqual(
      summary.feeds.map((f) => [f.status, f.entries]),
      [['failed', 0]],
    );
    assert.equal(summary.kinds.tor.readersUse, 'snapshot');
    const lists = await readIntelLists(store);
    assert.deepEqual(lists.origin, { tor: 'snapshot', threatIntel: 'snapshot' });
    assert.equal(lists.tor, loadSnapshotLists().tor);
  });

  test('feeds of a kind are merged; removing a URL unpublishes its list; removing all returns to the snapshot', async () => {
    const { store, paths, run } = fresh();
    server.set('/extra-tor', { body: '# extra\n192.0.2.0/24\n' });
    const both = await run({ feeds: { tor: [server.url(paths.tor), server.url('/extra-tor')], threatIntel: [] } });
    assert.equal(both.kinds.tor.feeds, 2);
    let lists = await readIntelLists(store);
    assert.equal(lists.tor.size, torCount + 1);
    assert.equal(lists.tor.lookup('192.0.2.77')?.listedAs, '192.0.2.0/24');
    assert.equal(lists.origin.threatIntel, 'snapshot');

    await run({ feeds: { tor: [server.url(paths.tor)], threatIntel: [] } });
    lists = await readIntelLists(store);
    assert.equal(lists.tor.lookup('192.0.2.77'), undefined);

    await run({ feeds: { tor: [], threatIntel: [] } });
    lists = await readIntelLists(store);
    assert.deepEqual(lists.origin, { tor: 'snapshot', threatIntel: 'snapshot' });
  });

  test('a concurrent refresh makes the slower one report a publish conflict and change nothing', async () => {
    const { store, paths, options, clock, logger } = fresh();
    // The racing refresh publishes between this run's read of the pointer and its publish.
    let raced = false;
    const racing: IntelStore = {
      current: (kind) => store.current(kind),
      read: (version) => store.read(version),
      write: async (list) => {
        if (!raced && list.kind === 'tor') {
          raced = true;
          await store.publish('tor', [await store.write({ ...list, text: '203.0.113.1\n', entries: 1 })], undefined);
        }
        return await store.write(list);
      },
      publish: (kind, lists, etag) => store.publish(kind, lists, etag),
    };
    const summary = await refreshIntel({ store: racing, fetchFeed: createFeedFetcher(), clock, logger }, options);
    assert.equal(summary.ok, false);
    assert.match(summary.kinds.tor.publishError ?? '', /changed by another refresh/);
    assert.equal(summary.feeds[0]?.status, 'failed');
    assert.equal(summary.kinds.threatIntel.publishError, undefined);
    assert.equal((await readIntelLists(store)).tor.size, 1);
    assert.ok(logger.events.some((e) => e.event === 'intel.refresh.publishFailed'));
    assert.equal(server.hits(paths.tor), 1);
  });

  test('storage failures are reported per kind, never thrown', async () => {
    const { logger } = fresh();
    const broken = unreachableStore('storage unreachable');
    const summary = await refreshIntel({ store: broken, fetchFeed: createFeedFetcher(), logger }, { feeds: { tor: ['https://example.invalid/tor'], threatIntel: [] } });
    assert.equal(summary.ok, false);
    assert.match(summary.kinds.tor.publishError ?? '', /could not read the stored tor lists: storage unreachable/);
    assert.equal(summary.feeds[0]?.status, 'failed');
  });

  test('feed ids and names', () => {
    assert.match(feedId('tor', 'https://check.torproject.org/torbulkexitlist'), /^[0-9a-f]{16}$/);
    assert.notEqual(feedId('tor', 'https://x/y'), feedId('threatIntel', 'https://x/y'));
    assert.equal(defaultFeedName('https://user:pw@raw.githubusercontent.com/stamparm/ipsum/master/levels/3.txt?x=1'), 'raw.githubusercontent.com/stamparm/ipsum/master/levels/3.txt');
    assert.equal(defaultFeedName('https://check.torproject.org/torbulkexitlist/'), 'check.torproject.org/torbulkexitlist');
  });
});

describe('IntelListsCache', () => {
  let azurite: RunningAzurite;
  let server: FeedServer;
  before(async () => {
    [azurite, server] = await Promise.all([startAzurite(), startFeedServer()]);
  });
  after(async () => {
    await Promise.all([azurite.stop(), server.stop()]);
  });

  test('serves the snapshot first, then stored lists, checking storage only every interval', async () => {
    const clock = { t: Date.parse('2026-08-23T03:00:00Z'), now: () => new Date(clock.t) };
    const tables = new TableFactory({ kind: 'connectionString', connectionString: azurite.connectionString }, azurite.uniquePrefix(), { maxAttempts: 2, retryDelayMs: 5 });
    const real = new TableIntelStore(tables, { clock });
    let pointerReads = 0;
    const store: IntelStore = { ...real, current: (kind) => ((pointerReads += 1), real.current(kind)), read: (v) => real.read(v), write: (l) => real.write(l), publish: (k, l, e) => real.publish(k, l, e) };
    const logger = recordingLogger();
    const cache = new IntelListsCache(store, { clock, logger, checkEveryMs: 60_000 });

    assert.equal(cache.current().origin.tor, 'snapshot');
    assert.equal(cache.source().tor.size, 2277);
    await cache.refresh();
    assert.equal(pointerReads, 2);
    assert.equal(cache.current().origin.tor, 'snapshot');

    server.set('/tor', { body: '203.0.113.50\n203.0.113.51\n' });
    await refreshIntel({ store: real, fetchFeed: createFeedFetcher(), clock }, { feeds: { tor: [server.url('/tor')], threatIntel: [] } });

    await cache.refresh();
    assert.equal(pointerReads, 2, 'not due yet');
    assert.equal(cache.current().tor.size, 2277);
    clock.t += 60_000;
    const [a, b] = await Promise.all([cache.refresh(), cache.refresh()]);
    assert.equal(a, b);
    assert.equal(pointerReads, 4, 'one check for concurrent callers');
    assert.deepEqual(cache.current().origin, { tor: 'stored', threatIntel: 'snapshot' });
    assert.equal(cache.source().tor.size, 2);
    assert.ok(cache.source().tor.has('203.0.113.51'));

    // Unchanged pointers: no reload, same object.
    const held = cache.current();
    clock.t += 60_000;
    assert.equal(await cache.refresh(), held);
  });

  test('keeps what it has when storage fails, and says so', async () => {
    const clock = { t: 0, now: () => new Date(clock.t) };
    const logger = recordingLogger();
    const broken = unreachableStore('503 Server Busy');
    const cache = new IntelListsCache(broken, { clock, logger });
    const lists = await cache.refresh(true);
    assert.equal(lists.origin.tor, 'snapshot');
    assert.equal(lists.tor.size, 2277);
    assert.ok(logger.events.some((e) => e.level === 'warn' && e.event === 'intel.lists.loadFailed'));
  });
});
