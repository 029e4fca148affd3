/**
 * The real @azure/event-hubs SDK against the fake server: what the app's source and sender
 * rely on works end to end over AMQP.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  type ReceivedEventData,
  type Subscription,
} from '@azure/event-hubs';

import { startFakeEventHubs, type FakeEventHubs } from '../support/fakeEventHubs';
import { waitFor } from './eventHubTestKit';

interface Received {
  partitionId: string;
  event: ReceivedEventData;
}

describe('@azure/event-hubs against the fake server', () => {
  let fake: FakeEventHubs;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    fake = await startFakeEventHubs({ hubName: 'apim-logs', partitionCount: 3 });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await fake.stop();
  });

  function consume(options: { maxBatchSize?: number } = {}): { received: Received[]; subscription: Subscription } {
    const consumer = new EventHubConsumerClient('$Default', fake.connectionString);
    const received: Received[] = [];
    const errors: unknown[] = [];
    const subscription = consumer.subscribe(
      {
        processEvents: async (events, context) => {
          for (const event of events) received.push({ partitionId: context.partitionId, event });
        },
        processError: async (err) => {
          errors.push(err);
        },
      },
      { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1, maxBatchSize: options.maxBatchSize ?? 50 },
    );
    closers.push(async () => {
      await subscription.close();
      await consumer.close();
      assert.deepEqual(errors, [], 'the consumer saw no errors');
    });
    return { received, subscription };
  }

  it('delivers what a producer sends with partition keys, in order per partition, with sequence numbers', async () => {
    const producer = new EventHubProducerClient(fake.connectionString);
    closers.push(() => producer.close());
    const keys = ['10.0.0.1', '10.0.0.2', '2001:db8::7', '10.0.0.3'];
    const sentByKey = new Map<string, number[]>();
    let n = 0;
    for (let round = 0; round < 3; round++) {
      for (const key of keys) {
        const batch = await producer.createBatch({ partitionKey: key });
        for (let i = 0; i < 5; i++) {
          assert.ok(batch.tryAdd({ body: { n, key } }));
          sentByKey.set(key, [...(sentByKey.get(key) ?? []), n]);
          n++;
        }
        await producer.sendBatch(batch);
      }
    }
    // Explicit partition, and round robin without a key.
    await producer.sendBatch([{ body: { n: n++, direct: true } }], { partitionId: '2' });
    for (let i = 0; i < 3; i++) await producer.sendBatch([{ body: { n: n++, roundRobin: true } }]);
    const total = n;

    const { received } = consume({ maxBatchSize: 7 });
    await waitFor(`${total} events`, () => received.length >= total);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(received.length, total, 'nothing delivered twice');

    const partitionOfKey = new Map<string, string>();
    const byPartition = new Map<string, ReceivedEventData[]>();
    for (const { partitionId, event } of received) {
      byPartition.set(partitionId, [...(byPartition.get(partitionId) ?? []), event]);
      const body = event.body as { n: number; key?: string; direct?: boolean };
      if (body.key !== undefined) {
        assert.equal(event.partitionKey, body.key);
        const seen = partitionOfKey.get(body.key);
        assert.ok(seen === undefined || seen === partitionId, `key ${body.key} stays in one partition`);
        partitionOfKey.set(body.key, partitionId);
      } else {
        assert.equal(event.partitionKey, undefined);
      }
      if (body.direct) assert.equal(partitionId, '2');
    }
    for (const [partitionId, events] of byPartition) {
      assert.deepEqual(
        events.map((e) => e.sequenceNumber),
        events.map((_, i) => i),
        `partition ${partitionId}: contiguous sequence numbers from 0, in order`,
      );
      const offsets = events.map((e) => BigInt(e.offset));
      for (let i = 1; i < offsets.length; i++) assert.ok((offsets[i] as bigint) > (offsets[i - 1] as bigint), 'offsets grow');
      for (const e of events) assert.ok(e.enqueuedTimeUtc instanceof Date && !Number.isNaN(e.enqueuedTimeUtc.getTime()));
      // Per key, events arrive in the order they were sent.
      const perKey = new Map<string, number[]>();
      for (const e of events) {
        const body = e.body as { n: number; key?: string };
        if (body.key !== undefined) perKey.set(body.key, [...(perKey.get(body.key) ?? []), body.n]);
      }
      for (const [key, ns] of perKey) assert.deepEqual(ns, sentByKey.get(key));
      // What the consumer got is what the server holds.
      assert.deepEqual(
        fake.events(partitionId).map((s) => [s.sequenceNumber, s.offset, s.partitionKey, s.body]),
        events.map((e) => [e.sequenceNumber, e.offset, e.partitionKey, e.body]),
      );
    }
    // Round robin spread the three keyless events over the three partitions.
    const roundRobinPartitions = received.filter((r) => (r.event.body as { roundRobin?: boolean }).roundRobin).map((r) => r.partitionId);
    assert.equal(new Set(roundRobinPartitions).size, 3);
  });

  it('pushes events to a receiver that is already waiting, as credit allows', async () => {
    const { received } = consume({ maxBatchSize: 3 });
    await waitFor('receivers on every partition', () => fake.receiverCount() === 3);
    fake.send('1', Array.from({ length: 40 }, (_, i) => ({ i })), 'k');
    await waitFor('40 pushed events', () => received.length >= 40);
    assert.deepEqual(
      received.map((r) => [r.partitionId, (r.event.body as { i: number }).i, r.event.sequenceNumber, r.event.partitionKey]),
      Array.from({ length: 40 }, (_, i) => ['1', i, i, 'k']),
    );
  });

  it('answers hub and partition properties', async () => {
    const producer = new EventHubProducerClient(fake.connectionString);
    closers.push(() => producer.close());
    const hub = await producer.getEventHubProperties();
    assert.equal(hub.name, 'apim-logs');
    assert.deepEqual(hub.partitionIds, ['0', '1', '2']);
    assert.ok(hub.createdOn instanceof Date);
    const empty = await producer.getPartitionProperties('1');
    assert.equal(empty.isEmpty, true);
    assert.equal(empty.lastEnqueuedSequenceNumber, -1);
    await producer.sendBatch([{ body: 'a' }, { body: 'b' }], { partitionId: '1' });
    const props = await producer.getPartitionProperties('1');
    assert.equal(props.isEmpty, false);
    assert.equal(props.partitionId, '1');
    assert.equal(props.beginningSequenceNumber, 0);
    assert.equal(props.lastEnqueuedSequenceNumber, 1);
    assert.equal(props.lastEnqueuedOffset, fake.events('1')[1]?.offset);
    assert.equal(props.lastEnqueuedOnUtc.getTime(), fake.events('1')[1]?.enqueuedTimeUtc.getTime());
    await assert.rejects(producer.getPartitionProperties('9'));
  });
});
