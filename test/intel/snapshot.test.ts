import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { loadSnapshotLists, readSnapshotLists, readSnapshotManifest, snapshotDirectory } from '../../shared/intel/snapshot';

/** Repository root, from dist/test/intel. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

describe('intel snapshot loader (compiled)', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'warden-intel-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('finds the data files at the package root from dist/', () => {
    assert.ok(__dirname.includes(`${path.sep}dist${path.sep}`));
    assert.equal(snapshotDirectory(), path.join(REPO_ROOT, 'shared', 'intel'));
  });

  test('loads both lists with their names, dates and counts', () => {
    const manifest = readSnapshotManifest();
    assert.equal(manifest.snapshotDate, '2026-08-22');
    const lists = loadSnapshotLists();
    assert.equal(lists.tor.size, 2277);
    assert.equal(lists.threatIntel.size, 14_217);
    assert.deepEqual(
      lists.threatIntel.feeds.map((f) => [f.name, f.snapshotDate]),
      [['ipsum-level3', '2026-08-22']],
    );
    assert.equal(lists.threatIntel.lookup('77.90.185.20')?.confidence, 10);
    assert.equal(loadSnapshotLists(), lists, 'loaded once per process');
  });

  test('keeps each file small', () => {
    for (const feed of readSnapshotManifest().feeds) {
      const size = readFileSync(path.join(snapshotDirectory(), feed.file)).length;
      assert.ok(size < 300 * 1024, `${feed.file} is ${size} bytes`);
    }
  });

  test('refuses files that do not match the manifest', () => {
    const dir = path.join(scratch, 'tampered');
    const source = snapshotDirectory();
    const manifest = readSnapshotManifest();
    mkdirSync(dir);
    copyFileSync(path.join(source, 'manifest.json'), path.join(dir, 'manifest.json'));
    for (const feed of manifest.feeds) copyFileSync(path.join(source, feed.file), path.join(dir, feed.file));
    assert.equal(readSnapshotLists(dir).tor.size, 2277);
    const tor = manifest.feeds.find((f) => f.kind === 'tor');
    assert.ok(tor !== undefined);
    writeFileSync(path.join(dir, tor.file), gzipSync('203.0.113.7\n'));
    assert.throws(() => readSnapshotLists(dir), /does not match manifest\.json/);
  });
});
