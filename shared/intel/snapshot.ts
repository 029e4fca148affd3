/**
 * The shipped intel snapshot: the Tor exit list and IPsum level ≥ 3 as of 2026-08-22, the
 * lists the detectors use until the first refresh has stored newer ones (and whenever none
 * is configured). See README.md beside this file for sources and licenses, and
 * scripts/buildIntelSnapshot.ts for how the files are made.
 *
 * The data files are not TypeScript, so `tsc` does not copy them to dist/: they stay in
 * shared/intel/ at the package root (deployed with the sources; .funcignore keeps shared/), and
 * this module finds them from either place it can run from: beside itself (sources), or
 * three levels up from dist/shared/intel.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { IntelSet, parseFeed, type IntelKind, type IntelLists } from '../core/intel';

export const SNAPSHOT_MANIFEST = 'manifest.json';

/** One shipped list. */
export interface SnapshotFeed {
  kind: IntelKind;
  /** Feed name quoted in alerts. */
  name: string;
  /** Gzipped feed-format file beside the manifest. */
  file: string;
  /** The day the source published the list, YYYY-MM-DD. */
  snapshotDate: string;
  entries: number;
  /** Length and sha256 (hex) of the uncompressed text, checked when loading. */
  chars: number;
  sha256: string;
  /** Where the list comes from (repository, file, commit). */
  source: string;
  license: string;
}

export interface SnapshotManifest {
  snapshotDate: string;
  feeds: SnapshotFeed[];
}

/** Where the snapshot files are, from the sources or from the compiled app; throws when neither has them. */
export function snapshotDirectory(): string {
  const candidates = [__dirname, path.resolve(__dirname, '..', '..', '..', 'shared', 'intel')];
  for (const dir of candidates) {
    if (existsSync(path.join(dir, SNAPSHOT_MANIFEST))) return dir;
  }
  throw new Error(`intel snapshot not found: no ${SNAPSHOT_MANIFEST} in ${candidates.join(' or ')}`);
}

export function readSnapshotManifest(dir = snapshotDirectory()): SnapshotManifest {
  return JSON.parse(readFileSync(path.join(dir, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest;
}

/** A shipped list's text (feed format), verified against the manifest. */
export function readSnapshotText(feed: SnapshotFeed, dir = snapshotDirectory()): string {
  const file = path.join(dir, feed.file);
  const raw = readFileSync(file);
  const text = (feed.file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  if (text.length !== feed.chars || createHash('sha256').update(text, 'utf8').digest('hex') !== feed.sha256) {
    throw new Error(`intel snapshot ${file} does not match ${SNAPSHOT_MANIFEST}; rebuild it with scripts/buildIntelSnapshot.ts`);
  }
  return text;
}

/** Builds the lists from the snapshot files in a directory (no caching). */
export function readSnapshotLists(dir = snapshotDirectory()): IntelLists {
  const manifest = readSnapshotManifest(dir);
  const sets: Record<IntelKind, IntelSet[]> = { tor: [], threatIntel: [] };
  for (const feed of manifest.feeds) {
    const parsed = parseFeed(readSnapshotText(feed, dir));
    if (parsed.rejected.length > 0 || parsed.entries.length !== feed.entries) {
      throw new Error(`intel snapshot ${feed.file}: ${parsed.entries.length} entries and ${parsed.rejected.length} bad lines, expected ${feed.entries} entries`);
    }
    sets[feed.kind].push(IntelSet.build({ name: feed.name, snapshotDate: feed.snapshotDate }, parsed.entries));
  }
  return { tor: IntelSet.mergeAll(sets.tor), threatIntel: IntelSet.mergeAll(sets.threatIntel) };
}

let cached: IntelLists | undefined;

/** The shipped lists, loaded once per process (about 50 ms) and then shared. */
export function loadSnapshotLists(): IntelLists {
  cached ??= readSnapshotLists();
  return cached;
}

/** The single addresses (not networks) of the snapshot's lists of a kind: attackers for the demo and tests. */
export function snapshotAddresses(kind: IntelKind, dir = snapshotDirectory()): string[] {
  return readSnapshotManifest(dir)
    .feeds.filter((feed) => feed.kind === kind)
    .flatMap((feed) => parseFeed(readSnapshotText(feed, dir)).entries.map((entry) => entry.value))
    .filter((value) => !value.includes('/'));
}
