import { randomBytes } from 'node:crypto';

import { odata, type TableEntity } from '@azure/data-tables';

import type { StoredBaseline } from '../ports';
import { CHARS_PER_PROPERTY, textFromProperties, textToProperties } from './chunkedText';
import { deleteWhere, getEntityOrUndefined, type TableFactory, type TableName } from './tables';

/**
 * Texts of any length, versioned per kind, in one table. Each stored version of a kind is a
 * partition `<kind>-<version>` of chunk rows `c0000`, `c0001`, … (≈ 300K characters each); the
 * pointer row `current/<kind>` names the current version. A new version is written in full
 * before the pointer moves to it, so readers never see a half-written text; the version it
 * replaced is then deleted.
 */
const POINTER_PARTITION = 'current';
const CHARS_PER_ROW = 10 * CHARS_PER_PROPERTY;

interface PointerEntity extends TableEntity {
  version: string;
  asOf: number;
  chars: number;
}

export class VersionedTextTable {
  constructor(
    private readonly tables: TableFactory,
    private readonly tableName: TableName,
  ) {}

  /** Stores a new version of `kind` and makes it current; returns its version id. `asOf` is kept with it (epoch ms). */
  async write(kind: string, text: string, asOf: number): Promise<string> {
    const client = await this.tables.table(this.tableName);
    const version = `${new Date(asOf).toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    for (let i = 0, row = 0; i < text.length || row === 0; i += CHARS_PER_ROW, row += 1) {
      await client.upsertEntity({
        partitionKey: `${kind}-${version}`,
        rowKey: `c${String(row).padStart(4, '0')}`,
        ...textToProperties(text.slice(i, i + CHARS_PER_ROW), 'p'),
      });
    }
    const previous = await this.pointer(kind);
    await client.upsertEntity<PointerEntity>({ partitionKey: POINTER_PARTITION, rowKey: kind, version, asOf, chars: text.length }, 'Replace');
    if (previous !== undefined) await deleteWhere(client, odata`PartitionKey eq ${`${kind}-${previous.version}`}`);
    return version;
  }

  /** The current version of `kind`; throws when its rows are incomplete. */
  async read(kind: string): Promise<StoredBaseline | undefined> {
    const pointer = await this.pointer(kind);
    if (pointer === undefined) return undefined;
    const client = await this.tables.table(this.tableName);
    let text = '';
    const rows = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${`${kind}-${pointer.version}`}` } });
    for await (const row of rows) text += textFromProperties(row, 'p');
    if (text.length !== pointer.chars) throw new Error(`${kind} version ${pointer.version} is incomplete (${text.length} of ${pointer.chars} characters)`);
    return { text, asOf: pointer.asOf, version: pointer.version };
  }

  async currentVersion(kind: string): Promise<string | undefined> {
    return (await this.pointer(kind))?.version;
  }

  private async pointer(kind: string): Promise<PointerEntity | undefined> {
    const client = await this.tables.table(this.tableName);
    return await getEntityOrUndefined<PointerEntity>(client, POINTER_PARTITION, kind);
  }
}
