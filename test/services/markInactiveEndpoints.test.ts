import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { markInactiveEndpoints } from '../../shared/services/markInactiveEndpoints';
import { envelope, gatewayLogsRecord } from '../fixtures/records';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { freshApp } from '../support/testApp';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(async () => {
  await azurite.stop();
});

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function at(days: number, operationId: string, sequenceNumber: number) {
  return {
    body: envelope(gatewayLogsRecord({ time: new Date(T0 + days * DAY).toISOString(), properties: { operationId } })),
    sequenceNumber,
    offset: String(sequenceNumber),
  };
}

test('endpoints without traffic for 30 days of event time are marked inactive, and the mark clears when traffic returns', async () => {
  const app = freshApp(azurite);
  const stores = { activity: app.deps.activity, statuses: app.deps.endpointStatuses, partitions: app.deps.partitions };
  await app.ingest({ partitionId: '0', messages: [at(0, 'old-op', 1), at(10, 'busy-op', 2), at(40, 'busy-op', 3)] });

  const first = await markInactiveEndpoints(stores, 30);
  assert.equal(first.eventTime, new Date(T0 + 40 * DAY).toISOString());
  assert.deepEqual([first.endpoints, first.inactive, first.newlyInactive], [2, 1, 1]);
  const statuses = await app.deps.endpointStatuses.list();
  const old = statuses.find((s) => s.endpoint.operationId === 'old-op');
  assert.equal(old?.inactive, true);
  assert.equal(old?.inactiveSince, T0 + 30 * DAY);
  assert.equal(statuses.find((s) => s.endpoint.operationId === 'busy-op')?.inactive, false);

  const unchanged = await markInactiveEndpoints(stores, 30);
  assert.equal(unchanged.newlyInactive, 0);

  await app.ingest({ partitionId: '0', messages: [at(41, 'old-op', 4)] });
  const back = await markInactiveEndpoints(stores, 30);
  assert.equal(back.reactivated, 1);
  assert.equal((await app.deps.endpointStatuses.list()).find((s) => s.endpoint.operationId === 'old-op')?.inactive, false);
});

test('just under the threshold an endpoint stays active', async () => {
  const app = freshApp(azurite);
  await app.ingest({ partitionId: '0', messages: [at(0, 'a', 1), at(29.99, 'b', 2)] });
  const summary = await markInactiveEndpoints({ activity: app.deps.activity, statuses: app.deps.endpointStatuses, partitions: app.deps.partitions }, 30);
  assert.equal(summary.inactive, 0);
});
