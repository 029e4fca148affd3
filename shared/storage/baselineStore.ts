import type { BaselineStore } from '../ports';
import { TableNames, type TableFactory } from './tables';
import { VersionedTextTable } from './versionedText';

/** Baselines of each kind ("traffic", "content", …), versioned in the baselines table (see VersionedTextTable). */
export class TableBaselineStore extends VersionedTextTable implements BaselineStore {
  constructor(tables: TableFactory) {
    super(tables, TableNames.baselines);
  }
}
