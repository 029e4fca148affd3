import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
  type EventPosition,
} from '@azure/event-hubs';

import { parseSelector, startFakeEventHubs, type FakeEventHubs } from './fakeEventHubs';

async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('parseSelector', () => {
  it('reads the forms the SDK sends', () => {
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-offset > '-1'"), { kind: 'offset', inclusive: false, value: '-1' });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-offset > '@latest'"), { kind: 'offset', inclusive: false, value: '@latest' });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-offset >= '1024'"), { kind: 'offset', inclusive: true, value: '1024' });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-sequence-number > '41'"), { kind: 'sequence', inclusive: false, value: '41' });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-sequence-number >= '0'"), { kind: 'sequence', inclusive: true, value: '0' });
    assert.deepEqual(parseSelector("amqp.annotation.x-opt-enqueued-time > '1700000000000'"), {
      kind: 'time',
      inclusive: false,
      value: '1700000000000',
    });
    assert.throws(() => parseSelector("amqp.annotation.x-opt-offset < '5'"), /Unsupported selector/);
    assert.throws(() => parseSelector('sys.something = 1'), /Unsupported selector/);
  });
});

describe('fake Event Hubs server', () => {
  let fake: FakeEventHubs;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    fake = await startFakeEventHubs({ hubName: 'hub', partitionCount: 2, consumerGroups: ['$Default', 'replay'] });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await fake.stop();
  });

  /** Reads partition 0 from a start position; returns what arrived, and errors. */
  function read(startPosition: EventPosition, consumerGroup = '$Default'): { bodies: unknown[]; errors: Error[] } {
    const consumer = new EventHubConsumerClient(consumerGroup, fake.connectionString);
    const bodies: unknown[] = [];
    const errors: Error[] = [];
    const subscription = consumer.subscribe(
      '0',
      {
        processEvents: async (events) => {
          for (const e of events) bodies.push(e.body);
        },
        processError: async (err) => {
          errors.push(err);
        },
      },
      { startPosition, maxWaitTimeInSeconds: 1 },
    );
    closers.push(async () => {
      await subscription.close();
      await consumer.close();
    });
    return { bodies, errors };
  }

  it('stores injected events with sequence numbers, offsets, keys and decoded bodies', () => {
    fake.send('0', [{ a: 1 }, 'text', Buffer.from('not json')], 'key-1');
    fake.send('0', [42]);
    const events = fake.events('0');
    assert.deepEqual(events.map((e) => e.sequenceNumber), [0, 1, 2, 3]);
    assert.deepEqual(events.map((e) => e.body), [{ a: 1 }, 'text', Buffer.from('not json'), 42]);
    assert.deepEqual(events.map((e) => e.partitionKey), ['key-1', 'key-1', 'key-1', undefined]);
    assert.equal(events[0]?.offset, '0');
    const offsets = events.map((e) => Number(e.offset));
    assert.deepEqual([...offsets].sort((a, b) => a - b), offsets);
    assert.equal(new Set(offsets).size, 4);
    assert.deepEqual(fake.events('1'), []);
    assert.throws(() => fake.events('7'), /No partition/);
    assert.throws(() => fake.send('7', [1]), /No partition/);
  });

  it('starts receivers where their filter says', async () => {
    fake.send('0', [0, 1, 2, 3, 4]);
    const events = fake.events('0');
    const third = events[2];
    assert.ok(third);
    const cases: Array<[string, EventPosition, number[]]> = [
      ['earliest', earliestEventPosition, [0, 1, 2, 3, 4]],
      ['after sequence 2', { sequenceNumber: 2 }, [3, 4]],
      ['from sequence 2', { sequenceNumber: 2, isInclusive: true }, [2, 3, 4]],
      ['after offset of #2', { offset: third.offset }, [3, 4]],
      ['from offset of #2', { offset: third.offset, isInclusive: true }, [2, 3, 4]],
      ['after enqueued time before all', { enqueuedOn: new Date(third.enqueuedTimeUtc.getTime() - 60_000) }, [0, 1, 2, 3, 4]],
    ];
    const readers = cases.map(([name, position, expected]) => ({ name, expected, reader: read(position) }));
    for (const { name, expected, reader } of readers) {
      await waitFor(name, () => reader.bodies.length >= expected.length);
    }
    const latest = read(latestEventPosition, 'replay');
    await waitFor('the latest reader', () => fake.receiverCount({ partitionId: '0', consumerGroup: 'replay' }) === 1);
    assert.equal(fake.receiverCount({ partitionId: '0', consumerGroup: '$default' }), readers.length);
    assert.equal(fake.receiverCount({ partitionId: '1' }), 0);
    fake.send('0', [5]);
    await waitFor('latest', () => latest.bodies.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    for (const { name, expected, reader } of readers) {
      assert.deepEqual(reader.bodies, [...expected, 5], name);
      assert.deepEqual(reader.errors, [], name);
    }
    assert.deepEqual(latest.bodies, [5]);
  });

  it('refuses unknown consumer groups, hubs and partitions', async () => {
    const unknownGroup = read(earliestEventPosition, 'nope');
    await waitFor('an error for the unknown consumer group', () => unknownGroup.errors.length > 0);
    assert.match(String(unknownGroup.errors[0]?.message), /consumer group 'nope'/);

    const wrongHub = new EventHubProducerClient(fake.connectionString.replace('EntityPath=hub', 'EntityPath=other'), {
      retryOptions: { maxRetries: 0 },
    });
    closers.push(() => wrongHub.close());
    await assert.rejects(wrongHub.getEventHubProperties(), /could not be found/);
    await assert.rejects(wrongHub.sendBatch([{ body: 1 }]), /could not be found/);

    const producer = new EventHubProducerClient(fake.connectionString, { retryOptions: { maxRetries: 0 } });
    closers.push(() => producer.close());
    await assert.rejects(producer.sendBatch([{ body: 1 }], { partitionId: '5' }), /partition '5'/);
    await assert.rejects(producer.sendBatch([{ body: Buffer.alloc(1_100_000) }], { partitionId: '0' }));
    assert.deepEqual([...fake.events('0'), ...fake.events('1')], []);
  });

  it('stops even while clients are still connected', async () => {
    const producer = new EventHubProducerClient(fake.connectionString, { retryOptions: { maxRetries: 0 } });
    await producer.sendBatch([{ body: 'x' }], { partitionId: '1' });
    const started = Date.now();
    await fake.stop();
    assert.ok(Date.now() - started < 2_000);
    await producer.close();
    fake = await startFakeEventHubs({ hubName: 'hub', partitionCount: 1 }); // for afterEach
  });
});
