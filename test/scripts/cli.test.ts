import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { envelope, gatewayLogsRecord, policyLogRecord } from '../fixtures/records';

const cli = join(__dirname, '..', '..', 'scripts', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'warden-cli-'));

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024 });
}

test('parse reports exact counts for a file of mixed good and bad records', () => {
  const lines = [
    JSON.stringify(envelope(gatewayLogsRecord(), gatewayLogsRecord({ callerIpAddress: '2001:db8::1' }))),
    JSON.stringify(envelope(gatewayLogsRecord({ time: 'not a time' }), gatewayLogsRecord({ category: 'WebSocketConnectionLogs' }))),
    '{"records": [',
    '',
    JSON.stringify(policyLogRecord()),
    JSON.stringify(envelope(gatewayLogsRecord({ callerIpAddress: 'unknown' }))),
  ];
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const quarantine = join(dir, 'quarantine.jsonl');

  const result = run(['parse', file, '--quarantine', quarantine]);
  assert.equal(result.status, 0, result.stderr);
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { clientIp: string; source: { sequenceNumber: number } });
  assert.deepEqual(events.map((e) => e.clientIp), ['203.0.113.7', '2001:db8::1', '203.0.113.7']);
  assert.deepEqual(events.map((e) => e.source.sequenceNumber), [1, 1, 5]);
  assert.match(result.stderr, /^5 messages, 7 records: 3 events, 3 quarantined, 1 skipped$/m);
  assert.match(result.stderr, /^ {2}bad_time: 1$/m);
  assert.match(result.stderr, /^ {2}invalid_json: 1$/m);
  assert.match(result.stderr, /^ {2}bad_ip: 1$/m);
  const rejections = readFileSync(quarantine, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { reason: string });
  assert.deepEqual(rejections.map((r) => r.reason), ['bad_time', 'invalid_json', 'bad_ip']);
});

test('parse reads stdin with -', () => {
  const result = run(['parse', '-'], `${JSON.stringify(envelope(gatewayLogsRecord()))}\n`);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim().split('\n').length, 1);
  assert.match(result.stderr, /1 events, 0 quarantined/);
});

test('unusable arguments and files exit non-zero with a message', () => {
  const missing = run(['parse', join(dir, 'nope.jsonl')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*nope\.jsonl: ENOENT/);
  const badOption = run(['parse', '-', '--trusted-proxies', '10.0.0.0/40']);
  assert.equal(badOption.status, 2);
  assert.match(badOption.stderr, /not an IP or CIDR: 10\.0\.0\.0\/40/);
  assert.equal(run(['frobnicate']).status, 2);
});

test('generate writes message bodies and labels deterministically, and parse reads them back without loss', () => {
  const args = (name: string) => ['generate', '--seed', '7', '--days', '1', '--rate', '2000', '--out', join(dir, `${name}.jsonl`), '--labels', join(dir, `${name}.labels.json`)];
  const first = run(args('a'));
  assert.equal(first.status, 0, first.stderr);
  assert.equal(run(args('b')).status, 0);
  const bodies = readFileSync(join(dir, 'a.jsonl'), 'utf8');
  assert.equal(bodies, readFileSync(join(dir, 'b.jsonl'), 'utf8'));
  const labels = JSON.parse(readFileSync(join(dir, 'a.labels.json'), 'utf8')) as Array<{ alertType: string }>;
  assert.ok(labels.length >= 10, `${labels.length} labels`);
  const summary = /^(\d+) messages, (\d+) records, (\d+) labeled attacks$/m.exec(first.stderr);
  assert.ok(summary, first.stderr);
  assert.equal(Number(summary[1]), bodies.trim().split('\n').length);

  const parsed = run(['parse', join(dir, 'a.jsonl')]);
  assert.equal(parsed.status, 0);
  assert.match(parsed.stderr, new RegExp(`^${summary[1]} messages, ${summary[2]} records: ${summary[2]} events, 0 quarantined, 0 skipped$`, 'm'));
});

test('replay without an Event Hub configured says what to set', () => {
  const file = join(dir, 'one.jsonl');
  writeFileSync(file, `${JSON.stringify(envelope(gatewayLogsRecord()))}\n`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EVENTHUB_')));
  const result = spawnSync(process.execPath, [cli, 'replay', file, '--settings', join(dir, 'none.json')], { encoding: 'utf8', env });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /set EVENTHUB_CONNECTION/);
});
