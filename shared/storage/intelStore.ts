/**
 * Threat-intel lists in Table Storage: lists of up to a few MB, written so that a reader never
 * sees a half-written one.
 *
 * Table layout (table `intel`):
 * - Pointer rows: PartitionKey `current`, RowKey the kind (`tor`, `threatIntel`); property
 *   `lists` holds the JSON array of the kind's published {@link IntelListVersion}s. Readers
 *   start here: one point read tells them which copies are current.
 * - Chunk rows: PartitionKey `f-<kind>-<feedId>`, RowKey `<version>-c<index>`, with the
 *   list's text cut into properties of 30,000 characters (chunkedText.ts; Table strings hold
 *   32K UTF-16 characters), 12 per entity (720 KB, under the 1 MiB entity limit).
 *
 * `write` creates a new version's chunk rows under a fresh version id, which nobody reads yet;
 * `publish` replaces the pointer row in one write, with an ETag condition so two concurrent
 * refreshes cannot overwrite each other. A read checks the text's length and sha256 against
 * the pointer, so a copy that was deleted or cut short is an error, never a short list.
 * After publishing, rows of versions that are neither current nor the previous copy of a
 * current list are deleted once they are older than a grace period (a concurrent refresh may
 * be writing them).
 */
import { createHash, randomBytes } from 'node:crypto';

import { odata, type TableClient, type TableEntity } from '@azure/data-tables';

import type { IntelKind } from '../core/intel';
import { DomainError } from '../errors';
import { systemClock, type Clock, type IntelListVersion, type IntelStore, type NewIntelList, type PublishedIntelLists } from '../ports';
import { CHARS_PER_PROPERTY, textFromProperties, textToProperties } from './chunkedText';
import { getEntityOrUndefined, MAX_TRANSACTION_ACTIONS, TableNames, type TableFactory } from './tables';

export const INTEL_TABLE = TableNames.intel;

const POINTER_PARTITION = 'current';
const PROPERTIES_PER_ENTITY = 12;
/** The pointer's JSON must fit one string property. */
const MAX_POINTER_CHARS = 30_000;
/** Versions nobody references are kept this long, in case a concurrent refresh is still writing them. */
export const DEFAULT_ORPHAN_GRACE_MS = 60 * 60 * 1000;

const VERSION = /^(\d{8}T\d{9}Z)-[0-9a-f]{8}$/;
const CHUNK_ROW = /^(\d{8}T\d{9}Z-[0-9a-f]{8})-c\d{4}$/;

interface PointerEntity extends TableEntity {
  lists: string;
  updatedAt: Date;
}

/** A slice of a list's text, in properties p0, p1, … with the count in pCount (see chunkedText). */
type ChunkEntity = TableEntity & Record<string, string | number>;

export interface TableIntelStoreOptions {
  clock?: Clock;
  /** See {@link DEFAULT_ORPHAN_GRACE_MS}. */
  orphanGraceMs?: number;
}

/** A stored list that is missing, incomplete or altered. */
export class IntelListIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntelListIntegrityError';
  }
}

/** sha256 of a list's text, hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `20260823T031500123Z`: sortable, key-safe UTC time with milliseconds. */
function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function versionTime(version: string): number | undefined {
  const match = VERSION.exec(version);
  if (match === null) return undefined;
  const t = match[1] as string;
  return Date.parse(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}.${t.slice(15, 18)}Z`);
}

function feedPartition(kind: IntelKind, feedId: string): string {
  return `f-${kind}-${feedId}`;
}

export class TableIntelStore implements IntelStore {
  private readonly clock: Clock;
  private readonly graceMs: number;

  constructor(
    private readonly tables: TableFactory,
    options: TableIntelStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.graceMs = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  }

  private async client(): Promise<TableClient> {
    return await this.tables.table(INTEL_TABLE);
  }

  async current(kind: IntelKind): Promise<PublishedIntelLists> {
    const client = await this.client();
    const entity = await getEntityOrUndefined<PointerEntity>(client, POINTER_PARTITION, kind);
    if (entity === undefined) return { lists: [] };
    const lists = JSON.parse(entity.lists) as IntelListVersion[];
    const result: PublishedIntelLists = { lists };
    if (typeof entity.etag === 'string') result.etag = entity.etag;
    return result;
  }

  async write(list: NewIntelList): Promise<IntelListVersion> {
    if (!/^[0-9a-z]{1,64}$/.test(list.feedId)) throw new TypeError(`feed id ${JSON.stringify(list.feedId)} is not key-safe`);
    const now = this.clock.now();
    const version = `${compactTime(now)}-${randomBytes(4).toString('hex')}`;
    const partitionKey = feedPartition(list.kind, list.feedId);
    const perEntity = CHARS_PER_PROPERTY * PROPERTIES_PER_ENTITY;
    const client = await this.client();
    for (let index = 0, offset = 0; offset < list.text.length || index === 0; index += 1, offset += perEntity) {
      const entity: ChunkEntity = {
        partitionKey,
        rowKey: `${version}-c${String(index).padStart(4, '0')}`,
        ...textToProperties(list.text.slice(offset, offset + perEntity), 'p'),
      };
      // Versions are new ids: create (not upsert), so a collision can never overwrite a list.
      await client.createEntity(entity);
    }
    const stored: IntelListVersion = {
      kind: list.kind,
      feedId: list.feedId,
      name: list.name,
      url: list.url,
      version,
      entries: list.entries,
      chars: list.text.length,
      sha256: sha256Hex(list.text),
      fetchedAt: list.fetchedAt,
      checkedAt: list.fetchedAt,
    };
    if (list.previousVersion !== undefined) stored.previousVersion = list.previousVersion;
    return stored;
  }

  async read(version: IntelListVersion): Promise<string> {
    const client = await this.client();
    const partitionKey = feedPartition(version.kind, version.feedId);
    // '-' < '.', so this range holds exactly the version's chunk rows, in order.
    const rows = client.listEntities<ChunkEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and RowKey ge ${`${version.version}-`} and RowKey lt ${`${version.version}.`}` },
    });
    const parts: string[] = [];
    const what = `intel list ${version.kind}/${version.name} version ${version.version}`;
    for await (const row of rows) {
      try {
        parts.push(textFromProperties(row, 'p'));
      } catch (error) {
        throw new IntelListIntegrityError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const text = parts.join('');
    if (parts.length === 0) throw new IntelListIntegrityError(`${what} is missing from storage`);
    if (text.length !== version.chars || sha256Hex(text) !== version.sha256) {
      throw new IntelListIntegrityError(`${what} is incomplete or altered (${text.length} of ${version.chars} characters)`);
    }
    return text;
  }

  async publish(
    kind: IntelKind,
    lists: readonly IntelListVersion[],
    etag: string | undefined,
  ): Promise<{ deleted: number; cleanupError?: string }> {
    for (const list of lists) {
      if (list.kind !== kind) throw new TypeError(`cannot publish a ${list.kind} list as ${kind}`);
    }
    const json = JSON.stringify(lists);
    if (json.length > MAX_POINTER_CHARS) throw new RangeError(`too many ${kind} feeds: their description exceeds ${MAX_POINTER_CHARS} characters`);
    const entity: PointerEntity = { partitionKey: POINTER_PARTITION, rowKey: kind, lists: json, updatedAt: this.clock.now() };
    const client = await this.client();
    try {
      if (etag === undefined) await client.createEntity(entity);
      else await client.updateEntity(entity, 'Replace', { etag });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 409 || status === 412) {
        throw new DomainError('conflict', `the ${kind} intel lists were changed by another refresh while this one ran; run it again`);
      }
      throw error;
    }
    try {
      return { deleted: await this.deleteUnused(client, kind, lists) };
    } catch (error) {
      return { deleted: 0, cleanupError: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Deletes chunk rows of the kind's versions that no published list needs and that are past the grace period. */
  private async deleteUnused(client: TableClient, kind: IntelKind, lists: readonly IntelListVersion[]): Promise<number> {
    const keep = new Set<string>();
    for (const list of lists) {
      keep.add(`${list.feedId}/${list.version}`);
      if (list.previousVersion !== undefined) keep.add(`${list.feedId}/${list.previousVersion}`);
    }
    const cutoff = this.clock.now().getTime() - this.graceMs;
    const prefix = `f-${kind}-`;
    const rows = client.listEntities({
      queryOptions: {
        filter: odata`PartitionKey ge ${prefix} and PartitionKey lt ${`f-${kind}.`}`,
        select: ['PartitionKey', 'RowKey'],
      },
    });
    const byPartition = new Map<string, string[]>();
    for await (const { partitionKey = '', rowKey = '' } of rows) {
      const version = CHUNK_ROW.exec(rowKey)?.[1];
      if (version === undefined) continue;
      const feedId = partitionKey.slice(prefix.length);
      if (keep.has(`${feedId}/${version}`)) continue;
      const written = versionTime(version);
      if (written === undefined || written > cutoff) continue;
      const keys = byPartition.get(partitionKey) ?? [];
      keys.push(rowKey);
      byPartition.set(partitionKey, keys);
    }
    let deleted = 0;
    for (const [partitionKey, rowKeys] of byPartition) {
      for (let i = 0; i < rowKeys.length; i += MAX_TRANSACTION_ACTIONS) {
        const chunk = rowKeys.slice(i, i + MAX_TRANSACTION_ACTIONS);
        await client.submitTransaction(chunk.map((rowKey) => ['delete', { partitionKey, rowKey }]));
        deleted += chunk.length;
      }
    }
    return deleted;
  }
}
