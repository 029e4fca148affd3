import type { TableEntity } from '@azure/data-tables';

import type { SuppressionRule } from '../core/alerts';
import { escapeKeyPart } from '../core/requestEvent';
import type { SuppressionRuleStore } from '../ports';
import { TableNames, type TableFactory } from './tables';

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

  async put(rule: SuppressionRule): Promise<void> {
    const client = await this.tables.table(TableNames.suppressionRules);
    await client.upsertEntity<RuleEntity>({ partitionKey: 'rule', rowKey: escapeKeyPart(rule.id), rule: JSON.stringify(rule) }, 'Replace');
  }
}
