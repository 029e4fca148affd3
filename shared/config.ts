import { z } from 'zod';

import { DEFAULT_DETECTION_SETTINGS, type DetectionSettings } from './core/detectors/settings';
import { CidrSet } from './core/ip';
import { ConfigurationError } from './errors';
import { Settings } from './settings';

/** How the app reaches Table Storage: a connection string (Azurite, local) or an endpoint + identity. */
export type TablesConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'endpoint'; endpoint: string; clientId?: string };

/** How the app reaches an Event Hubs namespace with the SDK: the logs hub outside the Functions host (local run, CLI), and the export hub. */
export type EventHubConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'namespace'; fullyQualifiedNamespace: string; clientId?: string };

export interface Config {
  tables: TablesConnection;
  tablePrefix: string;
  /** Undefined when no Event Hub is configured (the local run then replays a file or the demo). */
  eventHub?: EventHubConnection;
  eventHubName: string;
  eventHubConsumerGroup: string;
  /** The SIEM export hub; undefined when export is off. */
  alertExport?: { eventHubName: string; connection: EventHubConnection };
  trustedProxies: CidrSet;
  quarantineRawMaxChars: number;
  storageMaxAttempts: number;
  lastSeenResolutionMs: number;
  windowRetentionDays: number;
  quarantineRetentionDays: number;
  allowedLatenessMs: number;
  maxWindowsPerRun: number;
  inactiveDays: number;
  /** The APIM service response actions edit and the inventory sync reads; undefined when not configured. */
  apim?: { subscriptionId: string; resourceGroup: string; serviceName: string };
  blockAllowlist: string[];
  torFeedUrls: string[];
  threatIntelFeedUrls: string[];
  torAlsoSuspicious: boolean;
  detection: DetectionSettings;
}

/** Each detection threshold's app setting: the same names as DetectionSettings' keys in Settings. */
const DETECTION_KEYS = Object.keys(DEFAULT_DETECTION_SETTINGS) as Array<keyof DetectionSettings>;

const urlList = z
  .string()
  .default('')
  .transform((text) => text.split(/[,\s]+/).filter((entry) => entry !== ''))
  .pipe(z.array(z.url({ protocol: /^https?$/ })));

const positiveNumber = (fallback: number) => z.coerce.number().positive().finite().default(fallback);

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z
  .object({
    [Settings.tablesConnectionString]: optionalText,
    [Settings.tablesEndpoint]: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    [Settings.tablePrefix]: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,19}$/, 'must be a letter then up to 19 letters or digits')
      .default('warden'),
    [Settings.azureClientId]: optionalText,
    [Settings.eventHubConnection]: optionalText,
    [Settings.eventHubNamespace]: optionalText,
    [Settings.eventHubClientId]: optionalText,
    [Settings.eventHubName]: z.string().trim().min(1).default('apim-logs'),
    [Settings.eventHubConsumerGroup]: z.string().trim().min(1).default('api-warden'),
    [Settings.alertExportHub]: optionalText,
    [Settings.alertExportConnection]: optionalText,
    [Settings.alertExportNamespace]: optionalText,
    [Settings.trustedProxies]: z
      .string()
      .default('')
      .transform((text, ctx) => {
        const parsed = CidrSet.parse(text.split(/[,\s;]+/).filter((entry) => entry !== ''));
        if (parsed.ok) return parsed.set;
        ctx.addIssue({ code: 'custom', message: `not an IP or CIDR: ${parsed.invalid.join(', ')}` });
        return z.NEVER;
      }),
    [Settings.quarantineRawMaxChars]: integer(16_384, 256, 30_000),
    [Settings.storageMaxAttempts]: integer(5, 1, 20),
    [Settings.lastSeenResolutionSeconds]: integer(60, 0, 86_400),
    [Settings.windowRetentionDays]: integer(35, 31, 400),
    [Settings.quarantineRetentionDays]: integer(30, 1, 400),
    [Settings.inactiveDays]: integer(30, 1, 365),
    [Settings.apimSubscriptionId]: optionalText.pipe(z.guid().optional()),
    [Settings.apimResourceGroup]: optionalText,
    [Settings.apimServiceName]: optionalText,
    [Settings.blockAllowlist]: z
      .string()
      .default('')
      .transform((text, ctx) => {
        const entries = text.split(/[,\s;]+/).filter((entry) => entry !== '');
        const parsed = CidrSet.parse(entries);
        if (parsed.ok) return entries;
        ctx.addIssue({ code: 'custom', message: `not an IP or CIDR: ${parsed.invalid.join(', ')}` });
        return z.NEVER;
      }),
    [Settings.torFeedUrls]: urlList,
    [Settings.threatIntelFeedUrls]: urlList,
    [Settings.torAlsoSuspicious]: z.enum(['true', 'false']).default('false'),
    [Settings.allowedLatenessMinutes]: integer(5, 0, 24 * 60),
    [Settings.maxWindowsPerRun]: integer(72, 1, 10_000),
    ...Object.fromEntries(DETECTION_KEYS.map((key) => [Settings[key], positiveNumber(DEFAULT_DETECTION_SETTINGS[key])])),
  });

/** Settings that only make sense together, checked even when other settings are invalid. */
function crossSettingProblems(env: Record<string, string | undefined>): Array<{ setting: string; message: string }> {
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: Array<{ setting: string; message: string }> = [];
  if (!isSet(Settings.tablesConnectionString) && !isSet(Settings.tablesEndpoint)) {
    problems.push({
      setting: Settings.tablesConnectionString,
      message: `set ${Settings.tablesConnectionString} (local) or ${Settings.tablesEndpoint} (Azure)`,
    });
  }
  if (isSet(Settings.alertExportHub) && !isSet(Settings.alertExportConnection) && !isSet(Settings.alertExportNamespace) && !isSet(Settings.eventHubNamespace)) {
    problems.push({
      setting: Settings.alertExportNamespace,
      message: `the export hub needs ${Settings.alertExportConnection} (local) or a namespace (${Settings.alertExportNamespace}, else ${Settings.eventHubNamespace})`,
    });
  }
  if (!isSet(Settings.alertExportHub) && isSet(Settings.alertExportConnection)) {
    problems.push({ setting: Settings.alertExportHub, message: `name the export hub, or unset ${Settings.alertExportConnection}` });
  }
  const apim = [Settings.apimSubscriptionId, Settings.apimResourceGroup, Settings.apimServiceName];
  const missing = apim.filter((name) => !isSet(name));
  if (missing.length > 0 && missing.length < apim.length) {
    for (const name of missing) problems.push({ setting: name, message: `set it too, or unset ${apim.filter((n) => isSet(n)).join(' and ')}` });
  }
  return problems;
}

function apimService(subscriptionId?: string, resourceGroup?: string, serviceName?: string): Config['apim'] {
  if (subscriptionId === undefined || resourceGroup === undefined || serviceName === undefined) return undefined;
  return { subscriptionId, resourceGroup, serviceName };
}

/**
 * Parses app settings into a frozen Config. Throws one ConfigurationError naming every missing
 * or invalid setting, so an operator fixes them all at once.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  const problems = [
    ...(result.error?.issues ?? []).map((issue) => ({ setting: String(issue.path[0] ?? '(settings)'), message: issue.message })),
    ...crossSettingProblems(env),
  ];
  if (!result.success || problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.setting}: ${p.message}`);
    throw new ConfigurationError(
      `Invalid app settings:\n${lines.join('\n')}`,
      problems.map((p) => p.setting),
    );
  }
  const s = result.data;
  return Object.freeze({
    tables: tablesConnection(s[Settings.tablesConnectionString], s[Settings.tablesEndpoint], s[Settings.azureClientId]),
    tablePrefix: s[Settings.tablePrefix],
    eventHub: eventHubConnection(
      s[Settings.eventHubConnection],
      s[Settings.eventHubNamespace],
      s[Settings.eventHubClientId] ?? s[Settings.azureClientId],
    ),
    eventHubName: s[Settings.eventHubName],
    eventHubConsumerGroup: s[Settings.eventHubConsumerGroup],
    alertExport: alertExport(
      s[Settings.alertExportHub],
      eventHubConnection(
        s[Settings.alertExportConnection],
        s[Settings.alertExportNamespace] ?? s[Settings.eventHubNamespace],
        s[Settings.azureClientId],
      ),
    ),
    trustedProxies: s[Settings.trustedProxies],
    quarantineRawMaxChars: s[Settings.quarantineRawMaxChars],
    storageMaxAttempts: s[Settings.storageMaxAttempts],
    lastSeenResolutionMs: s[Settings.lastSeenResolutionSeconds] * 1000,
    windowRetentionDays: s[Settings.windowRetentionDays],
    quarantineRetentionDays: s[Settings.quarantineRetentionDays],
    inactiveDays: s[Settings.inactiveDays],
    apim: apimService(s[Settings.apimSubscriptionId], s[Settings.apimResourceGroup], s[Settings.apimServiceName]),
    blockAllowlist: s[Settings.blockAllowlist],
    torFeedUrls: s[Settings.torFeedUrls],
    threatIntelFeedUrls: s[Settings.threatIntelFeedUrls],
    torAlsoSuspicious: s[Settings.torAlsoSuspicious] === 'true',
    allowedLatenessMs: s[Settings.allowedLatenessMinutes] * 60_000,
    maxWindowsPerRun: s[Settings.maxWindowsPerRun],
    detection: Object.freeze(
      Object.fromEntries(DETECTION_KEYS.map((key) => [key, (s as Record<string, unknown>)[Settings[key]] as number])) as unknown as DetectionSettings,
    ),
  });
}

function tablesConnection(connectionString?: string, endpoint?: string, clientId?: string): TablesConnection {
  if (connectionString !== undefined) return { kind: 'connectionString', connectionString };
  return { kind: 'endpoint', endpoint: endpoint ?? '', clientId };
}

function eventHubConnection(connectionString?: string, namespace?: string, clientId?: string): EventHubConnection | undefined {
  if (connectionString !== undefined) return { kind: 'connectionString', connectionString };
  if (namespace !== undefined) return { kind: 'namespace', fullyQualifiedNamespace: namespace, clientId };
  return undefined;
}

function alertExport(eventHubName?: string, connection?: EventHubConnection): Config['alertExport'] {
  return eventHubName === undefined || connection === undefined ? undefined : { eventHubName, connection };
}

let cached: Config | undefined;

/** The process's Config, parsed from process.env on first use (not at import, so tests can import freely). */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
