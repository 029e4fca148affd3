import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { EventTooLargeError, sendBodies, type BodyToSend } from '../../shared/azure/eventHubSender';
import { startFakeEventHubs, type FakeEventHubs, type StoredEvent } from '../support/fakeEventHubs';

const HUB = 'apim-logs';
const SECRET = 'c2VuZGVyLWtleS1kby1ub3QtbG9n';

describe('sendBodies (fake Event Hubs)', () => {
  let fake: FakeEventHubs;

  beforeEach(async () => {
    fake = await startFakeEventHubs({ hubName: HUB, partitionCount: 4 });
  });
  afterEach(async () => {
    await fake.stop();
  });

  function all(): StoredEvent[] {
    return ['0', '1', '2', '3'].flatMap((p) => fake.events(p));
  }

  function record(n: number, ip?: string): BodyToSend {
    return { body: JSON.stringify({ n, ip: ip ?? null }), ...(ip !== undefined ? { partitionKey: ip } : {}) };
  }

  it('groups events into one batch per partition key and keeps order per key', async () => {
    const ips = ['10.0.0.1', '10.0.0.2', '2001:db8::1'];
    const input: BodyToSend[] = [];
    for (let n = 0; n < 30; n++) input.push(record(n, n % 4 === 3 ? undefined : ips[n % 4]));
    const progress: number[] = [];
    const result = await sendBodies({ connection: { connectionString: fake.connectionString }, eventHubName: HUB }, input, (sent) =>
      progress.push(sent),
    );
    assert.deepEqual(result, { sent: 30, batches: 4 }, 'three keys and the keyless events: four batches');
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    assert.equal(progress.at(-1), 30);

    const stored = all();
    assert.equal(stored.length, 30);
    for (const ip of ips) {
      const mine = stored.filter((e) => (e.body as { ip: string | null }).ip === ip);
      assert.equal(new Set(mine.map((e) => e.partitionId)).size, 1, `${ip}: one partition`);
      assert.ok(mine.every((e) => e.partitionKey === ip));
      const ns = mine.map((e) => (e.body as { n: number }).n);
      assert.deepEqual(ns, input.filter((i) => i.partitionKey === ip).map((i) => (JSON.parse(i.body) as { n: number }).n));
    }
    // Bodies are the text's bytes (like APIM's JSON), not a JSON-encoded string.
    const first = stored.find((e) => (e.body as { n: number }).n === 0);
    assert.deepEqual(first?.bytes?.toString('utf8'), input[0]?.body);
    assert.ok(stored.filter((e) => (e.body as { ip: string | null }).ip === null).every((e) => e.partitionKey === undefined));
  });

  it('splits a key that overflows one batch, and bounds the open batches', async () => {
    const big = 'x'.repeat(300_000);
    async function* input(): AsyncGenerator<BodyToSend> {
      for (let n = 0; n < 5; n++) yield { body: JSON.stringify({ n, big }), partitionKey: 'same' };
      for (let n = 5; n < 11; n++) yield record(n, `ip-${n % 3}`);
    }
    const result = await sendBodies(
      { connection: { connectionString: fake.connectionString }, eventHubName: HUB, maxOpenBatches: 1 },
      input(),
    );
    assert.equal(result.sent, 11);
    // 5 x 300 kB in 1 MiB batches: two batches; then one open batch at a time over alternating keys: six.
    assert.equal(result.batches, 2 + 6);
    const same = all().filter((e) => e.partitionKey === 'same');
    assert.deepEqual(same.map((e) => (e.body as { n: number }).n), [0, 1, 2, 3, 4]);
    assert.deepEqual(same.map((e) => e.sequenceNumber), [0, 1, 2, 3, 4]);
  });

  it('names the position of an event too large for any batch, after sending what came before', async () => {
    const input: BodyToSend[] = [record(1, 'a'), record(2, 'b'), { body: 'y'.repeat(1_100_000), partitionKey: 'a' }, record(4, 'a')];
    await assert.rejects(
      sendBodies({ connection: { connectionString: fake.connectionString }, eventHubName: HUB }, input),
      (err: unknown) => {
        assert.ok(err instanceof EventTooLargeError);
        assert.equal(err.position, 3);
        assert.equal(err.sent, 2);
        assert.equal(err.sizeInBytes, 1_100_000);
        assert.match(err.message, /Event 3 is too large/);
        return true;
      },
    );
    assert.deepEqual(all().map((e) => (e.body as { n: number }).n).sort(), [1, 2]);
  });

  it('rejects bad input and bad connections with messages that do not quote the key', async () => {
    await assert.rejects(
      sendBodies({ connection: { connectionString: fake.connectionString }, eventHubName: HUB }, [
        record(1),
        { body: 5 as unknown as string },
      ]),
      /Event 2: body must be a string \(1 earlier events were sent\)/,
    );
    const keyed = fake.connectionString.replace('SharedAccessKey=v', `SharedAccessKey=${SECRET}`);
    await assert.rejects(
      sendBodies({ connection: { connectionString: keyed }, eventHubName: 'other' }, [record(1)]),
      (err: Error) => {
        assert.match(err.message, /does not match the Event Hub name 'other'/);
        assert.ok(!err.message.includes(SECRET));
        return true;
      },
    );
    const noPath = keyed.replace(`;EntityPath=${HUB}`, '');
    await assert.rejects(
      sendBodies({ connection: { connectionString: noPath }, eventHubName: 'missing' }, [record(1)]),
      (err: Error) => {
        assert.match(err.message, /Sending to Event Hub 'missing' failed after 0 events/);
        assert.ok(!err.message.includes(SECRET));
        return true;
      },
    );
    const empty = await sendBodies({ connection: { connectionString: fake.connectionString }, eventHubName: HUB }, []);
    assert.deepEqual(empty, { sent: 0, batches: 0 });
  });
});
