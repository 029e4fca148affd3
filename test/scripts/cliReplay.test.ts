import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { envelope, gatewayLogsRecord } from '../fixtures/records';
import { startFakeEventHubs } from '../support/fakeEventHubs';

const cli = join(__dirname, '..', '..', 'scripts', 'cli.js');

test('replay sends every line to the Event Hub, keyed by client IP so one client stays in one partition', async () => {
  const hubs = await startFakeEventHubs({ hubName: 'apim-logs', partitionCount: 4 });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'warden-replay-'));
    const file = join(dir, 'logs.jsonl');
    const ips = ['198.51.100.1', '198.51.100.2', '2001:db8::3'];
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify(envelope(gatewayLogsRecord({ callerIpAddress: ips[i % 3] }))));
    writeFileSync(file, `${lines.join('\n')}\nnot json\n`);
    const env = { ...process.env, EVENTHUB_CONNECTION: hubs.connectionString, EVENTHUB_NAME: 'apim-logs' };
    const child = spawn(process.execPath, [cli, 'replay', file, '--settings', join(dir, 'none.json')], { env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /31 events sent to apim-logs/);

    const stored = ['0', '1', '2', '3'].flatMap((partitionId) => hubs.events(partitionId));
    assert.equal(stored.length, 31);
    for (const ip of ips) {
      const partitions = new Set(stored.filter((e) => e.partitionKey === ip).map((e) => e.partitionId));
      assert.equal(partitions.size, 1, `${ip} stays in one partition`);
      assert.equal(stored.filter((e) => e.partitionKey === ip).length, 10);
    }
    const unkeyed = stored.filter((e) => e.partitionKey === undefined);
    assert.equal(unkeyed.length, 1);
  } finally {
    await hubs.stop();
  }
});
