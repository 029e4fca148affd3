import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { IntelSet, parseFeed, type IntelLists } from '../shared/core/intel';
import { loadSnapshotLists } from '../shared/intel/snapshot';

/**
 * The intel lists for offline runs: the shipped snapshot, with either kind replaced by a file
 * (one IP or CIDR per line, # comments, an optional count column as in IPsum, .gz accepted).
 */
export async function intelListsFromFiles(files: { tor?: string; threatIntel?: string }): Promise<IntelLists> {
  const snapshot = loadSnapshotLists();
  return {
    tor: files.tor === undefined ? snapshot.tor : await readList(files.tor),
    threatIntel: files.threatIntel === undefined ? snapshot.threatIntel : await readList(files.threatIntel),
  };
}

async function readList(file: string): Promise<IntelSet> {
  const raw = await readFile(file);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const parsed = parseFeed(text);
  return IntelSet.build({ name: basename(file), snapshotDate: 'file' }, parsed.entries);
}
