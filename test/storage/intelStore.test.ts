import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { TableClient } from '@azure/data-tables';

import { DomainError } from '../../shared/errors';
import type { IntelListVersion, NewIntelList } from '../../shared/ports';
import { INTEL_TABLE, IntelListIntegrityError, TableIntelStore } from '../../shared/storage/intelStore';
import { TableFactory } from '../../shared/storage/tables';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { requestCounter } from '../support/storageFaults';

const HOUR = 60 * 60 * 1000;

describe('TableIntelStore (Azurite)', () => {
  let azurite: RunningAzurite;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  function fresh(start = Date.parse('2026-08-23T03:00:00Z')) {
    const prefix = azurite.uniquePrefix();
    const clock = { t: start, now: () => new Date(clock.t) };
    const counter = requestCounter();
    const tables = new TableFactory({ kind: 'connectionString', connectionString: azurite.connectionString }, prefix, {
      maxAttempts: 2,
      retryDelayMs: 5,
      policies: [counter.policy],
    });
    const store = new TableIntelStore(tables, { clock });
    const raw = TableClient.fromConnectionString(azurite.connectionString, tables.tableName(INTEL_TABLE), { allowInsecureConnection: true });
    const rowKeys = async (): Promise<string[]> => {
      const keys: string[] = [];
      for await (const e of raw.listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) keys.push(`${e.partitionKey}/${e.rowKey}`);
      return keys.sort();
    };
    return { store, clock, counter, raw, rowKeys };
  }

  function list(text: string, overrides: Partial<NewIntelList> = {}): NewIntelList {
    return {
      kind: 'tor',
      feedId: '0123456789abcdef',
      name: 'check.torproject.org/torbulkexitlist',
      url: 'https://check.torproject.org/torbulkexitlist',
      fetchedAt: '2026-08-23T03:00:00.000Z',
      entries: text.split('\n').filter((l) => l !== '').length,
      text,
      ...overrides,
    };
  }

  test('nothing published reads as an empty list without a token', async () => {
    const { store } = fresh();
    assert.deepEqual(await store.current('tor'), { lists: [] });
    assert.deepEqual(await store.current('threatIntel'), { lists: [] });
  });

  test('a written list is invisible until published, then reads back exactly', async () => {
    const { store } = fresh();
    const text = '185.220.101.1\n2001:db8::1\n';
    const version = await store.write(list(text));
    assert.equal(version.entries, 2);
    assert.equal(version.chars, text.length);
    assert.match(version.version, /^20260823T030000000Z-[0-9a-f]{8}$/);
    assert.deepEqual(await store.current('tor'), { lists: [] });

    await store.publish('tor', [version], undefined);
    const current = await store.current('tor');
    assert.deepEqual(current.lists, [version]);
    assert.ok(typeof current.etag === 'string');
    assert.equal(await store.read(version), text);
    assert.deepEqual((await store.current('threatIntel')).lists, []);
  });

  test('a list of several MB spans entities and properties and reads back whole', async () => {
    const { store, rowKeys } = fresh();
    const lines: string[] = [];
    for (let i = 0; i < 120_000; i += 1) lines.push(`2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::${i.toString(16)}\t${i % 50}`);
    const text = `${lines.join('\n')}\n`;
    assert.ok(text.length > 3_000_000, `${text.length}`);
    const version = await store.write(list(text, { kind: 'threatIntel', feedId: 'aaaa000011112222' }));
    await store.publish('threatIntel', [version], undefined);
    const rows = (await rowKeys()).filter((k) => k.startsWith('f-threatIntel-'));
    assert.equal(rows.length, Math.ceil(text.length / 360_000));
    assert.equal(await store.read(version), text);
  });

  test('an empty list is stored and read as such', async () => {
    const { store } = fresh();
    const version = await store.write(list('', { entries: 0 }));
    assert.equal(await store.read(version), '');
  });

  test('publish is conditional: a stale token or a second first publish is a conflict', async () => {
    const { store } = fresh();
    const a = await store.write(list('203.0.113.1\n'));
    await store.publish('tor', [a], undefined);
    await assert.rejects(store.publish('tor', [a], undefined), (error: unknown) => error instanceof DomainError && error.code === 'conflict');
    const seen = await store.current('tor');
    const b = await store.write(list('203.0.113.2\n'));
    await store.publish('tor', [b], seen.etag);
    await assert.rejects(store.publish('tor', [a], seen.etag), /changed by another refresh/);
    assert.deepEqual((await store.current('tor')).lists, [b]);
    await assert.rejects(store.publish('threatIntel', [a], undefined), /cannot publish a tor list as threatIntel/);
  });

  test('a cut or altered copy is an integrity error, never a short list', async () => {
    const { store, raw } = fresh();
    const version = await store.write(list('203.0.113.1\n203.0.113.2\n'));
    const partitionKey = `f-tor-${version.feedId}`;
    const rowKey = `${version.version}-c0000`;
    await raw.updateEntity({ partitionKey, rowKey, p0: '203.0.113.1\n203.0.113.9\n' }, 'Merge');
    await assert.rejects(store.read(version), (e: unknown) => e instanceof IntelListIntegrityError && /incomplete or altered/.test(e.message));
    await raw.deleteEntity(partitionKey, rowKey);
    await assert.rejects(store.read(version), /is missing from storage/);
    const bogus: IntelListVersion = { ...version, version: '20260101T000000000Z-00000000' };
    await assert.rejects(store.read(bogus), IntelListIntegrityError);
  });

  test('publishing deletes copies no list needs once past the grace period, keeping the previous one', async () => {
    const { store, clock, rowKeys } = fresh();
    const versionsOnDisk = async (): Promise<string[]> => [...new Set((await rowKeys()).filter((k) => k.startsWith('f-tor-')).map((k) => k.split('/')[1]?.slice(0, -6)))] as string[];

    const v1 = await store.write(list('203.0.113.1\n'));
    let published = await store.current('tor');
    await store.publish('tor', [v1], published.etag);

    clock.t += 2 * HOUR;
    const v2 = await store.write(list('203.0.113.2\n', { previousVersion: v1.version }));
    published = await store.current('tor');
    assert.equal((await store.publish('tor', [v2], published.etag)).deleted, 0);
    assert.deepEqual(await versionsOnDisk(), [v1.version, v2.version]);

    // An orphan (written, never published: a failed or concurrent refresh) younger than the grace period survives.
    clock.t += 2 * HOUR;
    const v3 = await store.write(list('203.0.113.3\n', { previousVersion: v2.version }));
    const orphan = await store.write(list('203.0.113.4\n'));
    published = await store.current('tor');
    assert.deepEqual(await store.publish('tor', [v3], published.etag), { deleted: 1 });
    assert.deepEqual(await versionsOnDisk(), [v2.version, v3.version, orphan.version].sort());
    assert.equal(await store.read(v3), '203.0.113.3\n');
    assert.equal(await store.read(v2), '203.0.113.2\n');

    clock.t += 2 * HOUR;
    published = await store.current('tor');
    assert.deepEqual(await store.publish('tor', [v3], published.etag), { deleted: 1 });
    assert.deepEqual(await versionsOnDisk(), [v2.version, v3.version]);
  });

  test("one kind's cleanup never touches the other's lists", async () => {
    const { store, clock } = fresh();
    const intel = await store.write(list('198.51.100.1\t4\n', { kind: 'threatIntel' }));
    await store.publish('threatIntel', [intel], undefined);
    clock.t += 5 * HOUR;
    await store.publish('tor', [], undefined);
    assert.equal(await store.read(intel), '198.51.100.1\t4\n');
  });
});
