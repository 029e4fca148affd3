import type { TableEntity } from '@azure/data-tables';

import type { SuppressionRule } from '../core/alerts';
import { escapeKeyPart } from '../core/requestEvent';
import type { SuppressionRuleStore } from '../ports';
import { getEntityOrUndefined, isNotFound, TableNames, type TableFactory } from './tables';

/** Table layout: one partition `rule`, RowKey = rule id, the rule as JSON. Rules are few; detection reads them all. */
interface RuleEntity extends TableEntity {
  rule: string;
}

export class TableSuppressionRuleStore implements SuppressionRuleStore {
  constructor(private readonly tables: TableFactory) {}

  async list(): Promise<SuppressionRule[]> {
    const client = await this.tables.table(TableNames.suppressionRules);
    const rules: SuppressionRule[] = [];
    for await (const row of client.listEntities<RuleEntity>()) rules.push(JSON.parse(row.rule) as SuppressionRule);
    return rules;
  }

  async get(id: string): Promise<SuppressionRule | undefined> {
    const client = await this.tables.table(TableNames.suppressionRules);
    const row = await getEntityOrUndefined<RuleEntity>(client, 'rule', escapeKeyPart(id));
    return row === undefined ? undefined : (JSON.parse(row.rule) as SuppressionRule);
  }

  async delete(id: string): Promise<boolean> {
    const client = await this.tables.table(TableNames.suppressionRules);
    try {
      await client.deleteEntity('rule', escapeKeyPart(id));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async put(rule: SuppressionRule): Promise<void> {
    const client = await this.tables.table(TableNames.suppressionRules);
    await client.upsertEntity<RuleEntity>({ partitionKey: 'rule', rowKey: escapeKeyPart(rule.id), rule: JSON.stringify(rule) }, 'Replace');
  }
}
