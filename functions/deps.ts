import { getConfig, type Config } from '../shared/config';
import { systemClock, type Clock } from '../shared/ports';
import { IngestCache } from '../shared/services/ingestBatch';
import { TableEndpointActivityStore } from '../shared/storage/activityStore';
import { TableAlertStore } from '../shared/storage/alertStore';
import { TableBaselineStore } from '../shared/storage/baselineStore';
import { TableEvaluationCursorStore } from '../shared/storage/evaluationCursorStore';
import { TablePartitionStateStore } from '../shared/storage/partitionStateStore';
import { TableQuarantineStore } from '../shared/storage/quarantineStore';
import { TableSuppressionRuleStore } from '../shared/storage/suppressionRuleStore';
import { TableFactory, type TableFactoryOptions } from '../shared/storage/tables';
import { TableWindowStore } from '../shared/storage/windowStore';

/** Everything the handlers need, built once per process from the configuration. */
export interface AppDependencies {
  config: Config;
  clock: Clock;
  tables: TableFactory;
  windows: TableWindowStore;
  quarantine: TableQuarantineStore;
  partitions: TablePartitionStateStore;
  activity: TableEndpointActivityStore;
  baselines: TableBaselineStore;
  alerts: TableAlertStore;
  suppressionRules: TableSuppressionRuleStore;
  cursor: TableEvaluationCursorStore;
  ingestCache: IngestCache;
}

/** Builds the real dependencies. `tableOptions` lets tests add pipeline policies (failure injection, counting). */
export function createDependencies(
  config: Config,
  options: { clock?: Clock; tableOptions?: Partial<TableFactoryOptions> } = {},
): AppDependencies {
  const tables = new TableFactory(config.tables, config.tablePrefix, {
    maxAttempts: config.storageMaxAttempts,
    ...options.tableOptions,
  });
  return {
    config,
    clock: options.clock ?? systemClock,
    tables,
    windows: new TableWindowStore(tables),
    quarantine: new TableQuarantineStore(tables),
    partitions: new TablePartitionStateStore(tables),
    activity: new TableEndpointActivityStore(tables),
    baselines: new TableBaselineStore(tables),
    alerts: new TableAlertStore(tables),
    suppressionRules: new TableSuppressionRuleStore(tables),
    cursor: new TableEvaluationCursorStore(tables),
    ingestCache: new IngestCache(),
  };
}

let current: AppDependencies | undefined;

/** The process's dependencies, built on first use from app settings. */
export function getDependencies(): AppDependencies {
  current ??= createDependencies(getConfig());
  return current;
}

/** Replaces the process's dependencies (the local run and tests wire their own). */
export function setDependencies(dependencies: AppDependencies | undefined): void {
  current = dependencies;
}
