import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createDependencies, type AppDependencies } from '../../functions/deps';
import { parseConfig } from '../../shared/config';
import type { InventoryReader } from '../../shared/ports';
import { syncInventory } from '../../shared/services/syncInventory';
import { CONTOSO, seedContoso } from '../support/apimFixture';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { fakeArmCredential, startFakeArm, type FakeArm } from '../support/fakeArm';

let azurite: RunningAzurite;
let arm: FakeArm;
before(async () => {
  azurite = await startAzurite();
  arm = await startFakeArm();
  seedContoso(arm);
});
after(async () => {
  await arm.stop();
  await azurite.stop();
});

/** An app over Azurite whose APIM service is the fake's Contoso, at a clock the test moves. */
function app(): { deps: AppDependencies; reader: InventoryReader; at(iso: string): void } {
  let now = new Date('2026-05-01T10:00:00Z');
  const deps = createDependencies(
    parseConfig({
      WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString,
      WARDEN_TABLE_PREFIX: azurite.uniquePrefix(),
      WARDEN_APIM_SUBSCRIPTION_ID: CONTOSO.subscriptionId,
      WARDEN_APIM_RESOURCE_GROUP: CONTOSO.resourceGroup,
      WARDEN_APIM_SERVICE_NAME: CONTOSO.serviceName,
    }),
    { clock: { now: () => now }, arm: { options: arm.clientOptions(), credential: fakeArmCredential } },
  );
  const reader = deps.inventoryReader();
  assert.ok(reader);
  return { deps, reader, at: (iso) => void (now = new Date(iso)) };
}

test('a sync stores the inventory with its sync time, and the status counts what it holds', async () => {
  const { deps, reader } = app();
  const summary = await syncInventory({ reader, store: deps.inventory, clock: deps.clock });
  assert.deepEqual(summary, { result: 'synced', syncedAt: '2026-05-01T10:00:00.000Z', apis: 4, operations: 7, products: 2 });
  const snapshot = await deps.inventory.current();
  assert.equal(snapshot?.syncedAt, '2026-05-01T10:00:00.000Z');
  const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  assert.deepEqual(asJson(snapshot?.inventory), asJson(await reader.read()), 'what was read is what is stored');
  assert.deepEqual(await deps.inventory.status(), {
    lastAttemptAt: '2026-05-01T10:00:00.000Z',
    lastSuccessAt: '2026-05-01T10:00:00.000Z',
    apis: 4,
    operations: 7,
  });
});

test('a failed sync keeps the last good snapshot and records the error; the next good sync clears it', async () => {
  const { deps, reader, at } = app();
  await syncInventory({ reader, store: deps.inventory, clock: deps.clock });
  const good = await deps.inventory.current();

  at('2026-05-01T10:15:00Z');
  arm.addApi(CONTOSO, 'new-api', { operations: ['get-thing'] });
  arm.failRequests({ count: 1, status: 503, match: (r) => r.path.endsWith('/apis/new-api/operations') });
  const failed = await syncInventory({ reader, store: deps.inventory, clock: deps.clock });
  assert.deepEqual(failed, {
    result: 'failed',
    error: "Listing the operations of API 'new-api': API Management request failed (HTTP 503 ServiceUnavailable)",
    lastSuccessAt: '2026-05-01T10:00:00.000Z',
  });
  assert.deepEqual(await deps.inventory.current(), good, 'the last good snapshot stays current');
  assert.deepEqual(await deps.inventory.status(), {
    lastAttemptAt: '2026-05-01T10:15:00.000Z',
    lastSuccessAt: '2026-05-01T10:00:00.000Z',
    lastError: "Listing the operations of API 'new-api': API Management request failed (HTTP 503 ServiceUnavailable)",
    apis: 4,
    operations: 7,
  });

  at('2026-05-01T10:30:00Z');
  const synced = await syncInventory({ reader, store: deps.inventory, clock: deps.clock });
  assert.equal(synced.result, 'synced');
  const apis = (await deps.inventory.current())?.inventory.apis ?? [];
  assert.equal(apis.length, 5);
  assert.equal(apis.find((api) => api.name === 'new-api')?.operations[0]?.firstSyncedAt, '2026-05-01T10:30:00.000Z', 'a new operation is stamped');
  assert.equal(apis[0]?.operations[0]?.firstSyncedAt, undefined, 'operations there at the first sync are not');
  assert.equal((await deps.inventory.status())?.lastError, undefined);
});

test('without an APIM service configured there is no reader', () => {
  const deps = createDependencies(parseConfig({ WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString, WARDEN_TABLE_PREFIX: azurite.uniquePrefix() }));
  assert.equal(deps.inventoryReader(), undefined);
});
