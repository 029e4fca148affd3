import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { HttpRequest, InvocationContext, type LogLevel } from '@azure/functions';

import { createDependencies, setDependencies } from '../../functions/deps';
import { health } from '../../functions/health';
import { batchFromTrigger, ingest } from '../../functions/ingest';
import { parseConfig } from '../../shared/config';
import { readSnapshotManifest, readSnapshotText } from '../../shared/intel/snapshot';
import { envelope, gatewayLogsRecord } from '../fixtures/records';
import { startAzurite, type RunningAzurite } from '../support/azurite';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(async () => {
  setDependencies(undefined);
  await azurite.stop();
});

function useAzurite() {
  const config = parseConfig({ WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString, WARDEN_TABLE_PREFIX: azurite.uniquePrefix() });
  const deps = createDependencies(config);
  setDependencies(deps);
  return deps;
}

/** A real InvocationContext whose log lines are captured. */
function context(triggerMetadata?: Record<string, unknown>) {
  const lines: Array<{ level: LogLevel; text: string }> = [];
  const ctx = new InvocationContext({
    invocationId: 'inv-1',
    functionName: 'ingest',
    triggerMetadata,
    logHandler: (level, ...args) => lines.push({ level, text: args.join(' ') }),
  });
  return { ctx, lines };
}

test('the ingest handler takes the host\'s batch metadata, stores the events, and logs a summary with the invocation id', async () => {
  const deps = useAzurite();
  const { ctx, lines } = context({
    partitionContext: { partitionId: '2', eventHubName: 'apim-logs', consumerGroup: 'api-warden' },
    sequenceNumberArray: [41, 42],
    offsetArray: ['4100', '4200'],
    enqueuedTimeUtcArray: ['2024-05-13T09:15:30.000Z', '2024-05-13T09:15:31.000Z'],
  });
  await ingest([envelope(gatewayLogsRecord(), gatewayLogsRecord()), '{"records":[{"time":"x"}]}'], ctx);
  const [state] = await deps.partitions.list();
  assert.equal(state?.partitionId, '2');
  assert.equal(state?.lastSequenceNumber, 42);
  assert.equal(state?.events, 2);
  assert.equal(state?.quarantined, 1);
  const summary = lines.find((l) => l.text.startsWith('ingest.batch '));
  assert.ok(summary, lines.map((l) => l.text).join('\n'));
  const fields = JSON.parse(summary.text.slice('ingest.batch '.length)) as Record<string, unknown>;
  assert.equal(fields.invocationId, 'inv-1');
  assert.equal(fields.events, 2);
  assert.ok(lines.some((l) => l.level === 'warning' && l.text.startsWith('ingest.quarantined ')));
});

test('the ingest handler raises instant alerts: a Tor exit from the shipped snapshot and a scanner User-Agent', async () => {
  const deps = useAzurite();
  const manifest = readSnapshotManifest();
  const torFeed = manifest.feeds.find((feed) => feed.kind === 'tor');
  assert.ok(torFeed);
  const torIp = readSnapshotText(torFeed).split('\n').find((line) => /^\d+\.\d+\.\d+\.\d+$/.test(line.trim()))?.trim() ?? '';
  const { ctx } = context({
    partitionContext: { partitionId: '0' },
    sequenceNumberArray: [1],
    offsetArray: ['1'],
    enqueuedTimeUtcArray: ['2024-05-13T09:15:30.000Z'],
  });
  const scanner = gatewayLogsRecord({ callerIpAddress: '198.51.100.77', properties: { requestHeaders: { 'User-Agent': 'sqlmap/1.8.4#stable (https://sqlmap.org)' } } });
  await ingest([envelope(gatewayLogsRecord({ callerIpAddress: torIp }), scanner)], ctx);
  const alerts = await deps.alerts.list();
  assert.deepEqual(alerts.map((a) => `${a.alertType} ${a.keyEntities.clientIp ?? ''}`).sort(), [
    `API_AccessFromSuspiciousUserAgent 198.51.100.77`,
    `API_AccessFromTorExitNode ${torIp}`,
  ]);
});

test('a batch without sequence numbers or partition is refused rather than guessed', () => {
  assert.throws(() => batchFromTrigger(['{}'], {}), /sequenceNumberArray/);
  assert.throws(() => batchFromTrigger(['{}'], { sequenceNumberArray: [1] }), /partitionId/);
  assert.throws(() => batchFromTrigger(['{}'], { sequenceNumberArray: ['x'], partitionContext: { partitionId: '0' } }), /not an integer/);
});

test('a single message (cardinality one) and string sequence numbers are accepted', () => {
  const batch = batchFromTrigger('{"v":1}', { sequenceNumberArray: ['7'], partitionContext: { partitionId: '0' } });
  assert.deepEqual(batch, { partitionId: '0', messages: [{ body: '{"v":1}', sequenceNumber: 7, offset: '' }] });
});

test('GET /api/health answers 200 with ingest progress and the inventory sync', async () => {
  const deps = useAzurite();
  const { ctx } = context();
  const response = await health(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/health' }), ctx);
  assert.equal(response.status, 200);
  const body = response.jsonBody as { status: string; storage: { reachable: boolean }; outbox: unknown; inventory: unknown };
  assert.equal(body.status, 'ok');
  assert.equal(body.storage.reachable, true);
  assert.deepEqual(body.outbox, { export: { pending: 0, oldestQueuedAt: null }, automation: { pending: 0, oldestQueuedAt: null } });
  assert.equal(body.inventory, null, 'no sync attempted yet');
  const failed = { lastAttemptAt: '2026-05-01T10:15:00.000Z', lastSuccessAt: '2026-05-01T10:00:00.000Z', lastError: 'Listing the APIs: …', apis: 4, operations: 7 };
  await deps.inventory.setStatus(failed);
  const after = await health(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/health' }), ctx);
  assert.equal(after.status, 200, 'a failed sync does not make the app unhealthy');
  assert.deepEqual((after.jsonBody as { inventory: unknown }).inventory, failed);
});

test('GET /api/health answers 503 when storage is unreachable, without leaking the connection string', async () => {
  const config = parseConfig({
    WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString.replace(/:\d+\//, ':1/'),
    WARDEN_STORAGE_MAX_ATTEMPTS: '1',
  });
  setDependencies(createDependencies(config));
  const { ctx } = context();
  const response = await health(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/health' }), ctx);
  assert.equal(response.status, 503);
  const text = JSON.stringify(response.jsonBody);
  assert.match(text, /"reachable":false/);
  assert.doesNotMatch(text, /AccountKey|Eby8vdM02/);
});
