import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { parseInventory, type Inventory } from '../../shared/core/inventory';
import { TableInventoryStore } from '../../shared/storage/inventoryStore';
import { TableNames } from '../../shared/storage/tables';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { freshApp } from '../support/testApp';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(async () => {
  await azurite.stop();
});

/** An inventory of `apis` APIs with 20 operations each: about 3.5K characters of JSON per API. */
function bigInventory(apis: number, tag: string): Inventory {
  const parsed = parseInventory({
    service: { resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/big', gatewayUrl: 'https://big.azure-api.net' },
    apis: Array.from({ length: apis }, (_, i) => ({
      name: `api-${i}-${tag}`,
      path: `p${i}`,
      operations: Array.from({ length: 20 }, (_, k) => ({ name: `op-${k}`, method: 'GET', urlTemplate: `/resources/{resourceId}/children/${k}/{childId}` })),
    })),
  });
  assert.ok(parsed.ok);
  return parsed.inventory;
}

test('a snapshot bigger than one row round-trips with its sync time; a new one replaces it and the old rows go', async () => {
  const app = freshApp(azurite);
  const store = new TableInventoryStore(app.deps.tables);
  assert.equal(await store.current(), undefined);
  const first = bigInventory(150, 'a');
  assert.ok(JSON.stringify(first).length > 400_000, 'spans several chunk rows');
  await store.save(first, new Date('2026-05-01T10:00:00Z'));
  assert.deepEqual(await store.current(), { inventory: first, syncedAt: '2026-05-01T10:00:00.000Z' });

  const second = bigInventory(3, 'b');
  await store.save(second, new Date('2026-05-01T10:15:00Z'));
  assert.deepEqual(await store.current(), { inventory: second, syncedAt: '2026-05-01T10:15:00.000Z' });
  const rows = ((await app.snapshot())[TableNames.inventory] ?? []) as Array<{ partitionKey: string }>;
  assert.deepEqual(rows.filter((row) => row.partitionKey.startsWith('snapshot-')).length, 1, 'only the current version is kept');
});

test('the sync status round-trips, absent fields staying absent', async () => {
  const store = new TableInventoryStore(freshApp(azurite).deps.tables);
  assert.equal(await store.status(), undefined);
  await store.setStatus({ lastAttemptAt: '2026-05-01T10:00:00.000Z', lastError: 'boom' });
  assert.deepEqual(await store.status(), { lastAttemptAt: '2026-05-01T10:00:00.000Z', lastError: 'boom' });
  await store.setStatus({ lastAttemptAt: '2026-05-01T10:15:00.000Z', lastSuccessAt: '2026-05-01T10:15:00.000Z', apis: 2, operations: 9 });
  assert.deepEqual(await store.status(), { lastAttemptAt: '2026-05-01T10:15:00.000Z', lastSuccessAt: '2026-05-01T10:15:00.000Z', apis: 2, operations: 9 });
});
