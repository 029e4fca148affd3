import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIpListFile, runGenerate } from '../../scripts/generate';
import type { Label } from '../../shared/generator';
import { INTEL_FULL_GZ, INTEL_LEVEL3, TOR_LIST } from './support';

describe('runGenerate', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gen-test-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

  test('writes one message per line and a JSON array of labels, counts matching', async () => {
    const out = path.join(dir, 'messages.jsonl');
    const labels = path.join(dir, 'labels.json');
    const result = await runGenerate({ seed: 4, days: 2, out, labels, requestsPerDay: 2500, torList: TOR_LIST, intelList: INTEL_LEVEL3, start: '2026-11-02T00:00:00Z' });
    const lines = readFileSync(out, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a newline');
    assert.equal(lines.length, result.messages);
    let records = 0;
    for (const line of lines) records += (JSON.parse(line) as { records: unknown[] }).records.length;
    assert.equal(records, result.records);
    const parsed = JSON.parse(readFileSync(labels, 'utf8')) as Label[];
    assert.ok(Array.isArray(parsed));
    assert.equal(parsed.length, result.labels);
    assert.equal(result.labels, 13);
    assert.deepEqual(result.skipped, []);
  });

  test('the same options write identical files', async () => {
    const run = async (name: string): Promise<string> => {
      const out = path.join(dir, `${name}.jsonl`);
      await runGenerate({ seed: 5, days: 1, out, labels: path.join(dir, `${name}.json`), requestsPerDay: 1500 });
      return readFileSync(out, 'utf8');
    };
    assert.equal(await run('a'), await run('b'));
  });

  test('without lists the Tor and suspicious-IP attacks are skipped', async () => {
    const result = await runGenerate({ seed: 6, days: 1, out: path.join(dir, 'c.jsonl'), labels: path.join(dir, 'c.json'), requestsPerDay: 1500 });
    assert.equal(result.labels, 11);
    assert.deepEqual(result.skipped.map((s) => s.alertType).sort(), ['API_AccessFromSuspiciousIP', 'API_AccessFromTorExitNode']);
  });

  test('reads IP lists with comments, IPsum "IP<TAB>count" lines and gzip', async () => {
    const plain = path.join(dir, 'list.txt');
    writeFileSync(plain, '# exits\n\n185.220.101.1\n2a0b:f4c2:0000::1  # v6\n45.95.147.236\t7\nnot-an-ip\n');
    assert.deepEqual(await readIpListFile(plain), ['185.220.101.1', '2a0b:f4c2::1', '45.95.147.236']);
    const gz = path.join(dir, 'list.txt.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    assert.deepEqual(await readIpListFile(gz), ['185.220.101.1', '2a0b:f4c2::1', '45.95.147.236']);
    const ipsum = await readIpListFile(INTEL_FULL_GZ);
    assert.equal(ipsum.length, 120_430);
  });

  test('an invalid start is rejected', async () => {
    await assert.rejects(runGenerate({ seed: 1, days: 1, out: path.join(dir, 'x'), labels: path.join(dir, 'y'), start: 'yesterday' }), /start/);
  });

  test('a write error is reported, not swallowed', async () => {
    await assert.rejects(runGenerate({ seed: 1, days: 0.1, out: path.join(dir, 'missing-dir', 'x.jsonl'), labels: path.join(dir, 'y.json') }), /ENOENT/);
  });
});
