/**
 * Builds the shipped intel snapshot (shared/intel/) from the public evaluation data beside the
 * repository (../shared/data, see its SOURCES.md):
 *
 * - Tor: tor/tor-exit-relay-ips-2026-08-22.txt (addresses of relays flagged Exit);
 * - threat intel: threat-intel/ipsum-level3-2026-08-22.txt (IPsum, IPs on 3 or more
 *   blocklists), each IP with its blocklist count from ipsum-2026-08-22.txt.gz of the same
 *   commit, so alerts can quote the count as the confidence.
 *
 * Each list is parsed with the app's own strict parser (a bad line fails the build), written in
 * feed format with a comment header naming source and license, and gzipped. manifest.json
 * records names, dates, counts and the sha256 of the uncompressed text, which the loader checks.
 *
 * Usage, after `npx tsc -p .`:
 *   node dist/scripts/buildIntelSnapshot.js [--data DIR] [--out DIR] [--check]
 * `--check` writes nothing and exits 1 when the files in --out differ from what the data gives
 * (it compares the uncompressed text: gzip bytes vary between zlib versions).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import { formatFeed, parseFeed, type IntelEntry, type IntelKind } from '../shared/core/intel';
import { readSnapshotText, SNAPSHOT_MANIFEST, type SnapshotFeed, type SnapshotManifest } from '../shared/intel/snapshot';

/** Repository root, from dist/scripts. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_DATA_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data');
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, 'shared', 'intel');

export const SNAPSHOT_DATE = '2026-08-22';

const TOR_FILE = 'tor/tor-exit-relay-ips-2026-08-22.txt';
const IPSUM_LEVEL3_FILE = 'threat-intel/ipsum-level3-2026-08-22.txt';
const IPSUM_FULL_FILE = 'threat-intel/ipsum-2026-08-22.txt.gz';

const TOR_SOURCE =
  'GitHub alireza-rezaee/tor-nodes, latest.exits.csv at commit 47d10e9b196487735fecfcdb2a77cd85fbfb91ec (2026-08-22 21:13 UTC, hourly sync from Tor relay data), column ipaddr, unique';
const IPSUM_SOURCE =
  'GitHub stamparm/ipsum, levels/3.txt at commit 5a7c15f3670357672b8c11e2da5d37f6b4cc1982 (Last update: Sat, 22 Aug 2026 03:00:29 +0200), counts from ipsum.txt of the same commit';

export interface BuiltFile {
  feed: SnapshotFeed;
  text: string;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function readData(dataDir: string, file: string): string {
  const full = path.join(dataDir, file);
  const raw = readFileSync(full);
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** Parses a source list strictly: any bad line is an error naming it. */
function strictEntries(dataDir: string, file: string): IntelEntry[] {
  const parsed = parseFeed(readData(dataDir, file));
  const bad = parsed.rejected[0];
  if (bad !== undefined) throw new Error(`${file} line ${bad.line}: ${bad.reason}: ${bad.text}`);
  return parsed.entries;
}

function built(kind: IntelKind, name: string, file: string, entries: IntelEntry[], source: string, license: string, description: string): BuiltFile {
  const text = formatFeed(entries, [
    `${description}, ${SNAPSHOT_DATE}: ${entries.length} entries`,
    `Source: ${source}`,
    `License: ${license}`,
    'Shipped with API Warden as the default list until the first refresh; built by scripts/buildIntelSnapshot.ts',
  ]);
  return {
    feed: { kind, name, file, snapshotDate: SNAPSHOT_DATE, entries: entries.length, chars: text.length, sha256: sha256Hex(text), source, license },
    text,
  };
}

/** The snapshot's files, built in memory from the data directory. */
export function buildSnapshot(dataDir = DEFAULT_DATA_DIR): { manifest: SnapshotManifest; files: BuiltFile[] } {
  const tor = strictEntries(dataDir, TOR_FILE);

  const counts = new Map<string, number>();
  for (const entry of strictEntries(dataDir, IPSUM_FULL_FILE)) {
    if (entry.confidence === undefined) throw new Error(`${IPSUM_FULL_FILE}: ${entry.value} has no count`);
    counts.set(entry.value, entry.confidence);
  }
  const ipsum = strictEntries(dataDir, IPSUM_LEVEL3_FILE).map((entry) => {
    const count = counts.get(entry.value);
    if (count === undefined || count < 3) throw new Error(`${IPSUM_LEVEL3_FILE}: ${entry.value} has count ${count} in ${IPSUM_FULL_FILE}`);
    return { value: entry.value, confidence: count };
  });

  const files = [
    built('tor', 'tor-exit-relays', `tor-exit-relays-${SNAPSHOT_DATE}.txt.gz`, tor, TOR_SOURCE, 'MIT (c) 2024 Alireza-Rezaee', 'Tor exit relay addresses (relays flagged Exit)'),
    built('threatIntel', 'ipsum-level3', `ipsum-level3-${SNAPSHOT_DATE}.txt.gz`, ipsum, IPSUM_SOURCE, 'The Unlicense (public domain)', 'IPsum level >= 3 (IP<TAB>number of blocklists naming it)'),
  ];
  return { manifest: { snapshotDate: SNAPSHOT_DATE, feeds: files.map((f) => f.feed) }, files };
}

/** gzip with a fixed header (no time, OS "unknown"), so the same text gives the same file on any OS with the same zlib. */
export function deterministicGzip(text: string): Buffer {
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  gz[9] = 0xff;
  return gz;
}

/** Writes the snapshot; returns each file's compressed size. */
export function writeSnapshot(outDir: string, snapshot: ReturnType<typeof buildSnapshot>): Map<string, number> {
  mkdirSync(outDir, { recursive: true });
  const sizes = new Map<string, number>();
  for (const file of snapshot.files) {
    const gz = deterministicGzip(file.text);
    writeFileSync(path.join(outDir, file.feed.file), gz);
    sizes.set(file.feed.file, gz.length);
  }
  writeFileSync(path.join(outDir, SNAPSHOT_MANIFEST), `${JSON.stringify(snapshot.manifest, null, 2)}\n`);
  return sizes;
}

/** Differences between the files in outDir and the snapshot; [] when up to date. */
export function checkSnapshot(outDir: string, snapshot: ReturnType<typeof buildSnapshot>): string[] {
  const problems: string[] = [];
  const manifestPath = path.join(outDir, SNAPSHOT_MANIFEST);
  if (!existsSync(manifestPath)) return [`${manifestPath} is missing`];
  if (readFileSync(manifestPath, 'utf8') !== `${JSON.stringify(snapshot.manifest, null, 2)}\n`) problems.push(`${manifestPath} differs`);
  for (const file of snapshot.files) {
    try {
      if (readSnapshotText(file.feed, outDir) !== file.text) problems.push(`${file.feed.file} differs`);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}

function main(args: string[]): number {
  let dataDir = DEFAULT_DATA_DIR;
  let outDir = DEFAULT_OUT_DIR;
  let check = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--data' && args[i + 1] !== undefined) dataDir = path.resolve(args[(i += 1)] as string);
    else if (arg === '--out' && args[i + 1] !== undefined) outDir = path.resolve(args[(i += 1)] as string);
    else if (arg === '--check') check = true;
    else {
      process.stderr.write(`usage: buildIntelSnapshot [--data DIR] [--out DIR] [--check]\nunknown argument ${arg}\n`);
      return 2;
    }
  }
  const snapshot = buildSnapshot(dataDir);
  if (check) {
    const problems = checkSnapshot(outDir, snapshot);
    for (const problem of problems) process.stderr.write(`${problem}\n`);
    process.stdout.write(problems.length === 0 ? `intel snapshot in ${outDir} is up to date\n` : '');
    return problems.length === 0 ? 0 : 1;
  }
  const sizes = writeSnapshot(outDir, snapshot);
  for (const file of snapshot.files) {
    process.stdout.write(`${file.feed.file}: ${file.feed.entries} entries, ${file.text.length} bytes, ${sizes.get(file.feed.file)} gzipped\n`);
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
