/**
 * Small interfaces ("ports") that services depend on. Adapters in shared/storage and
 * shared/azure implement them; tests and the local run plug in the same adapters.
 */
import type { Alert, AlertFilter, AutomationRule, PlaybookRef, SuppressionRule } from './core/alerts';
import type { IntelKind } from './core/intel';
import type { Inventory } from './core/inventory';
import type { Rejection } from './core/parse';
import type { Endpoint } from './core/requestEvent';
import type { WindowAggregate } from './core/windows';

/** Structured logging with stable keys: `event` names what happened, fields carry counts and ids. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** Wall-clock time, injectable. Only used where event time cannot be (e.g. audit stamps). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A logger that drops everything, for callers that have nowhere to log. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** What a window store is asked to write: one batch's partial aggregate for one window. */
export interface WindowDelta {
  partitionId: string;
  windowStart: number;
  /** Sequence numbers of the first and last message whose events the aggregate holds. */
  firstSequenceNumber: number;
  lastSequenceNumber: number;
  aggregate: WindowAggregate;
}

/** Partial window aggregates per Event Hub partition, each with a watermark that makes replays no-ops. */
export interface WindowStore {
  /** The last sequence number applied to each of these windows for a partition; absent when none. */
  readWatermarks(partitionId: string, windowStarts: readonly number[]): Promise<Map<number, number>>;
  /** Stores a delta and advances that window's watermark to its last sequence number, atomically. */
  writeDelta(delta: WindowDelta): Promise<void>;
  /** Every delta of a window from these partitions, merged. */
  readWindow(windowStart: number, partitionIds: readonly string[]): Promise<WindowAggregate>;
  /** Deletes every window that starts before this time, all partitions; returns entities deleted. */
  deleteBefore(windowStart: number): Promise<number>;
}

/** A record that failed validation, with where it came from. */
export interface QuarantineEntry {
  rejection: Rejection;
  /** When the message reached the Event Hub, if known: the entry is filed under that day. */
  enqueuedTimeUtc?: Date;
}

export interface QuarantineStore {
  /** Idempotent: an entry's key derives from its source position. */
  add(entries: readonly QuarantineEntry[]): Promise<void>;
  /** Entries filed under a day (YYYY-MM-DD, or "undated"), oldest position first. */
  list(day: string, limit: number): Promise<QuarantineEntry[]>;
  /** Deletes entries filed under days before this one (YYYY-MM-DD); returns how many. */
  deleteBefore(day: string): Promise<number>;
}

/** What the ingest path knows about one Event Hub partition. */
export interface PartitionIngestState {
  partitionId: string;
  lastSequenceNumber: number;
  lastOffset: string;
  /** Earliest and latest event time seen (epoch ms); the latest is the partition's event-time watermark. */
  firstEventTime?: number;
  lastEventTime?: number;
  lastEnqueuedTime?: Date;
  /** Wall-clock time of the last batch that changed anything. */
  processedAt: Date;
  events: number;
  skipped: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
}

export interface PartitionStateStore {
  get(partitionId: string): Promise<PartitionIngestState | undefined>;
  put(state: PartitionIngestState): Promise<void>;
  list(): Promise<PartitionIngestState[]>;
}

/** When an endpoint was first and last seen in one partition's traffic (event time, epoch ms). */
export interface EndpointActivity {
  endpoint: Endpoint;
  firstSeen: number;
  lastSeen: number;
}

export interface EndpointActivityStore {
  list(partitionId: string): Promise<EndpointActivity[]>;
  upsert(partitionId: string, activities: readonly EndpointActivity[]): Promise<void>;
  /** Activity merged over every partition, one entry per endpoint. */
  listAll(): Promise<EndpointActivity[]>;
}

/** One stored version of a kind of baseline, as text (each kind has its own codec in shared/core/baselines). */
export interface StoredBaseline {
  text: string;
  /** Event time the baseline was learned up to. */
  asOf: number;
  version: string;
}

export interface BaselineStore {
  /** Stores a new version and makes it current; returns its version id. */
  write(kind: string, text: string, asOf: number): Promise<string>;
  read(kind: string): Promise<StoredBaseline | undefined>;
  /** Cheap check for caches: the current version id, if any. */
  currentVersion(kind: string): Promise<string | undefined>;
}

/** An alert as stored, with the token a conditional write needs. */
export interface StoredAlert {
  alert: Alert;
  etag: string;
}

/** What a store can narrow a listing by before it reaches the service (which applies the whole filter). */
export type AlertStoreFilter = Pick<AlertFilter, 'severities' | 'statuses' | 'alertTypes' | 'apiId' | 'operationId' | 'from' | 'to' | 'isSample'>;

/**
 * Alerts, found by dedupe key (repeats aggregate) or id, and listed. Writes are conditional, so
 * detection aggregating a repeat and an analyst triaging the same alert never overwrite each
 * other: the loser gets a `conflict` DomainError, re-reads and re-applies its change.
 */
export interface AlertStore {
  /** The alerts ever raised for a dedupe key, newest first. */
  byDedupeKey(dedupeKey: string): Promise<StoredAlert[]>;
  get(alertId: string): Promise<StoredAlert | undefined>;
  /**
   * Creates the alert (`etag` undefined; conflict if it exists) or replaces it if it still has
   * `etag` (conflict otherwise); returns the new etag. Every write then queues the alert for
   * export, and a creation for automation.
   */
  save(alert: Alert, etag?: string): Promise<string>;
  /** Alerts, at least those passing `filter` (callers apply the full filter). */
  list(filter?: AlertStoreFilter): Promise<Alert[]>;
}

/** What happened to an alert that others must hear about. */
export interface OutboxEntry {
  alertId: string;
  /** 'export': send the alert's current state to the SIEM hub; 'automation': run matching automation rules (new alerts only). */
  kind: 'export' | 'automation';
  /** Failed attempts so far, and the last error (no secrets). */
  attempts: number;
  lastError?: string;
  /**
   * Automation only: ids of the rules already settled for this alert (their playbook ran, or
   * failed for good), so that a retry runs only the others. `failed` stores the entry's value.
   */
  settledRules?: string[];
  /** Wall-clock time the entry was (last) queued, ISO 8601. */
  queuedAt: string;
  /** Concurrency token: `done` removes the entry only if it was not queued again since it was read. */
  etag: string;
}

/**
 * The alert outbox: alert writes queue what must follow them (the SIEM export, automation), and
 * the dispatchAlerts timer drains it, so a slow or failing hub or playbook never slows or breaks
 * detection. Call `enqueue` after the alert write it reports: a dispatcher that reads the entry
 * before the write would otherwise send the old state and remove the entry.
 */
export interface AlertOutbox {
  /** Queues the alert for export and, when `created`, for automation. Idempotent: one pending entry per (kind, alert). */
  enqueue(alertIds: readonly { alertId: string; created: boolean }[]): Promise<void>;
  /** Oldest first. */
  pending(kind: OutboxEntry['kind'], limit: number): Promise<OutboxEntry[]>;
  /** Removes the entry unless it was queued again after it was read. */
  done(entries: readonly OutboxEntry[]): Promise<void>;
  /** Records a failed attempt (attempts + 1, lastError, and the entry's settledRules). */
  failed(entry: OutboxEntry, error: string): Promise<void>;
}

/** Entries of one kind waiting, and the queue time of the oldest (null when none). */
export interface KindBacklog {
  pending: number;
  oldestQueuedAt: string | null;
}

/** How far behind the dispatcher is, per kind of outbox entry (for /api/health). */
export interface OutboxBacklog {
  backlog(): Promise<Record<OutboxEntry['kind'], KindBacklog>>;
}

/** One alert to export: its event body (Defender's export shape, JSON) and the partition key that keeps its updates in order. */
export interface AlertExportEvent {
  alertId: string;
  partitionKey: string;
  body: string;
}

/** What became of an export: sent, never sendable, or failed with the rest not attempted. */
export interface AlertExportResult {
  /** Alerts the hub accepted. */
  sent: string[];
  /** Alerts too large for any batch: they can never be sent. */
  tooLarge: string[];
  /** The alerts of the batch that failed, and why (no secrets); alerts after it were not attempted. */
  failed: string[];
  error?: string;
  /** Batches sent. */
  batches: number;
}

/** Sends alerts to the SIEM export Event Hub (shared/azure/alertExporter). */
export interface AlertExporter {
  /** Sends in batches, in input order per partition key; stops at the first failed batch. */
  send(events: readonly AlertExportEvent[]): Promise<AlertExportResult>;
}

/** Automation rules (the HTTP API manages them; the dispatcher reads them). */
export interface AutomationRuleStore {
  list(): Promise<AutomationRule[]>;
  get(id: string): Promise<AutomationRule | undefined>;
  put(rule: AutomationRule): Promise<void>;
  /** True when there was such a rule. */
  delete(id: string): Promise<boolean>;
}

/** Suppression rules (the HTTP API manages them; detection only reads them). */
export interface SuppressionRuleStore {
  list(): Promise<SuppressionRule[]>;
  get(id: string): Promise<SuppressionRule | undefined>;
  put(rule: SuppressionRule): Promise<void>;
  /** True when there was such a rule. */
  delete(id: string): Promise<boolean>;
}

/** An endpoint's activity verdict, kept for the endpoints API and recommendations. */
export interface EndpointStatus {
  endpoint: Endpoint;
  lastSeen: number;
  inactive: boolean;
  /** Event time the endpoint was first marked inactive; absent while active. */
  inactiveSince?: number;
}

export interface EndpointStatusStore {
  list(): Promise<EndpointStatus[]>;
  put(statuses: readonly EndpointStatus[]): Promise<void>;
}

/** Where window evaluation has got to: the start of the last window evaluated. */
export interface EvaluationCursorStore {
  lastEvaluated(): Promise<number | undefined>;
  setLastEvaluated(windowStart: number): Promise<void>;
}

// ---- Threat-intel lists (shared/storage/intelStore.ts, shared/services/refreshIntel.ts) ----

/** One feed's stored list, as the published pointer describes it. */
export interface IntelListVersion {
  kind: IntelKind;
  /** Stable id of the feed (a hash of its kind and full URL), safe as a Table key. */
  feedId: string;
  /** Feed name quoted in alerts. */
  name: string;
  /** Feed URL without credentials, query or fragment. */
  url: string;
  /** Unique id of this stored copy; sorts by write time. */
  version: string;
  /** Entries in the list. */
  entries: number;
  /** Length and sha256 (hex) of the stored text (feed format), checked on every read. */
  chars: number;
  sha256: string;
  /** When this copy was downloaded (wall clock, ISO 8601). */
  fetchedAt: string;
  /** When the feed was last tried (ISO 8601), and why that try was refused, if it was: the list is then the last good copy. */
  checkedAt: string;
  lastError?: string;
  /** The copy this one replaced; kept until the next replacement, for rollback. */
  previousVersion?: string;
}

/** A list to store: feed-format text (shared/core/intel formatFeed) and what describes it. */
export interface NewIntelList {
  kind: IntelKind;
  feedId: string;
  name: string;
  url: string;
  fetchedAt: string;
  entries: number;
  text: string;
  previousVersion?: string;
}

/** The published lists of one kind, with the token publish checks against. */
export interface PublishedIntelLists {
  lists: IntelListVersion[];
  /** Concurrency token of the pointer; absent when nothing was ever published for the kind. */
  etag?: string;
}

/**
 * Threat-intel lists in storage. Writing is two-phase so a reader never sees a half-written
 * list: `write` stores a new copy nobody reads yet, `publish` switches the kind's pointer to
 * the given copies in one atomic write.
 */
export interface IntelStore {
  current(kind: IntelKind): Promise<PublishedIntelLists>;
  /** Stores a new copy; invisible to readers until published. */
  write(list: NewIntelList): Promise<IntelListVersion>;
  /** A published copy's text; throws when it is missing, incomplete or does not match its hash. */
  read(version: IntelListVersion): Promise<string>;
  /**
   * Makes these copies the kind's current lists, if the pointer still has `etag` (undefined:
   * if nothing was published yet); throws a conflict otherwise. Then deletes copies no longer
   * needed; a failure there is reported, not thrown.
   */
  publish(kind: IntelKind, lists: readonly IntelListVersion[], etag: string | undefined): Promise<{ deleted: number; cleanupError?: string }>;
}

/** Where an APIM policy lives: the whole service, one API, or one operation of an API. */
export type PolicyScope = { kind: 'global' } | { kind: 'api'; apiId: string } | { kind: 'operation'; apiId: string; operationId: string };

/** A policy document as stored in APIM (raw XML) with its concurrency token. */
export interface PolicyDocument {
  xml: string;
  etag: string;
}

/**
 * APIM policies and the API settings response actions change, for one APIM service
 * (shared/azure/apimPolicies). Writes are conditional on ETags; a stale ETag is a `conflict`.
 */
export interface PolicyClient {
  /** The policy at `scope` as raw XML, or undefined when the scope has none. */
  getPolicy(scope: PolicyScope): Promise<PolicyDocument | undefined>;
  /**
   * Writes the policy if it still has `etag` (If-Match). `undefined`: the caller saw no policy;
   * APIM offers no create-only condition, so this write is unconditional.
   */
  putPolicy(scope: PolicyScope, xml: string, etag: string | undefined): Promise<{ etag: string }>;
  /** Deletes the policy if it still has `etag` ('*': whatever it is); absent is not an error. */
  deletePolicy(scope: PolicyScope, etag: string): Promise<void>;
  /** The service's SKU name (e.g. 'Consumption', 'Developer', 'Standard', 'Premium'). */
  getServiceSku(): Promise<string>;
  getSubscriptionRequired(apiId: string): Promise<boolean>;
  /** Sets the API's subscriptionRequired; no write when it already has the value. */
  setSubscriptionRequired(apiId: string, value: boolean): Promise<{ changed: boolean }>;
}

export type { PlaybookRef } from './core/alerts';
/** Reads the inventory of the configured APIM service (shared/azure/apimInventory). */
export interface InventoryReader {
  read(): Promise<Inventory>;
}

/** The last good inventory, and when it was synced (wall clock, ISO 8601). */
export interface InventorySnapshot {
  inventory: Inventory;
  syncedAt: string;
}

/** How the inventory sync went: the last attempt, the last success, the last error (all ISO 8601). */
export interface InventorySyncStatus {
  lastAttemptAt: string;
  lastSuccessAt?: string;
  /** The last attempt's error; absent when it succeeded. */
  lastError?: string;
  /** What the last good snapshot holds. */
  apis?: number;
  operations?: number;
}

/**
 * The APIM inventory as last synced (shared/storage/inventoryStore). A new snapshot replaces
 * the old one only once it is stored in full, so a failed sync leaves the last good one.
 */
export interface InventoryStore {
  current(): Promise<InventorySnapshot | undefined>;
  save(inventory: Inventory, syncedAt: Date): Promise<void>;
  status(): Promise<InventorySyncStatus | undefined>;
  setStatus(status: InventorySyncStatus): Promise<void>;
}


/** Outcome of POSTing to a playbook's trigger: the HTTP status and the run it started, if reported. */
export interface PlaybookRunResult {
  status: number;
  runId?: string;
}

/** Runs Logic App playbooks (shared/azure/logicApps). */
export interface PlaybookRunner {
  runPlaybook(ref: PlaybookRef, payload: unknown): Promise<PlaybookRunResult>;
}

export type ActionKind =
  | 'block-ip'
  | 'unblock-ip'
  | 'rate-limit'
  | 'remove-rate-limit'
  | 'disable-endpoint'
  | 'enable-endpoint'
  | 'require-subscription'
  | 'allow-anonymous'
  | 'run-playbook';

/** One response action as audited: who, when, why, on what, and the policy before and after. */
export interface ActionRecord {
  id: string;
  kind: ActionKind;
  /** Where in APIM the action applies; absent for playbook runs, which act outside APIM. */
  scope?: PolicyScope;
  addresses: string[];
  /**
   * Kind-specific settings (calls and period of a rate limit, status of a disabled endpoint; for
   * run-playbook the workflow, trigger, automation rule id, HTTP status and run id).
   */
  parameters?: Record<string, unknown>;
  /**
   * `applied` changed the policy (or the playbook accepted the alert); `no-change` found it
   * already so; `refused` never reached APIM; `failed`: the playbook refused the alert or could
   * not be reached.
   */
  result: 'applied' | 'no-change' | 'refused' | 'failed';
  detail?: string;
  requestedBy: string;
  reason: string;
  alertId?: string;
  /** Wall-clock time of the action (ISO 8601). */
  at: string;
  /** When a block should be undone (ISO 8601). */
  expiresAt?: string;
  etagBefore?: string;
  etagAfter?: string;
  policyBefore?: string;
  policyAfter?: string;
}

export interface ActionStore {
  /** Records the action; one with `expiresAt` that changed something is also scheduled for undoing. */
  add(record: ActionRecord): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<ActionRecord[]>;
  /** Scheduled actions whose expiry is at or before `now`, oldest expiry first. */
  due(now: Date, limit: number): Promise<ActionRecord[]>;
  /** Takes an action off the schedule (once it was undone). */
  unschedule(record: ActionRecord): Promise<void>;
}
