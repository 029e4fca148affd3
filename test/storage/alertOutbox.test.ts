import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { Clock } from '../../shared/ports';
import { TableAlertOutbox } from '../../shared/storage/alertOutbox';
import { TableFactory } from '../../shared/storage/tables';
import { startAzurite, type RunningAzurite } from '../support/azurite';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

/** An outbox on its own tables, with a clock the test moves. */
function freshOutbox(start = '2026-05-01T08:00:00.000Z') {
  let now = Date.parse(start);
  const clock: Clock = { now: () => new Date(now) };
  const tables = new TableFactory({ kind: 'connectionString', connectionString: azurite.connectionString }, azurite.uniquePrefix(), { maxAttempts: 2, retryDelayMs: 5 });
  return { outbox: new TableAlertOutbox(tables, clock), advance: (ms: number) => (now += ms) };
}

test('every write queues an export, only a creation queues automation, and queuing again keeps one entry', async () => {
  const { outbox, advance } = freshOutbox();
  await outbox.enqueue([{ alertId: 'a-1', created: true }]);
  advance(1_000);
  await outbox.enqueue([
    { alertId: 'a-2', created: false },
    { alertId: 'a-1', created: false },
    { alertId: 'a-2', created: false },
  ]);
  const exports = await outbox.pending('export', 10);
  assert.deepEqual(exports.map((e) => [e.alertId, e.kind, e.attempts, e.queuedAt]), [
    ['a-1', 'export', 0, '2026-05-01T08:00:01.000Z'],
    ['a-2', 'export', 0, '2026-05-01T08:00:01.000Z'],
  ]);
  assert.deepEqual((await outbox.pending('automation', 10)).map((e) => e.alertId), ['a-1']);
});

test('pending is oldest first and honours the limit; backlog counts each kind and names its oldest entry', async () => {
  const { outbox, advance } = freshOutbox();
  for (const id of ['c', 'a', 'b']) {
    await outbox.enqueue([{ alertId: id, created: id !== 'b' }]);
    advance(60_000);
  }
  assert.deepEqual((await outbox.pending('export', 2)).map((e) => e.alertId), ['c', 'a']);
  assert.deepEqual(await outbox.backlog(), {
    export: { pending: 3, oldestQueuedAt: '2026-05-01T08:00:00.000Z' },
    automation: { pending: 2, oldestQueuedAt: '2026-05-01T08:00:00.000Z' },
  });
});

test('more than one transaction of alerts is queued whole', async () => {
  const { outbox } = freshOutbox();
  await outbox.enqueue(Array.from({ length: 230 }, (_, i) => ({ alertId: `bulk-${i}`, created: i % 2 === 0 })));
  assert.equal((await outbox.pending('export', 1_000)).length, 230);
  assert.equal((await outbox.pending('automation', 1_000)).length, 115);
});

test('done removes what was read; an entry queued again while it was being sent stays, for its newer state', async () => {
  const { outbox, advance } = freshOutbox();
  await outbox.enqueue([
    { alertId: 'sent', created: false },
    { alertId: 'updated', created: false },
  ]);
  const read = await outbox.pending('export', 10);
  advance(5_000);
  // The alert changes (and is queued again) between the dispatcher's read and its done.
  await outbox.enqueue([{ alertId: 'updated', created: false }]);
  await outbox.done(read);
  const left = await outbox.pending('export', 10);
  assert.deepEqual(left.map((e) => [e.alertId, e.queuedAt]), [['updated', '2026-05-01T08:00:05.000Z']]);
  // Read again, done removes it; done of an entry already gone is no error.
  await outbox.done(left);
  await outbox.done(left);
  assert.deepEqual(await outbox.pending('export', 10), []);
});

test('failed records the attempt, the error and the settled rules; queuing again keeps them', async () => {
  const { outbox, advance } = freshOutbox();
  await outbox.enqueue([{ alertId: 'a-1', created: true }]);
  const [entry] = await outbox.pending('automation', 1);
  assert.ok(entry);
  await outbox.failed({ ...entry, settledRules: ['rule-1'] }, 'rule rule-2: the trigger answered HTTP 503');
  const [once] = await outbox.pending('automation', 1);
  assert.equal(once?.attempts, 1);
  assert.equal(once?.lastError, 'rule rule-2: the trigger answered HTTP 503');
  assert.deepEqual(once?.settledRules, ['rule-1']);
  assert.equal(once?.queuedAt, entry.queuedAt);
  assert.notEqual(once?.etag, entry.etag);

  advance(1_000);
  await outbox.enqueue([{ alertId: 'a-1', created: true }]);
  assert.ok(once);
  await outbox.failed(once, 'x'.repeat(5_000));
  const [twice] = await outbox.pending('automation', 1);
  assert.equal(twice?.attempts, 2);
  assert.equal(twice?.lastError?.length, 1_000, 'errors are cut to a bounded length');
  assert.deepEqual(twice?.settledRules, ['rule-1']);

  // A failure reported for an entry that is gone does not bring it back.
  assert.ok(twice);
  await outbox.done([twice]);
  await outbox.failed(twice, 'late');
  assert.deepEqual(await outbox.pending('automation', 10), []);
});
