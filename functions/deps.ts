import type { TokenCredential } from '@azure/core-auth';
import type { ApiManagementClientOptionalParams } from '@azure/arm-apimanagement';

import { createAlertExporter, type AlertExporterOptions } from '../shared/azure/alertExporter';
import { createApimInventoryReader } from '../shared/azure/apimInventory';
import { createApimPolicyClient } from '../shared/azure/apimPolicies';
import { sdkConnection } from '../shared/azure/eventHubSource';
import { createPlaybookRunner, type PlaybookRunnerOptions } from '../shared/azure/logicApps';
import { createCredential } from '../shared/azure/credential';
import { getConfig, type Config } from '../shared/config';
import type { SuppressionRule } from '../shared/core/alerts';
import type { InstantDetector } from '../shared/core/detectors/instant';
import { SuspiciousIpDetector } from '../shared/core/detectors/suspiciousIp';
import { SuspiciousUserAgentDetector } from '../shared/core/detectors/suspiciousUserAgent';
import { TorExitNodeDetector } from '../shared/core/detectors/torExitNode';
import { DomainError } from '../shared/errors';
import { systemClock, type AlertExporter, type Clock, type InventoryReader, type Logger, type PlaybookRunner, type PolicyClient } from '../shared/ports';
import type { DispatchDependencies } from '../shared/services/dispatchAlerts';
import { IngestCache, type IngestDependencies, type InstantDetection } from '../shared/services/ingestBatch';
import { CachedInstantDetectors } from '../shared/services/instantDetectors';
import { IntelListsCache } from '../shared/services/refreshIntel';
import { TableEndpointActivityStore } from '../shared/storage/activityStore';
import { TableActionStore } from '../shared/storage/actionStore';
import { TableAlertOutbox } from '../shared/storage/alertOutbox';
import { TableAlertStore } from '../shared/storage/alertStore';
import { TableBaselineStore } from '../shared/storage/baselineStore';
import { TableEndpointStatusStore } from '../shared/storage/endpointStatusStore';
import { TableEvaluationCursorStore } from '../shared/storage/evaluationCursorStore';
import { TableIntelStore } from '../shared/storage/intelStore';
import { TableInventoryStore } from '../shared/storage/inventoryStore';
import { TablePartitionStateStore } from '../shared/storage/partitionStateStore';
import { TableQuarantineStore } from '../shared/storage/quarantineStore';
import { TableAutomationRuleStore, TableSuppressionRuleStore } from '../shared/storage/ruleStores';
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
  outbox: TableAlertOutbox;
  suppressionRules: TableSuppressionRuleStore;
  automationRules: TableAutomationRuleStore;
  cursor: TableEvaluationCursorStore;
  endpointStatuses: TableEndpointStatusStore;
  intel: TableIntelStore;
  intelLists: IntelListsCache;
  ingestCache: IngestCache;
  instantDetectors: CachedInstantDetectors;
  actions: TableActionStore;
  /** The APIM inventory as last synced, and the sync's status. */
  inventory: TableInventoryStore;
  /** The configured APIM service's policies; throws `unavailable` when no service is configured. */
  policies(): PolicyClient;
  /** Reads the configured APIM service's inventory; undefined when no service is configured. */
  inventoryReader(): InventoryReader | undefined;
  /** Runs Logic App playbooks through ARM with the app's identity. */
  playbooks(): PlaybookRunner;
  /** The SIEM export hub; undefined when WARDEN_ALERT_EXPORT_HUB is not set. */
  exporter?: AlertExporter;
  /** The ingest path's instant detection: patterns, intel and the current content baselines. */
  detection: InstantDetection;
}

/** How long the ingest path reuses the suppression rules it read. */
const RULES_TTL_MS = 60_000;

/** Builds the real dependencies. `tableOptions` lets tests add pipeline policies (failure injection, counting). */
export function createDependencies(
  config: Config,
  options: {
    clock?: Clock;
    tableOptions?: Partial<TableFactoryOptions>;
    /** ARM client options and credential (tests point them at a local ARM server). */
    arm?: { options?: ApiManagementClientOptionalParams; credential?: TokenCredential; playbooks?: PlaybookRunnerOptions };
    /** The export hub's SDK retries (tests shorten them). */
    alertExport?: Pick<AlertExporterOptions, 'retryOptions'>;
  } = {},
): AppDependencies {
  const tables = new TableFactory(config.tables, config.tablePrefix, {
    maxAttempts: config.storageMaxAttempts,
    ...options.tableOptions,
  });
  const clock = options.clock ?? systemClock;
  const intel = new TableIntelStore(tables, { clock });
  const intelLists = new IntelListsCache(intel, { clock });
  const fixed: InstantDetector[] = [
    new SuspiciousUserAgentDetector(),
    new TorExitNodeDetector(intelLists.source),
    new SuspiciousIpDetector(intelLists.source, { includeTorExitNodes: config.torAlsoSuspicious }),
  ];
  const baselines = new TableBaselineStore(tables);
  const suppressionRules = new TableSuppressionRuleStore(tables);
  const detectors = new CachedInstantDetectors(baselines, config.detection, fixed, clock);
  const outbox = new TableAlertOutbox(tables, clock);
  const alerts = new TableAlertStore(tables, outbox);
  // ARM clients keep the SDK's default retry policy (429/503 honour Retry-After, other 5xx back
  // off): production passes no client options; tests point `arm.options` at a local ARM server.
  let credential: TokenCredential | undefined;
  const armCredential = (): TokenCredential => {
    credential ??= options.arm?.credential ?? createCredential(config.tables.kind === 'endpoint' ? config.tables.clientId : undefined);
    return credential;
  };
  let policyClient: PolicyClient | undefined;
  const policies = (): PolicyClient => {
    if (config.apim === undefined) {
      throw new DomainError('unavailable', 'response actions need WARDEN_APIM_SUBSCRIPTION_ID, WARDEN_APIM_RESOURCE_GROUP and WARDEN_APIM_SERVICE_NAME');
    }
    policyClient ??= createApimPolicyClient(armCredential(), config.apim, options.arm?.options);
    return policyClient;
  };
  let reader: InventoryReader | undefined;
  const inventoryReader = (): InventoryReader | undefined => {
    if (config.apim === undefined) return undefined;
    reader ??= createApimInventoryReader(armCredential(), config.apim, options.arm?.options);
    return reader;
  };
  let playbookRunner: PlaybookRunner | undefined;
  const playbooks = (): PlaybookRunner => {
    playbookRunner ??= createPlaybookRunner(armCredential(), options.arm?.playbooks);
    return playbookRunner;
  };
  const alertExport = config.alertExport;
  return {
    config,
    clock,
    tables,
    windows: new TableWindowStore(tables),
    quarantine: new TableQuarantineStore(tables),
    partitions: new TablePartitionStateStore(tables),
    activity: new TableEndpointActivityStore(tables),
    baselines,
    alerts,
    outbox,
    suppressionRules,
    automationRules: new TableAutomationRuleStore(tables),
    cursor: new TableEvaluationCursorStore(tables),
    endpointStatuses: new TableEndpointStatusStore(tables),
    intel,
    intelLists,
    ingestCache: new IngestCache(),
    instantDetectors: detectors,
    actions: new TableActionStore(tables),
    inventory: new TableInventoryStore(tables),
    policies,
    inventoryReader,
    playbooks,
    ...(alertExport === undefined
      ? {}
      : { exporter: createAlertExporter({ connection: sdkConnection(alertExport.connection), eventHubName: alertExport.eventHubName, ...options.alertExport }) }),
    detection: {
      detectors: async () => {
        await intelLists.refresh();
        return await detectors.current();
      },
      alerts,
      rules: cachedFor<readonly SuppressionRule[]>(RULES_TTL_MS, clock, () => suppressionRules.list()),
    },
  };
}

/** What the ingest service needs, from the app's dependencies; `detection` null stores events without detecting. */
export function ingestDependencies(deps: AppDependencies, detection: InstantDetection | null = deps.detection): IngestDependencies {
  return {
    windows: deps.windows,
    quarantine: deps.quarantine,
    partitions: deps.partitions,
    activity: deps.activity,
    parseOptions: { trustedProxies: deps.config.trustedProxies, maxRawChars: deps.config.quarantineRawMaxChars },
    lastSeenResolutionMs: deps.config.lastSeenResolutionMs,
    clock: deps.clock,
    cache: deps.ingestCache,
    ...(detection === null ? {} : { detection }),
  };
}

/** What the dispatcher needs, from the app's dependencies. */
export function dispatchDependencies(deps: AppDependencies, logger: Logger): DispatchDependencies {
  return {
    outbox: deps.outbox,
    alerts: deps.alerts,
    exporter: deps.exporter,
    rules: deps.automationRules,
    playbooks: deps.playbooks,
    actions: deps.actions,
    clock: deps.clock,
    logger,
  };
}

/** Memoizes an async read for `ttlMs` of wall-clock time. */
function cachedFor<T>(ttlMs: number, clock: { now(): Date }, read: () => Promise<T>): () => Promise<T> {
  let value: { at: number; data: T } | undefined;
  return async () => {
    const now = clock.now().getTime();
    if (value === undefined || now - value.at >= ttlMs) value = { at: now, data: await read() };
    return value.data;
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
