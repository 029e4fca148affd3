import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { createAlertExporter } from '../../shared/azure/alertExporter';
import type { AlertExportEvent } from '../../shared/ports';
import { startFakeEventHubs, type FakeEventHubs, type StoredEvent } from '../support/fakeEventHubs';

const HUB = 'alert-export';
const SECRET = 'ZXhwb3J0LWtleS1kby1ub3QtbG9n';

function event(alertId: string, partitionKey: string, size = 100): AlertExportEvent {
  return { alertId, partitionKey, body: JSON.stringify({ SystemAlertId: alertId, pad: 'p'.repeat(size) }) };
}

describe('the alert exporter (real @azure/event-hubs against the fake hub)', () => {
  let fake: FakeEventHubs;
  beforeEach(async () => {
    fake = await startFakeEventHubs({ hubName: HUB, partitionCount: 2 });
  });
  afterEach(() => fake.stop());

  const all = (): StoredEvent[] => ['0', '1'].flatMap((p) => fake.events(p));
  const exporter = (connectionString = fake.connectionString) =>
    createAlertExporter({ connection: { connectionString }, eventHubName: HUB, retryOptions: { maxRetries: 0 } });

  it('sends one JSON event per alert, batched per partition key, in order per key', async () => {
    const input = [event('a1', 'k-a'), event('b1', 'k-b'), event('a2', 'k-a'), event('a3', 'k-a')];
    const result = await exporter().send(input);
    assert.deepEqual(result, { sent: ['a1', 'a2', 'a3', 'b1'], tooLarge: [], failed: [], batches: 2 });
    const stored = all();
    const keyA = stored.filter((e) => e.partitionKey === 'k-a');
    assert.deepEqual(keyA.map((e) => (e.body as { SystemAlertId: string }).SystemAlertId), ['a1', 'a2', 'a3']);
    assert.equal(new Set(keyA.map((e) => e.partitionId)).size, 1);
    assert.equal(keyA[0]?.bytes?.toString('utf8'), input[0]?.body, 'the body is the JSON text as UTF-8');
  });

  it('splits a key over batches at the size limit and sets aside an alert too large for any', async () => {
    const input = [event('big1', 'k', 400_000), event('big2', 'k', 400_000), event('huge', 'k', 1_100_000), event('big3', 'k', 400_000)];
    const result = await exporter().send(input);
    assert.deepEqual(result.sent, ['big1', 'big2', 'big3']);
    assert.deepEqual(result.tooLarge, ['huge']);
    assert.equal(result.batches, 2);
    assert.deepEqual(all().map((e) => (e.body as { SystemAlertId: string }).SystemAlertId), ['big1', 'big2', 'big3']);
  });

  it('stops at a failed batch: earlier keys are sent, the failed key is reported, later keys are not attempted', async () => {
    const input = [event('a1', 'k-a'), event('b1', 'k-b'), event('b2', 'k-b'), event('c1', 'k-c')];
    // The first batch goes through; the second is refused as if the service were busy.
    fake.failNextSends(1, 1);
    const result = await exporter().send(input);
    assert.deepEqual(result.sent, ['a1']);
    assert.deepEqual(result.failed, ['b1', 'b2']);
    assert.equal(result.batches, 1);
    assert.match(result.error ?? '', /Sending to Event Hub 'alert-export' failed/);
    assert.deepEqual(all().map((e) => (e.body as { SystemAlertId: string }).SystemAlertId), ['a1'], 'c1 was not attempted');
  });

  it('reports a connection to another hub as a failure that does not quote the key', async () => {
    const keyed = fake.connectionString.replace('SharedAccessKey=v', `SharedAccessKey=${SECRET}`).replace(`EntityPath=${HUB}`, 'EntityPath=apim-logs');
    const result = await exporter(keyed).send([event('a1', 'k')]);
    assert.deepEqual(result.failed, ['a1']);
    assert.match(result.error ?? '', /does not match the Event Hub name 'alert-export'/);
    assert.ok(!(result.error ?? '').includes(SECRET));
  });
});
