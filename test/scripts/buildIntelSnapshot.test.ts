import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { buildSnapshot, checkSnapshot, DEFAULT_OUT_DIR, writeSnapshot } from '../../scripts/buildIntelSnapshot';
import { readSnapshotLists } from '../../shared/intel/snapshot';

describe('scripts/buildIntelSnapshot', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'warden-snapshot-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const snapshot = buildSnapshot();

  test('the shipped snapshot is what ../shared/data gives', () => {
    assert.deepEqual(checkSnapshot(DEFAULT_OUT_DIR, snapshot), []);
  });

  test('builds Tor and IPsum level 3 with blocklist counts, source and license in the header', () => {
    const [tor, ipsum] = snapshot.files;
    assert.equal(tor?.feed.entries, 2277);
    assert.equal(ipsum?.feed.entries, 14_217);
    assert.match(tor?.text ?? '', /^# .*\n# Source: GitHub alireza-rezaee\/tor-nodes.*\n# License: MIT/);
    assert.match(ipsum?.text ?? '', /\n77\.90\.185\.20\t10\n/);
    assert.match(ipsum?.feed.license ?? '', /Unlicense/);
  });

  test('writes loadable, deterministic gzip files', () => {
    const out = path.join(scratch, 'out');
    const sizes = writeSnapshot(out, snapshot);
    for (const [file, size] of sizes) assert.ok(size < 300 * 1024, `${file}: ${size}`);
    assert.deepEqual(checkSnapshot(out, snapshot), []);
    const lists = readSnapshotLists(out);
    assert.equal(lists.tor.size + lists.threatIntel.size, 2277 + 14_217);
    const file = snapshot.files[0]?.feed.file as string;
    const bytes = readFileSync(path.join(out, file));
    assert.equal(bytes.readUInt32LE(4), 0, 'no timestamp');
    assert.equal(bytes[9], 0xff, 'OS unknown');
    assert.equal(gunzipSync(bytes).toString('utf8'), snapshot.files[0]?.text);
  });

  test('--check reports stale files', () => {
    const stale = { ...snapshot, files: snapshot.files.map((f, i) => (i === 0 ? { ...f, text: `${f.text}203.0.113.7\n` } : f)) };
    const problems = checkSnapshot(DEFAULT_OUT_DIR, stale);
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /tor-exit-relays-2026-08-22\.txt\.gz differs/);
  });
});
