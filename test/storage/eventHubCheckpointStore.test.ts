import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TableClient } from '@azure/data-tables';
import type { PartitionOwnership } from '@azure/event-hubs';

import {
  TableCheckpointStore,
  ensureCheckpointTable,
  escapeKeyPart,
  openTableCheckpointStore,
} from '../../shared/storage/eventHubCheckpointStore';
import { listTables, startAzurite, type RunningAzurite } from '../support/azurite';

const NS = 'warden-test.servicebus.windows.net';
const HUB = 'apim-logs';
const CG = '$Default';

function ownership(partitionId: string, ownerId: string, etag?: string): PartitionOwnership {
  return {
    fullyQualifiedNamespace: NS,
    eventHubName: HUB,
    consumerGroup: CG,
    partitionId,
    ownerId,
    ...(etag ? { etag } : {}),
  };
}

describe('TableCheckpointStore (Azurite)', () => {
  let azurite: RunningAzurite;

  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  async function newStore(): Promise<TableCheckpointStore> {
    const table = TableClient.fromConnectionString(azurite.connectionString, `${azurite.uniquePrefix()}ckpt`, {
      allowInsecureConnection: true,
    });
    return openTableCheckpointStore(table);
  }

  it('creates its table when missing, and tolerates it existing', async () => {
    const name = `${azurite.uniquePrefix()}ckpt`;
    const table = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
    await ensureCheckpointTable(table);
    await ensureCheckpointTable(table);
    assert.ok((await listTables(azurite.connectionString)).includes(name));
  });

  it('claims unowned partitions and lists the ownership with etag and time', async () => {
    const store = await newStore();
    assert.deepEqual(await store.listOwnership(NS, HUB, CG), []);
    const before = Date.now();
    const claimed = await store.claimOwnership([ownership('0', 'a'), ownership('1', 'a')]);
    assert.equal(claimed.length, 2);
    for (const claim of claimed) {
      assert.equal(claim.ownerId, 'a');
      assert.ok(claim.etag, 'claim carries an etag');
      assert.ok(claim.lastModifiedTimeInMs !== undefined && claim.lastModifiedTimeInMs >= before - 5_000);
    }
    const listed = await store.listOwnership(NS, HUB, CG);
    assert.deepEqual(
      listed.map((o) => [o.partitionId, o.ownerId, o.eventHubName, o.consumerGroup, o.fullyQualifiedNamespace]).sort(),
      [
        ['0', 'a', HUB, CG, NS],
        ['1', 'a', HUB, CG, NS],
      ],
    );
    const byPartition = new Map(claimed.map((c) => [c.partitionId, c.etag]));
    for (const o of listed) {
      assert.equal(o.etag, byPartition.get(o.partitionId), 'listed etag is the one the claim returned');
      assert.ok(typeof o.lastModifiedTimeInMs === 'number' && Number.isFinite(o.lastModifiedTimeInMs));
    }
  });

  it('rejects conflicting claims by leaving them out of the result', async () => {
    const store = await newStore();
    // Two processors race for the same unowned partition: only one create succeeds.
    const [first, second] = await Promise.all([
      store.claimOwnership([ownership('0', 'a')]),
      store.claimOwnership([ownership('0', 'b')]),
    ]);
    assert.equal((first?.length ?? 0) + (second?.length ?? 0), 1);
    const [current] = await store.listOwnership(NS, HUB, CG);
    assert.ok(current?.etag);
    const winner = current.ownerId;

    // Stealing with the current etag works and changes the etag...
    const loser = winner === 'a' ? 'b' : 'a';
    const stolen = await store.claimOwnership([ownership('0', loser, current.etag)]);
    assert.equal(stolen.length, 1);
    assert.notEqual(stolen[0]?.etag, current.etag);
    // ...so a claim with the old etag loses, and only the good claim in a mixed request comes back.
    const stale = await store.claimOwnership([ownership('0', winner, current.etag), ownership('1', winner)]);
    assert.deepEqual(stale.map((o) => o.partitionId), ['1']);
    const listed = await store.listOwnership(NS, HUB, CG);
    assert.equal(listed.find((o) => o.partitionId === '0')?.ownerId, loser);

    // A claim without an etag on an existing ownership is a conflict too.
    assert.deepEqual(await store.claimOwnership([ownership('0', winner)]), []);

    // Abandoning (owner "") with the current etag is an ordinary claim.
    const mine = listed.find((o) => o.partitionId === '0') as PartitionOwnership;
    const abandoned = await store.claimOwnership([{ ...mine, ownerId: '' }]);
    assert.equal(abandoned[0]?.ownerId, '');
    assert.equal((await store.listOwnership(NS, HUB, CG)).find((o) => o.partitionId === '0')?.ownerId, '');
  });

  it('round-trips checkpoints, overwriting per partition, with 64-bit sequence numbers', async () => {
    const store = await newStore();
    assert.deepEqual(await store.listCheckpoints(NS, HUB, CG), []);
    const base = { fullyQualifiedNamespace: NS, eventHubName: HUB, consumerGroup: CG };
    await store.updateCheckpoint({ ...base, partitionId: '0', sequenceNumber: 5, offset: '640' });
    await store.updateCheckpoint({ ...base, partitionId: '1', sequenceNumber: 2 ** 40, offset: '123456789012' });
    await store.updateCheckpoint({ ...base, partitionId: '0', sequenceNumber: 9, offset: '1152' });
    const checkpoints = (await store.listCheckpoints(NS, HUB, CG)).sort((a, b) => a.partitionId.localeCompare(b.partitionId));
    assert.deepEqual(checkpoints, [
      { ...base, partitionId: '0', sequenceNumber: 9, offset: '1152' },
      { ...base, partitionId: '1', sequenceNumber: 2 ** 40, offset: '123456789012' },
    ]);
    // Checkpoints and ownership do not mix.
    assert.deepEqual(await store.listOwnership(NS, HUB, CG), []);
  });

  it('keeps namespaces, hubs and consumer groups apart, whatever characters they hold', async () => {
    const store = await newStore();
    const scopes = [
      { fullyQualifiedNamespace: NS, eventHubName: 'a/b#c?d\\e', consumerGroup: CG },
      { fullyQualifiedNamespace: NS, eventHubName: 'a~2Fb#c?d\\e', consumerGroup: CG },
      { fullyQualifiedNamespace: NS, eventHubName: 'a/b#c?d\\e', consumerGroup: 'other|group\u0001' },
      { fullyQualifiedNamespace: 'other.servicebus.windows.net', eventHubName: 'a/b#c?d\\e', consumerGroup: CG },
    ];
    for (const [i, scope] of scopes.entries()) {
      await store.updateCheckpoint({ ...scope, partitionId: 'p/1', sequenceNumber: i, offset: String(i * 100) });
      const claimed = await store.claimOwnership([{ ...scope, partitionId: 'p/1', ownerId: `owner${i}` }]);
      assert.equal(claimed.length, 1, `claim in scope ${i}`);
    }
    for (const [i, scope] of scopes.entries()) {
      const checkpoints = await store.listCheckpoints(scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup);
      assert.deepEqual(checkpoints, [{ ...scope, partitionId: 'p/1', sequenceNumber: i, offset: String(i * 100) }]);
      const owners = await store.listOwnership(scope.fullyQualifiedNamespace, scope.eventHubName, scope.consumerGroup);
      assert.deepEqual(owners.map((o) => [o.partitionId, o.ownerId]), [['p/1', `owner${i}`]]);
    }
    // Names are case-insensitive in Event Hubs, so the store is too.
    assert.equal((await store.listCheckpoints(NS.toUpperCase(), 'A/B#C?D\\E', '$default')).length, 1);
  });

  it('rejects checkpoints without a sequence number or offset', async () => {
    const store = await newStore();
    const base = { fullyQualifiedNamespace: NS, eventHubName: HUB, consumerGroup: CG, partitionId: '0' };
    await assert.rejects(store.updateCheckpoint({ ...base, sequenceNumber: undefined as unknown as number, offset: '1' }), TypeError);
    await assert.rejects(store.updateCheckpoint({ ...base, sequenceNumber: 1, offset: undefined as unknown as string }), TypeError);
  });

  it('escapes every character Table keys forbid, injectively', () => {
    const forbidden = ['/', '\\', '#', '?', '\u0000', '\u001f', '\u007f', '\u009f'];
    for (const ch of forbidden) assert.ok(!escapeKeyPart(`a${ch}b`).includes(ch));
    assert.notEqual(escapeKeyPart('a/b'), escapeKeyPart('a~2Fb'));
    assert.equal(escapeKeyPart('$Default.hub-1_x'), '$Default.hub-1_x');
  });
});
