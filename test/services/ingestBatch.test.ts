import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { AppDependencies } from '../../functions/deps';
import { WINDOW_MS, windowStart } from '../../shared/core/windows';
import { MAX_DELTA_KEYS, type IngestMessage } from '../../shared/services/ingestBatch';
import { purgeExpired } from '../../shared/services/purgeExpired';
import { quarantineDay } from '../../shared/storage/quarantineStore';
import { envelope, gatewayLogsRecord } from '../fixtures/records';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { freshApp as testApp } from '../support/testApp';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(async () => {
  await azurite.stop();
});

const T0 = Date.parse('2026-03-02T10:00:00Z');

const fixedNow = new Date('2026-03-02T12:00:00Z');
const freshApp = (options: { maxAttempts?: number } = {}) => testApp(azurite, { ...options, now: fixedNow });

/** A GatewayLogs request record at T0 + offset from a client to an operation. */
function request(offsetMs: number, ip: string, operationId = 'get-product', status = 200) {
  return gatewayLogsRecord({
    time: new Date(T0 + offsetMs).toISOString(),
    callerIpAddress: ip,
    properties: { operationId, apiId: 'shop', responseCode: status, url: `https://contoso.azure-api.net/shop/${operationId}?id=7` },
  });
}

/** Messages 1..n, message i holding `perMessage` records one second apart, spread over a few clients. */
function messages(from: number, to: number, perMessage = 3): IngestMessage[] {
  const list: IngestMessage[] = [];
  for (let sequenceNumber = from; sequenceNumber <= to; sequenceNumber += 1) {
    const records = Array.from({ length: perMessage }, (_, i) =>
      request((sequenceNumber * perMessage + i) * 1000, `198.51.100.${(sequenceNumber + i) % 5}`),
    );
    list.push({
      body: JSON.stringify(envelope(...records)),
      sequenceNumber,
      offset: String(sequenceNumber * 1000),
      enqueuedTimeUtc: new Date(T0 + sequenceNumber * 1000),
    });
  }
  return list;
}

async function windowTotal(deps: AppDependencies, start: number): Promise<number> {
  const aggregate = await deps.windows.readWindow(start, ['0']);
  let total = 0;
  for (const t of aggregate.traffic()) total += t.count;
  return total;
}

describe('ingestBatch against Table Storage (Azurite)', () => {
  test('good records reach the window aggregates, bad ones the quarantine, with counts per reason', async () => {
    const app = freshApp();
    const body = JSON.stringify(
      envelope(
        request(0, '198.51.100.1'),
        request(1000, '198.51.100.1'),
        request(2000, '2001:db8::7', 'list-products', 404),
        gatewayLogsRecord({ time: 'yesterday' }),
        gatewayLogsRecord({ callerIpAddress: 'not-an-ip' }),
      ),
    );
    const enqueued = new Date('2026-03-02T10:00:05Z');
    const summary = await app.ingest({
      partitionId: '0',
      messages: [
        { body, sequenceNumber: 10, offset: '100', enqueuedTimeUtc: enqueued },
        { body: '{not json', sequenceNumber: 11, offset: '200', enqueuedTimeUtc: enqueued },
      ],
    });
    assert.equal(summary.records, 6);
    assert.equal(summary.events, 3);
    assert.equal(summary.quarantined, 3);
    assert.deepEqual(summary.quarantinedByReason, { bad_time: 1, bad_ip: 1, invalid_json: 1 });

    const aggregate = await app.deps.windows.readWindow(windowStart(T0), ['0']);
    const counts = [...aggregate.traffic()].map((t) => `${t.clientIp} ${t.endpointKey} ${t.status} ${t.count}`).sort();
    assert.deepEqual(counts, [
      '198.51.100.1 contoso-apim|shop|get-product 200 2',
      '2001:db8::7 contoso-apim|shop|list-products 404 1',
    ]);

    const quarantined = await app.deps.quarantine.list(quarantineDay(enqueued), 10);
    assert.deepEqual(
      quarantined.map((q) => [q.rejection.reason, q.rejection.source.sequenceNumber, q.rejection.source.recordIndex]),
      [
        ['bad_time', 10, 3],
        ['bad_ip', 10, 4],
        ['invalid_json', 11, 0],
      ],
    );
    assert.equal(quarantined[2]?.rejection.raw, '{not json');

    const [state] = await app.deps.partitions.list();
    assert.equal(state?.lastSequenceNumber, 11);
    assert.equal(state?.events, 3);
    assert.equal(state?.quarantined, 3);
    assert.equal(state?.lastEventTime, T0 + 2000);

    const activity = await app.deps.activity.listAll();
    assert.deepEqual(
      activity.map((a) => [a.endpoint.key, a.firstSeen - T0, a.lastSeen - T0]).sort(),
      [
        ['contoso-apim|shop|get-product', 0, 1000],
        ['contoso-apim|shop|list-products', 2000, 2000],
      ],
    );
  });

  test('a redelivered batch changes nothing and writes nothing', async () => {
    const app = freshApp();
    const batch = { partitionId: '0', messages: [...messages(1, 20), { body: '[1,', sequenceNumber: 21, offset: '21000' }] };
    const first = await app.ingest(batch);
    const before = await app.snapshot();
    const writesBefore = app.counter.writes();

    const again = await app.ingest(batch);
    assert.equal(again.events, 0);
    assert.equal(again.quarantined, 0);
    assert.equal(again.replayed, first.records);
    assert.equal(app.counter.writes(), writesBefore, 'no write request on a replay');
    assert.deepEqual(await app.snapshot(), before);
  });

  test('an overlapping redelivery with other batch boundaries counts every event exactly once', async () => {
    const reference = freshApp();
    await reference.ingest({ partitionId: '0', messages: messages(1, 30) });

    const app = freshApp();
    await app.ingest({ partitionId: '0', messages: messages(1, 12) });
    await app.ingest({ partitionId: '0', messages: messages(8, 30) });
    await app.ingest({ partitionId: '0', messages: messages(25, 30) });

    const start = windowStart(T0);
    assert.equal(await windowTotal(app.deps, start), 30 * 3);
    assert.equal(await windowTotal(app.deps, start), await windowTotal(reference.deps, start));
    const [state] = await app.deps.partitions.list();
    assert.equal(state?.events, 90);
  });

  test('storage failing mid-batch makes the batch fail; redelivered after recovery, nothing is lost or doubled', async () => {
    const reference = freshApp();
    // Events spanning three windows, so the batch writes several transactions.
    const spanning = messages(1, 40, 60);
    await reference.ingest({ partitionId: '0', messages: spanning });
    const expected = await reference.snapshot();

    const app = freshApp({ maxAttempts: 2 });
    let transactions = 0;
    // The second window transaction and everything after it fail, retries included.
    app.faults.failWhen((method, url) => method === 'POST' && url.includes('$batch') && ++transactions >= 2);
    await assert.rejects(app.ingest({ partitionId: '0', messages: spanning }), /server busy/);
    assert.ok(app.faults.failures() >= 2, 'the failing request was retried before giving up');

    app.faults.heal();
    await app.ingest({ partitionId: '0', messages: spanning });
    const actual = await app.snapshot();
    for (const start of [windowStart(T0), windowStart(T0) + WINDOW_MS, windowStart(T0) + 2 * WINDOW_MS]) {
      assert.equal(await windowTotal(app.deps, start), await windowTotal(reference.deps, start), `window ${new Date(start).toISOString()}`);
    }
    assert.deepEqual(actual, expected);
  });

  test('a transient storage error is retried with backoff and the batch succeeds', async () => {
    const app = freshApp({ maxAttempts: 4 });
    let calls = 0;
    app.faults.failWhen(() => ++calls % 2 === 1);
    const summary = await app.ingest({ partitionId: '0', messages: messages(1, 5) });
    assert.equal(summary.events, 15);
    assert.ok(app.faults.failures() > 0);
    assert.equal(await windowTotal(app.deps, windowStart(T0)), 15);
  });

  test('a batch with more keys than one delta holds is cut into several deltas at message boundaries', async () => {
    const app = freshApp();
    const perMessage = 100;
    const count = Math.ceil((MAX_DELTA_KEYS * 2.5) / perMessage);
    const big: IngestMessage[] = Array.from({ length: count }, (_, m) => ({
      body: envelope(...Array.from({ length: perMessage }, (_, i) => request(m * 10 + i, `10.${m}.${i}.1`))),
      sequenceNumber: m + 1,
      offset: String(m),
    }));
    const summary = await app.ingest({ partitionId: '0', messages: big });
    assert.equal(summary.windowDeltas, 3);
    assert.equal(await windowTotal(app.deps, windowStart(T0)), count * perMessage);
  });

  test('the ingest path makes a bounded number of Table requests per batch, not one per event', async () => {
    const app = freshApp();
    await app.ingest({ partitionId: '0', messages: messages(1, 2) });
    const warm = app.counter.total();
    await app.ingest({ partitionId: '0', messages: messages(3, 200, 5) });
    const perBatch = app.counter.total() - warm;
    // One partition-state read, one watermark read and one transaction per window, one state write.
    assert.ok(perBatch <= 12, `${perBatch} requests for 990 events`);
  });
});

describe('purgeExpired', () => {
  test('deletes windows and quarantine past retention, measured from the latest event time, not the clock', async () => {
    const app = freshApp();
    const DAY = 24 * 60 * 60 * 1000;
    const at = (days: number, sequenceNumber: number, extra: unknown[] = []) => ({
      body: envelope(request(days * DAY, '198.51.100.1'), ...extra),
      sequenceNumber,
      offset: String(sequenceNumber),
      enqueuedTimeUtc: new Date(T0 + days * DAY),
    });
    const bad = gatewayLogsRecord({ time: 'never' });
    await app.ingest({ partitionId: '0', messages: [at(0, 1, [bad]), at(10, 2, [bad]), at(40, 3, [bad])] });

    const summary = await purgeExpired(app.deps, { windowDays: 35, quarantineDays: 20 });
    assert.equal(summary.eventTime, new Date(T0 + 40 * DAY).toISOString());
    assert.equal(summary.windowEntitiesDeleted, 2, 'the day-0 delta and its watermark');
    assert.equal(summary.quarantineEntitiesDeleted, 2, 'day-0 and day-10 entries');
    assert.equal(await windowTotal(app.deps, windowStart(T0)), 0);
    assert.equal(await windowTotal(app.deps, windowStart(T0 + 10 * DAY)), 1);
    assert.equal(await windowTotal(app.deps, windowStart(T0 + 40 * DAY)), 1);
    const left = await app.deps.quarantine.list(quarantineDay(new Date(T0 + 40 * DAY)), 10);
    assert.equal(left.length, 1);

    const again = await purgeExpired(app.deps, { windowDays: 35, quarantineDays: 20 });
    assert.equal(again.windowEntitiesDeleted + again.quarantineEntitiesDeleted, 0);
  });

  test('does nothing before any event was ingested', async () => {
    const app = freshApp();
    const summary = await purgeExpired(app.deps, { windowDays: 35, quarantineDays: 30 });
    assert.equal(summary.eventTime, null);
  });
});

describe('event-time sanity', () => {
  test('an event time more than an hour after the message was enqueued is quarantined as time_in_future; old times are kept', async () => {
    const app = freshApp();
    const enqueued = new Date(T0 + 10 * 60_000);
    const body = envelope(request(0, '198.51.100.1'), request(10 * 60_000 + 61 * 60_000, '198.51.100.2'), request(-40 * 86_400_000, '198.51.100.3'));
    const summary = await app.ingest({ partitionId: '0', messages: [{ body, sequenceNumber: 1, offset: '1', enqueuedTimeUtc: enqueued }] });
    assert.equal(summary.events, 2);
    assert.deepEqual(summary.quarantinedByReason, { time_in_future: 1 });
    const [entry] = await app.deps.quarantine.list(quarantineDay(enqueued), 5);
    assert.match(entry?.rejection.detail ?? '', /61 minutes after the message was enqueued/);
    assert.match(entry?.rejection.raw ?? '', /198\.51\.100\.2/);
    const [state] = await app.deps.partitions.list();
    assert.equal(state?.firstEventTime, T0 - 40 * 86_400_000);
    assert.equal(state?.lastEventTime, T0);
  });
});
