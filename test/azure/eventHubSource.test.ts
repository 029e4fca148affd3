import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { TableClient } from '@azure/data-tables';

import {
  describeError,
  redact,
  startEventHubSource,
  type EventHubBatch,
  type EventHubSource,
  type EventHubSourceOptions,
} from '../../shared/azure/eventHubSource';
import { openTableCheckpointStore, type TableCheckpointStore } from '../../shared/storage/eventHubCheckpointStore';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { startFakeEventHubs, type FakeEventHubs } from '../support/fakeEventHubs';
import { captureLogger, sleep, waitFor } from './eventHubTestKit';

const HUB = 'apim-logs';
const SECRET = 'c2VjcmV0LWtleS1kby1ub3QtbG9n';

describe('startEventHubSource (fake Event Hubs + Table checkpoints on Azurite)', () => {
  let azurite: RunningAzurite;
  let fake: FakeEventHubs;
  let store: TableCheckpointStore;
  let connectionString: string;
  const open: EventHubSource[] = [];

  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });
  beforeEach(async () => {
    fake = await startFakeEventHubs({ hubName: HUB, partitionCount: 2 });
    // The fake accepts any key; use one we can look for in logs.
    connectionString = fake.connectionString.replace('SharedAccessKey=v', `SharedAccessKey=${SECRET}`);
    const table = TableClient.fromConnectionString(azurite.connectionString, `${azurite.uniquePrefix()}ehckpt`, {
      allowInsecureConnection: true,
    });
    store = await openTableCheckpointStore(table);
  });
  afterEach(async () => {
    for (const source of open.splice(0)) await source.close();
    await fake.stop();
  });

  function options(extra: Partial<EventHubSourceOptions> = {}): EventHubSourceOptions {
    return {
      connection: { connectionString },
      eventHubName: HUB,
      consumerGroup: '$Default',
      checkpointStore: store,
      maxBatchSize: 4,
      maxWaitTimeInSeconds: 1,
      ...extra,
    };
  }

  async function start(
    onBatch: (batch: EventHubBatch) => Promise<void>,
    extra: Partial<EventHubSourceOptions> = {},
  ): Promise<EventHubSource> {
    const source = await startEventHubSource(options(extra), onBatch);
    open.push(source);
    return source;
  }

  async function stop(source: EventHubSource): Promise<void> {
    open.splice(open.indexOf(source), 1);
    await source.close();
  }

  async function checkpoints(): Promise<Record<string, number>> {
    const list = await store.listCheckpoints('127.0.0.1', HUB, '$Default');
    return Object.fromEntries(list.map((c) => [c.partitionId, c.sequenceNumber]));
  }

  /** Bodies of everything handed to onBatch, per partition. */
  function collector(): { batches: EventHubBatch[]; onBatch: (batch: EventHubBatch) => Promise<void>; count(): number } {
    const batches: EventHubBatch[] = [];
    return {
      batches,
      onBatch: async (batch) => {
        batches.push(batch);
      },
      count: () => batches.reduce((n, b) => n + b.messages.length, 0),
    };
  }

  it('hands over non-empty batches per partition and checkpoints each one', async () => {
    fake.send('0', [1, 2, 3, 4, 5, 6].map((i) => ({ i })), 'ip-a');
    fake.send('1', [7, 8, 9].map((i) => ({ i })));
    const seen = collector();
    await start(seen.onBatch);
    await waitFor('9 events', () => seen.count() >= 9);
    await sleep(1_500); // more than maxWaitTimeInSeconds: empty polls must not reach onBatch
    assert.equal(seen.count(), 9);
    for (const batch of seen.batches) {
      assert.ok(batch.messages.length > 0 && batch.messages.length <= 4, 'non-empty, at most maxBatchSize');
    }
    const p0 = seen.batches.filter((b) => b.partitionId === '0').flatMap((b) => b.messages);
    assert.deepEqual(p0.map((m) => m.body), [1, 2, 3, 4, 5, 6].map((i) => ({ i })));
    assert.deepEqual(p0.map((m) => m.sequenceNumber), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(p0.map((m) => m.partitionKey), Array(6).fill('ip-a'));
    assert.deepEqual(p0.map((m) => m.offset), fake.events('0').map((e) => e.offset));
    assert.ok(p0.every((m) => m.enqueuedTimeUtc instanceof Date));
    const p1 = seen.batches.filter((b) => b.partitionId === '1').flatMap((b) => b.messages);
    assert.deepEqual(p1.map((m) => m.body), [7, 8, 9].map((i) => ({ i })));
    assert.ok(p1.every((m) => !('partitionKey' in m)));
    assert.deepEqual(await checkpoints(), { '0': 5, '1': 2 });
  });

  it('resumes from the checkpoint after close and restart, processing nothing twice', async () => {
    fake.send('0', [1, 2, 3].map((i) => ({ i })));
    fake.send('1', [4, 5].map((i) => ({ i })));
    const first = collector();
    const source = await start(first.onBatch);
    await waitFor('first 5 events', () => first.count() >= 5);
    await stop(source);
    assert.deepEqual(await checkpoints(), { '0': 2, '1': 1 });
    // Ownership was released on close, so a restart claims the partitions at once.
    const owners = await store.listOwnership('127.0.0.1', HUB, '$Default');
    assert.deepEqual(owners.map((o) => o.ownerId), ['', '']);

    fake.send('0', [6, 7].map((i) => ({ i })));
    fake.send('1', [8].map((i) => ({ i })));
    const second = collector();
    await start(second.onBatch);
    await waitFor('3 new events', () => second.count() >= 3);
    await sleep(1_200);
    const all = [...first.batches, ...second.batches].flatMap((b) => b.messages.map((m) => (m.body as { i: number }).i));
    assert.deepEqual([...all].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8], 'every event exactly once');
    assert.deepEqual(
      second.batches.flatMap((b) => b.messages.map((m) => (m.body as { i: number }).i)).sort((a, b) => a - b),
      [6, 7, 8],
    );
    assert.deepEqual(await checkpoints(), { '0': 4, '1': 2 });
  });

  it('receives a batch again after restart when onBatch threw, and logs without the key', async () => {
    // The failing event comes first, so whichever way the SDK splits the batches, nothing on
    // partition 0 may be checkpointed.
    fake.send('0', [{ i: 1, poison: true }, { i: 2 }]);
    fake.send('1', [{ i: 3 }]);
    const logger = captureLogger();
    const handled: EventHubBatch[] = [];
    const source = await start(
      async (batch) => {
        handled.push(batch);
        if (batch.messages.some((m) => (m.body as { poison?: boolean }).poison)) {
          // An error that happens to quote the connection string must not leak it.
          throw new Error(`table write failed (${connectionString})`);
        }
      },
      { logger },
    );
    const handledIds = (): number[] => handled.flatMap((b) => b.messages.map((m) => (m.body as { i: number }).i));
    await waitFor('all three events', () => [1, 2, 3].every((i) => handledIds().includes(i)));
    // A later batch on the failed partition is processed, but the checkpoint stays put.
    fake.send('0', [{ i: 4 }]);
    await waitFor('the later batch', () => handledIds().includes(4));
    await stop(source);

    const failure = logger.lines.find((l) => l.event === 'eventhub.batch.failed');
    assert.ok(failure, 'the failure is logged');
    assert.equal(failure.level, 'error');
    assert.equal(failure.fields['partitionId'], '0');
    assert.match(String(failure.fields['error']), /table write failed/);
    assert.ok(logger.lines.some((l) => l.event === 'eventhub.checkpoint.held' && l.fields['partitionId'] === '0'));
    assert.ok(!JSON.stringify(logger.lines).includes(SECRET), 'the key never reaches the logs');
    assert.deepEqual(await checkpoints(), { '1': 0 }, 'partition 0 has no checkpoint past the failed batch');

    const again = collector();
    await start(again.onBatch);
    await waitFor('the failed batch again', () => again.count() >= 3);
    await sleep(1_200);
    assert.deepEqual(
      again.batches.flatMap((b) => b.messages.map((m) => [b.partitionId, (m.body as { i: number }).i])),
      [
        ['0', 1],
        ['0', 2],
        ['0', 4],
      ],
      'partition 0 from the start (at least once), partition 1 not again',
    );
    assert.deepEqual(await checkpoints(), { '0': 2, '1': 0 });
  });

  it('close waits for a batch being processed, and checkpoints it', async () => {
    fake.send('0', [{ i: 1 }]);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let finished = false;
    const source = await start(async () => {
      started = true;
      await gate;
      finished = true;
    });
    await waitFor('onBatch to start', () => started);
    let closed = false;
    const closing = stop(source).then(() => (closed = true));
    await sleep(200);
    assert.equal(closed, false, 'close waits for onBatch');
    release();
    await closing;
    assert.equal(finished, true);
    assert.deepEqual(await checkpoints(), { '0': 0 });
  });

  it('starts at the end of partitions without a checkpoint when asked for latest', async () => {
    fake.send('0', [{ old: true }]);
    const seen = collector();
    await start(seen.onBatch, { startPosition: 'latest' });
    await waitFor('the receiver on partition 0', () => fake.receiverCount({ partitionId: '0' }) === 1);
    fake.send('0', [{ fresh: true }]);
    await waitFor('the new event', () => seen.count() >= 1);
    await sleep(300);
    assert.deepEqual(seen.batches.flatMap((b) => b.messages.map((m) => m.body)), [{ fresh: true }]);
  });

  it('fails to start with a clear error that does not quote the key', async () => {
    await assert.rejects(
      startEventHubSource(options({ eventHubName: 'other-hub' }), async () => {}),
      (err: Error) => {
        assert.match(err.message, /EntityPath 'apim-logs' does not match the Event Hub name 'other-hub'/);
        assert.ok(!err.message.includes(SECRET));
        return true;
      },
    );
    const withoutPath = connectionString.replace(`;EntityPath=${HUB}`, '');
    await assert.rejects(
      startEventHubSource(
        { ...options({ eventHubName: 'missing' }), connection: { connectionString: withoutPath } },
        async () => {},
      ),
      (err: Error) => {
        assert.match(err.message, /Cannot read Event Hub 'missing'/);
        assert.ok(!err.message.includes(SECRET));
        return true;
      },
    );
  });
});

describe('redaction', () => {
  it('masks keys, signatures and given secrets', () => {
    const cs = 'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=abc+/=;EntityPath=h';
    assert.equal(redact(`bad: ${cs}`, [cs]), 'bad: ***');
    assert.match(redact(`bad: ${cs}`), /SharedAccessKey=\*\*\*;EntityPath=h/);
    assert.doesNotMatch(
      redact('SharedAccessSignature=SharedAccessSignature sr=x&sig=abcdef&se=1&skn=k'),
      /abcdef/,
    );
    assert.equal(describeError(new TypeError('nope')), 'TypeError: nope');
    assert.equal(describeError('plain'), 'plain');
  });
});
