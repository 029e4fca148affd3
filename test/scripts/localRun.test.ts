import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { envelope, gatewayLogsRecord } from '../fixtures/records';
import { startFakeEventHubs } from '../support/fakeEventHubs';

const localRun = join(__dirname, '..', '..', 'scripts', 'localRun.js');
const dir = mkdtempSync(join(tmpdir(), 'warden-local-'));
const children: ChildProcess[] = [];
after(() => children.forEach((child) => child.kill('SIGKILL')));

/** The environment without any API Warden or Event Hub setting of the developer's own. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(WARDEN_|EVENTHUB_|AZURE_)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Starts the local run on free ports, in memory, and resolves once it prints its health URL. */
async function start(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), input?: string) {
  const storage = args.includes('--data-dir') ? [] : ['--in-memory'];
  const child = spawn(
    process.execPath,
    [localRun, ...storage, '--port', '0', '--storage-port', '0', '--settings', join(dir, 'none.json'), ...args],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  if (input !== undefined) child.stdin.end(input);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await waitFor(() => /running at (http:\/\/localhost:\d+)\/api\//.exec(output)?.[1], () => output);
  return { child, url, output: () => output, exited };
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, context: () => string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Health {
  status: string;
  partitions: Array<{ partitionId: string; events: number; quarantined: number }>;
  quarantine: { total: number; byReason: Record<string, number> };
}

async function health(url: string): Promise<Health> {
  const response = await fetch(`${url}/api/health`);
  assert.equal(response.status, 200);
  return (await response.json()) as Health;
}

const totalEvents = (h: Health) => h.partitions.reduce((sum, p) => sum + p.events, 0);

test('npm start serves /api/health and the demo ingests generated traffic', async () => {
  const run = await start(['--demo-days', '1', '--demo-rate', '3000']);
  assert.match(run.output(), /storage {3}embedded Azurite at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 \(in memory\)/);
  assert.match(run.output(), /timer {5}purgeExpired on "0 30 2 \* \* \*"/);
  const report = await waitFor(async () => {
    const h = await health(run.url);
    return totalEvents(h) > 1000 ? h : undefined;
  }, run.output);
  assert.equal(report.status, 'ok');
  assert.ok(report.partitions.length > 1, 'the demo spreads traffic over several partitions');
  // The demo's scanner, Tor and threat-intel attacks need no baseline: their alerts show up at once.
  await waitFor(() => (/status .* [1-9]\d* alerts/.test(run.output()) ? true : undefined), run.output);
  assert.equal((await fetch(`${run.url}/api/nothing-here`)).status, 404);
  assert.equal((await fetch(`${run.url}/api/health`, { method: 'DELETE' })).status, 405);
  const post = (body: unknown) =>
    fetch(`${run.url}/api/actions/block-ip`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const invalid = await post({ addresses: ['not-an-ip'], reason: 'x' });
  assert.equal(invalid.status, 400);
  assert.equal(((await invalid.json()) as { error: { field: string } }).error.field, 'addresses.0');
  assert.equal((await post({ addresses: ['203.0.113.1'], reason: 'x' })).status, 503, 'no APIM service configured locally');
  // The alerts API over HTTP, as the dashboard and playbooks use it (a function key in `code` is accepted and ignored).
  const listed = await fetch(`${run.url}/api/alerts?status=Active&pageSize=5&code=local`);
  assert.equal(listed.status, 200);
  const [first] = ((await listed.json()) as { alerts: Array<{ systemAlertId: string }> }).alerts;
  assert.ok(first, 'the demo alerts are listed');
  const patched = await fetch(`${run.url}/api/alerts/${first.systemAlertId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'InProgress', comment: 'looking' }),
  });
  assert.equal(patched.status, 200);
  assert.equal(((await patched.json()) as { status: string }).status, 'InProgress');
  assert.equal((await fetch(`${run.url}/api/alerts?severity=Critical`)).status, 400);
  assert.equal((await fetch(`${run.url}/api/openapi.json`)).status, 200);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
});

test('with a data directory, a restart keeps the data and the demo resumes live traffic without replaying history again', async () => {
  const dataDir = join(dir, 'azurite-data');
  const args = ['--data-dir', dataDir, '--demo-days', '1', '--demo-rate', '2000'];
  const first = await start(args);
  assert.match(first.output(), new RegExp(`data in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const before = await waitFor(async () => {
    const h = await health(first.url);
    return /live traffic from/.test(first.output()) && totalEvents(h) > 0 ? totalEvents(h) : undefined;
  }, first.output);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  const second = await start(args);
  await waitFor(() => (/live traffic from/.test(second.output()) ? true : undefined), second.output);
  assert.doesNotMatch(second.output(), /replaying history/);
  assert.ok(totalEvents(await health(second.url)) >= before);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});

test('--replay ingests a file, quarantines its bad lines, and a second replay of it changes nothing', async () => {
  const file = join(dir, 'replay.jsonl');
  const lines = [
    JSON.stringify(envelope(gatewayLogsRecord(), gatewayLogsRecord({ callerIpAddress: '2001:db8::5' }))),
    'garbage',
    JSON.stringify(envelope(gatewayLogsRecord({ properties: { responseCode: 'OK' } }))),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  const run = await start(['--replay', file]);
  await waitFor(() => (/replay {4}done: 3 messages/.test(run.output()) ? true : undefined), run.output);
  const report = await health(run.url);
  assert.equal(totalEvents(report), 2);
  assert.deepEqual(report.quarantine.byReason, { invalid_json: 1, bad_status: 1 });
  assert.match(report.partitions[0]?.partitionId ?? '', /^file-replay\.jsonl-[0-9a-f]{12}$/);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
});

test('--replay - --exit-after-replay reads stdin and exits when done', async () => {
  const run = await start(['--replay', '-', '--exit-after-replay'], cleanEnv(), `${JSON.stringify(envelope(gatewayLogsRecord()))}\n`);
  assert.equal(await run.exited, 0);
  assert.match(run.output(), /replay {4}done: 1 messages from stdin/);
  assert.match(run.output(), /status {4}1 events in 1 partitions, 0 quarantined, 0 alerts/);
});

test('with an Event Hub configured, the local run consumes it through the SDK and checkpoints in Table Storage', async () => {
  const hubs = await startFakeEventHubs({ hubName: 'apim-logs', partitionCount: 2, consumerGroups: ['api-warden'] });
  try {
    hubs.send('0', [envelope(gatewayLogsRecord(), gatewayLogsRecord())]);
    hubs.send('1', [envelope(gatewayLogsRecord({ callerIpAddress: '198.51.100.9' })), 'not json at all']);
    const run = await start([], cleanEnv({ EVENTHUB_CONNECTION: hubs.connectionString }));
    assert.match(run.output(), /ingest {4}Event Hub "apim-logs", consumer group "api-warden"/);
    const report = await waitFor(async () => {
      const h = await health(run.url);
      return totalEvents(h) === 3 && h.quarantine.total === 1 ? h : undefined;
    }, run.output);
    assert.deepEqual(report.partitions.map((p) => p.partitionId), ['0', '1']);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  } finally {
    await hubs.stop();
  }
});
