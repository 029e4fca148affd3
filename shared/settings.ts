/**
 * Every app setting API Warden reads, by name. config.ts parses them, the function registry
 * refers to them as %NAME%, local.settings.sample.json and infra/app/api.bicep define them, and
 * a test keeps all four in step.
 */
export const Settings = {
  /** Table Storage connection string (Azurite locally). Takes precedence over the endpoint. */
  tablesConnectionString: 'WARDEN_TABLES_CONNECTION_STRING',
  /** Table Storage endpoint (https://ACCOUNT.table.core.windows.net), used with the managed identity. */
  tablesEndpoint: 'WARDEN_TABLES_ENDPOINT',
  /** Prefix of every table name, so several deployments can share one account. */
  tablePrefix: 'WARDEN_TABLE_PREFIX',
  /** Client id of the user-assigned managed identity the SDK clients use in Azure. */
  azureClientId: 'AZURE_CLIENT_ID',
  /**
   * Event Hubs connection *prefix* of the ingest trigger. Locally a connection string; in Azure
   * the identity-based form EVENTHUB_CONNECTION__fullyQualifiedNamespace (+ __credential, __clientId).
   */
  eventHubConnection: 'EVENTHUB_CONNECTION',
  eventHubNamespace: 'EVENTHUB_CONNECTION__fullyQualifiedNamespace',
  eventHubCredential: 'EVENTHUB_CONNECTION__credential',
  eventHubClientId: 'EVENTHUB_CONNECTION__clientId',
  /** Name of the Event Hub APIM's logs arrive on. */
  eventHubName: 'EVENTHUB_NAME',
  /** Consumer group the ingest function reads with (its own, not $Default). */
  eventHubConsumerGroup: 'EVENTHUB_CONSUMER_GROUP',
  /** Event Hub alerts are exported to for a SIEM, in Defender's export shape. Empty: no export (queued exports are discarded). */
  alertExportHub: 'WARDEN_ALERT_EXPORT_HUB',
  /** Local only: Event Hubs connection string for the export hub. Takes precedence over the namespace. */
  alertExportConnection: 'WARDEN_ALERT_EXPORT_CONNECTION',
  /** Namespace (NAME.servicebus.windows.net) of the export hub, reached with the managed identity; defaults to the ingest trigger's namespace. */
  alertExportNamespace: 'WARDEN_ALERT_EXPORT_NAMESPACE',
  /** Comma-separated IPs/CIDRs of proxies (Front Door, Application Gateway) whose X-Forwarded-For is believed. */
  trustedProxies: 'WARDEN_TRUSTED_PROXIES',
  /** Longest raw record text kept in quarantine, in characters; the original length is always kept. */
  quarantineRawMaxChars: 'WARDEN_QUARANTINE_RAW_MAX_CHARS',
  /** Attempts for a failing Table Storage request before the batch fails (and is redelivered). */
  storageMaxAttempts: 'WARDEN_STORAGE_MAX_ATTEMPTS',
  /** Days of window aggregates kept (event time); at least 31 so 30-day baselines can be recomputed. */
  windowRetentionDays: 'WARDEN_WINDOW_RETENTION_DAYS',
  /** Days quarantined records are kept. */
  quarantineRetentionDays: 'WARDEN_QUARANTINE_RETENTION_DAYS',
  /** The APIM service response actions edit and the inventory sync reads: subscription, resource group and name (all three, or none to disable both). */
  apimSubscriptionId: 'WARDEN_APIM_SUBSCRIPTION_ID',
  apimResourceGroup: 'WARDEN_APIM_RESOURCE_GROUP',
  apimServiceName: 'WARDEN_APIM_SERVICE_NAME',
  /** Comma-separated IPs/CIDRs that response actions never block (your own offices, monitors, partners). */
  blockAllowlist: 'WARDEN_BLOCK_ALLOWLIST',
  /** Comma-separated URLs of Tor exit lists the daily refresh downloads (empty: the shipped snapshot only). */
  torFeedUrls: 'WARDEN_TOR_FEED_URLS',
  /** Comma-separated URLs of threat-intel IP/CIDR feeds (IPsum format accepted). */
  threatIntelFeedUrls: 'WARDEN_THREAT_INTEL_FEED_URLS',
  /** A Tor exit also on a threat-intel feed raises both alerts when true (default: only the Tor one). */
  torAlsoSuspicious: 'WARDEN_TOR_ALSO_SUSPICIOUS',
  /** Endpoints with no traffic for this many days of event time are marked inactive. */
  inactiveDays: 'WARDEN_INACTIVE_DAYS',
  /** Window evaluation waits this long (event time) past a window's end for late events. */
  allowedLatenessMinutes: 'WARDEN_ALLOWED_LATENESS_MINUTES',
  /** Most windows one evaluation run handles; a long replay catches up over several runs. */
  maxWindowsPerRun: 'WARDEN_MAX_WINDOWS_PER_RUN',
  // Detection thresholds (shared/core/detectors/settings.ts documents each).
  baselineDays: 'WARDEN_BASELINE_DAYS',
  minIpActiveWindows: 'WARDEN_MIN_CLIENT_HISTORY_WINDOWS',
  minEndpointWindows: 'WARDEN_MIN_ENDPOINT_HISTORY_WINDOWS',
  spikeFactor: 'WARDEN_SPIKE_FACTOR',
  spikeMadMultiplier: 'WARDEN_SPIKE_MAD_MULTIPLIER',
  ipSpikeFloor: 'WARDEN_CLIENT_SPIKE_FLOOR',
  populationSpikeFloor: 'WARDEN_POPULATION_SPIKE_FLOOR',
  sprayFloor: 'WARDEN_SPRAY_FLOOR',
  unknownEndpointsFloor: 'WARDEN_UNKNOWN_ENDPOINTS_FLOOR',
  minSizeSamples: 'WARDEN_MIN_SIZE_SAMPLES',
  minClientSizeSamples: 'WARDEN_MIN_CLIENT_SIZE_SAMPLES',
  sizeFactor: 'WARDEN_SIZE_FACTOR',
  requestPayloadFloor: 'WARDEN_REQUEST_PAYLOAD_FLOOR_BYTES',
  responsePayloadFloor: 'WARDEN_RESPONSE_PAYLOAD_FLOOR_BYTES',
  latencyFloorMs: 'WARDEN_LATENCY_FLOOR_MS',
  minEndpointRequestsForParams: 'WARDEN_MIN_ENDPOINT_REQUESTS_FOR_PARAMS',
  minParamRequestsForTypes: 'WARDEN_MIN_PARAM_REQUESTS_FOR_TYPES',
  enumerationFactor: 'WARDEN_ENUMERATION_FACTOR',
  enumerationFloor: 'WARDEN_ENUMERATION_FLOOR',
  distributedEnumerationFloor: 'WARDEN_DISTRIBUTED_ENUMERATION_FLOOR',
  distributedEnumerationMinClients: 'WARDEN_DISTRIBUTED_ENUMERATION_MIN_CLIENTS',
  /** An endpoint's stored last-seen time is rewritten only once it has moved on by this many seconds. */
  lastSeenResolutionSeconds: 'WARDEN_LAST_SEEN_RESOLUTION_SECONDS',
} as const;

export type SettingName = (typeof Settings)[keyof typeof Settings];
