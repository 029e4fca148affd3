import type { TableEntity } from '@azure/data-tables';

import type { AutomationRule, SuppressionRule } from '../core/alerts';
import { escapeKeyPart } from '../core/requestEvent';
import type { AutomationRuleStore, SuppressionRuleStore } from '../ports';
import { getEntityOrUndefined, isNotFound, TableNames, type TableFactory, type TableName } from './tables';

/** Table layout: one partition `rule`, RowKey = rule id, the rule as JSON. Rules are few; their readers read them all. */
interface RuleEntity extends TableEntity {
  rule: string;
}

/** Rules kept whole as JSON in a table of their own. */
class JsonRuleStore<T extends { id: string }> {
  constructor(
    private readonly tables: TableFactory,
    private readonly tableName: TableName,
  ) {}

  async list(): Promise<T[]> {
    const client = await this.tables.table(this.tableName);
    const rules: T[] = [];
    for await (const row of client.listEntities<RuleEntity>()) rules.push(JSON.parse(row.rule) as T);
    return rules;
  }

  async get(id: string): Promise<T | undefined> {
    const client = await this.tables.table(this.tableName);
    const row = await getEntityOrUndefined<RuleEntity>(client, 'rule', escapeKeyPart(id));
    return row === undefined ? undefined : (JSON.parse(row.rule) as T);
  }

  async delete(id: string): Promise<boolean> {
    const client = await this.tables.table(this.tableName);
    try {
      await client.deleteEntity('rule', escapeKeyPart(id));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async put(rule: T): Promise<void> {
    const client = await this.tables.table(this.tableName);
    await client.upsertEntity<RuleEntity>({ partitionKey: 'rule', rowKey: escapeKeyPart(rule.id), rule: JSON.stringify(rule) }, 'Replace');
  }
}

export class TableSuppressionRuleStore extends JsonRuleStore<SuppressionRule> implements SuppressionRuleStore {
  constructor(tables: TableFactory) {
    super(tables, TableNames.suppressionRules);
  }
}

export class TableAutomationRuleStore extends JsonRuleStore<AutomationRule> implements AutomationRuleStore {
  constructor(tables: TableFactory) {
    super(tables, TableNames.automationRules);
  }
}
