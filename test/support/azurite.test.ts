import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TableClient } from '@azure/data-tables';

import { listTables, startAzurite, type RunningAzurite } from './azurite';

let azurite: RunningAzurite;
before(async () => { azurite = await startAzurite(); });
after(async () => { await azurite.stop(); });

test('the embedded Azurite accepts table writes on a random port', async () => {
  assert.match(azurite.tableEndpoint, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  const name = `${azurite.uniquePrefix()}probe`;
  const client = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  await client.createTable();
  await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
  const entity = await client.getEntity<{ value: number }>('p', 'r');
  assert.equal(entity.value, 42);
  assert.ok((await listTables(azurite.connectionString)).includes(name));
});
