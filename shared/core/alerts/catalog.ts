/**
 * What API Warden says about each alert type: Defender's display name, our description template,
 * severity, MITRE ATT&CK tactics (Defender's `intent` values) and remediation steps.
 *
 * Source for the twelve Defender types: Microsoft's reference "Alerts for Defender for APIs",
 * https://learn.microsoft.com/en-us/azure/defender-for-cloud/alerts-defender-for-apis
 * (MicrosoftDocs/azure-docs articles/defender-for-cloud/alerts-defender-for-apis.md, ms.date 06/03/2024).
 * Display names, severities and tactics are copied from it because SIEM rules match on them; the
 * descriptions and remediation steps are our own wording, filled with the finding's specifics.
 *
 * The doc writes tactics as prose ("Initial access", "Pre-attack"); the alert's `intent` field uses
 * the Microsoft.Security/alerts `Intent` enumeration ("InitialAccess", "PreAttack"), which is what
 * the export carries.
 */
import { ALERT_TYPES, type AlertType, type PayloadVariant } from '../alertTypes';

export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The Microsoft.Security/alerts `intent` values (kill-chain intents), as the Alerts REST API lists them. */
export const TACTICS = [
  'Unknown',
  'PreAttack',
  'InitialAccess',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Execution',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
  'Probing',
  'Exploitation',
] as const;
export type Tactic = (typeof TACTICS)[number];

/** Where the twelve Defender types are documented. */
export const DEFENDER_FOR_APIS_ALERTS_URL =
  'https://learn.microsoft.com/en-us/azure/defender-for-cloud/alerts-defender-for-apis';

/**
 * Placeholders a description or remediation template may use. Every one always renders to
 * something readable (a fallback such as "the client" when the finding does not carry it).
 */
export const TEMPLATE_PLACEHOLDERS = [
  'clientIp',
  'endpoint',
  'parameter',
  'status',
  'userAgent',
  'observed',
  'baseline',
  'score',
  'windowStart',
  'windowEnd',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

export interface CatalogEntry {
  alertType: AlertType;
  /** Only for API_SpikeInPayload, whose two variants share the type but not the wording. */
  variant?: PayloadVariant;
  /** Defender's alertDisplayName, verbatim (SIEM rules match on it). */
  alertDisplayName: string;
  /** Our description, with `{placeholder}`s filled from the finding. */
  descriptionTemplate: string;
  /** Unit appended to a numeric observed value in the description ("bytes", "ms", …). */
  observedUnit?: string;
  severity: Severity;
  /** MITRE ATT&CK tactics as Defender's `intent` values, in the order Defender lists them. */
  tactics: readonly Tactic[];
  /** Concrete steps for an analyst, with `{placeholder}`s filled from the finding. */
  remediationSteps: readonly string[];
  /** Where severity and tactics come from; undefined for API Warden's own type, which Microsoft does not document. */
  source?: string;
}

// Remediation steps shared by several types. API Warden's response actions (block, rate-limit,
// disable endpoint, playbook, suppression) are named so the analyst knows where to click.
const BLOCK_IP =
  'Block {clientIp} with API Warden\'s block action (an ip-filter in the APIM policy at global, API or operation scope); give the block an expiry if the client might be legitimate.';
const RATE_LIMIT_IP =
  'If blocking is too strong, rate-limit {clientIp} with API Warden\'s rate-limit action (rate-limit-by-key on the client IP); on the Consumption tier, which lacks rate-limit-by-key, block the IP instead.';
const REQUIRE_AUTH =
  'If {endpoint} accepts anonymous calls, require authentication: a subscription key on its API or product, or validate-jwt / validate-azure-ad-token in its policy.';
const VALIDATE_PARAMETERS =
  'Review the operation\'s request validation: declare every query and path parameter with its type in the API definition and add a validate-parameters policy with action "prevent", so undeclared parameters and wrongly typed values are rejected at the gateway.';
const SUPPRESS_IF_EXPECTED =
  'If the traffic is expected (a load test, a partner\'s batch job, a monitoring probe), dismiss the alert and add a suppression rule for this alert type and these entities, with a reason and an expiry.';
const PLAYBOOK =
  'To automate this response, attach a Logic App playbook to this alert type through an automation rule.';

function investigate(what: string): string {
  return `Review the requests from {clientIp} to {endpoint} between {windowStart} and {windowEnd} in APIM's gateway logs (ApiManagementGatewayLogs, filtered on CallerIpAddress) ${what}.`;
}

const ENTRIES: readonly CatalogEntry[] = [
  {
    alertType: 'API_PopulationSpikeInAPITraffic',
    alertDisplayName: 'Suspicious population-level spike in API traffic to an API endpoint',
    descriptionTemplate:
      'Requests from all clients to {endpoint} answered with HTTP {status} reached {observed} between {windowStart} and {windowEnd}, well above the endpoint\'s 30-day baseline for that status ({baseline}); score {score}. A population-wide surge can be a distributed denial-of-service attempt, a credential-stuffing or scraping campaign spread over many IPs, or an unannounced change in a client application.',
    observedUnit: 'requests',
    severity: 'Medium',
    tactics: ['Impact'],
    remediationSteps: [
      'Find the client IPs that contributed most to the spike (API Warden\'s dashboard, or the gateway logs for {endpoint} grouped by CallerIpAddress) and block or rate-limit the largest contributors with API Warden\'s block and rate-limit actions.',
      'Protect {endpoint} as a whole: a rate-limit or quota policy per subscription key caps every caller, whatever their IP.',
      'Check the backend behind {endpoint} for saturation (latency, errors, autoscale) and scale out or shed load while the spike lasts.',
      'Ask the teams that own client applications whether a release or batch job explains the surge.',
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_SpikeInAPITraffic',
    alertDisplayName: 'Suspicious spike in API traffic from a single IP address to an API endpoint',
    descriptionTemplate:
      'Client {clientIp} sent {observed} to {endpoint} answered with HTTP {status} between {windowStart} and {windowEnd}, far above what this IP usually sends to this endpoint ({baseline}); score {score}. A single client suddenly calling an endpoint this much can be brute forcing, scraping, or trying to exhaust the backend.',
    observedUnit: 'requests',
    severity: 'Medium',
    tactics: ['Impact'],
    remediationSteps: [
      investigate('to see what the client was doing and whether the calls succeeded'),
      BLOCK_IP,
      RATE_LIMIT_IP,
      REQUIRE_AUTH,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_SpikeInPayload',
    variant: 'response',
    alertDisplayName: 'Unusually large response payload transmitted between a single IP address and an API endpoint',
    descriptionTemplate:
      'A response from {endpoint} to client {clientIp} (HTTP {status}) carried {observed}, far above the response sizes learned over the baseline period ({baseline}; "of" tells whether the history of the client or of the endpoint was used); score {score}. An unusually large response can mean the client is pulling more data than intended, for example by abusing paging or filter parameters or by reaching objects it should not see.',
    observedUnit: 'bytes',
    severity: 'Medium',
    tactics: ['InitialAccess'],
    remediationSteps: [
      investigate('and look at the query parameters of the largest responses (page size, filters, expansions)'),
      'Check that {endpoint} returns only what this caller is entitled to: enforce object-level authorization, return only the fields the client needs, and cap page sizes.',
      BLOCK_IP,
      'If data was exposed, treat it as a possible data breach: identify the records returned and follow your incident-response process.',
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_SpikeInPayload',
    variant: 'request',
    alertDisplayName: 'Unusually large request body transmitted between a single IP address and an API endpoint',
    descriptionTemplate:
      'Client {clientIp} sent a request of {observed} to {endpoint} (answered with HTTP {status}), far above the request sizes learned over the baseline period ({baseline}; "of" tells whether the history of the client or of the endpoint was used); score {score}. An oversized request body can carry an injection or deserialization payload, try to overflow a parser, or try to exhaust the backend.',
    observedUnit: 'bytes',
    severity: 'Medium',
    tactics: ['InitialAccess'],
    remediationSteps: [
      investigate('and, if the backend logs bodies, inspect the oversized request'),
      'Limit request bodies at the gateway: a validate-content policy with max-size (or a check on Content-Length) on {endpoint}, and a body schema in the API definition.',
      BLOCK_IP,
      REQUIRE_AUTH,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_SpikeInLatency',
    alertDisplayName: 'Suspicious spike in latency for traffic between a single IP address and an API endpoint',
    descriptionTemplate:
      'Requests from client {clientIp} to {endpoint} answered with HTTP {status} took {observed}, far above the latency learned over the baseline period ({baseline}; "of" tells whether the history of the client or of the endpoint was used); score {score}. Requests that suddenly take much longer can be probing for injection (time-based SQL injection), triggering expensive queries, or trying to exhaust the backend.',
    observedUnit: 'ms',
    severity: 'Medium',
    tactics: ['InitialAccess'],
    remediationSteps: [
      investigate('and look for injection patterns, very large page sizes or expensive filters in their parameters'),
      'Check the backend behind {endpoint} for slow queries and errors at the same time, and put a timeout on the forward-request policy so one caller cannot hold backend resources.',
      BLOCK_IP,
      RATE_LIMIT_IP,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_SprayInRequests',
    alertDisplayName: 'API requests spray from a single IP address to an unusually large number of distinct API endpoints',
    descriptionTemplate:
      'Client {clientIp} called {observed} between {windowStart} and {windowEnd}, far more than clients usually call in a 20-minute window ({baseline}); score {score}. Calling many different endpoints in a short time is typical of API discovery and scanning ahead of an attack.',
    observedUnit: 'distinct endpoints',
    severity: 'Medium',
    tactics: ['Discovery'],
    remediationSteps: [
      'Review which endpoints {clientIp} called between {windowStart} and {windowEnd} (API Warden\'s dashboard, or the gateway logs filtered on CallerIpAddress) and which of them answered with success.',
      BLOCK_IP,
      'Make sure endpoints that are not meant to be public require authentication, and disable unused ones with API Warden\'s disable-endpoint action.',
      RATE_LIMIT_IP,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_ParameterEnumeration',
    alertDisplayName: 'Parameter enumeration on an API endpoint',
    descriptionTemplate:
      'Client {clientIp} sent {observed} for parameter "{parameter}" of {endpoint} between {windowStart} and {windowEnd}, far more than a single client usually sends in a 20-minute window ({baseline}); score {score}. Cycling through parameter values is how attackers enumerate object identifiers (broken object-level authorization), guess codes, or scrape records one by one.',
    observedUnit: 'distinct values',
    severity: 'Medium',
    tactics: ['InitialAccess'],
    remediationSteps: [
      investigate('and check how many of the enumerated values returned success'),
      'Verify that {endpoint} checks, for every request, that the caller may access the object named by "{parameter}" (object-level authorization), and prefer unpredictable identifiers such as GUIDs.',
      BLOCK_IP,
      RATE_LIMIT_IP,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_DistributedParameterEnumeration',
    alertDisplayName: 'Distributed parameter enumeration on an API endpoint',
    descriptionTemplate:
      'Clients together sent {observed} for parameter "{parameter}" of {endpoint} between {windowStart} and {windowEnd}, far more than the whole client population usually sends in a 20-minute window ({baseline}); score {score}. Enumeration spread over many IPs is how botnets and distributed scrapers avoid per-IP limits.',
    observedUnit: 'distinct values',
    severity: 'Medium',
    tactics: ['InitialAccess'],
    remediationSteps: [
      'Find the client IPs and subscription keys behind the enumeration (the gateway logs for {endpoint} between {windowStart} and {windowEnd}, grouped by CallerIpAddress) and block the main contributors with API Warden\'s block action.',
      'Verify that {endpoint} checks, for every request, that the caller may access the object named by "{parameter}" (object-level authorization), and prefer unpredictable identifiers such as GUIDs.',
      'Limit by identity rather than by IP: a rate-limit or quota policy keyed on the subscription key or the token\'s subject.',
      REQUIRE_AUTH,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_UnseenParamType',
    alertDisplayName: 'Parameter value(s) with anomalous data types in an API call',
    descriptionTemplate:
      'Client {clientIp} called {endpoint} with a value of type {observed} for parameter "{parameter}", a type rarely or never seen for it over the last 30 days ({baseline}); score {score}. Values of an unexpected type are a common way to probe input handling for injection, type confusion or errors that leak information.',
    severity: 'Medium',
    tactics: ['Impact'],
    remediationSteps: [
      investigate('and check how the backend answered the unexpected values (errors can leak stack traces)'),
      VALIDATE_PARAMETERS,
      BLOCK_IP,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_UnseenParam',
    alertDisplayName: 'Previously unseen parameter used in an API call',
    descriptionTemplate:
      'Client {clientIp} called {endpoint} with parameter "{parameter}", which the endpoint\'s traffic of the last 30 days never used ({baseline}); score {score}. Unknown parameters are used to look for hidden features, debug switches and mass-assignment flaws.',
    severity: 'Medium',
    tactics: ['Impact'],
    remediationSteps: [
      investigate('and check whether the backend honoured the unknown parameter'),
      VALIDATE_PARAMETERS,
      'Check that the backend ignores parameters and fields it does not document (no debug switches, no mass assignment of object properties).',
      BLOCK_IP,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_AccessFromTorExitNode',
    alertDisplayName: 'Access from a Tor exit node to an API endpoint',
    descriptionTemplate:
      'Client {clientIp}, a Tor exit node, called {endpoint} (HTTP {status}) at {windowStart}. Tor hides the real origin of a request; it has legitimate uses, but attackers rely on it to stay anonymous while they probe and attack APIs.',
    severity: 'Medium',
    tactics: ['PreAttack'],
    remediationSteps: [
      'Decide whether this API should accept traffic from Tor. If not, block {clientIp} with API Warden\'s block action, or block the whole Tor exit list at your WAF.',
      investigate('and across your other APIs to see what the client reached'),
      REQUIRE_AUTH,
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_AccessFromSuspiciousIP',
    alertDisplayName: 'API Endpoint access from suspicious IP',
    descriptionTemplate:
      'Client {clientIp}, which a threat-intelligence feed lists as malicious (match: {observed}), called {endpoint} (HTTP {status}) at {windowStart}; confidence {score}. IPs on these feeds have been seen attacking other targets.',
    severity: 'High',
    tactics: ['PreAttack'],
    remediationSteps: [
      BLOCK_IP,
      investigate('and across all your APIs, paying attention to successful (2xx) responses and the data they returned'),
      'If the client used a valid subscription key or token, revoke and rotate it and review what that identity accessed.',
      PLAYBOOK,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  {
    alertType: 'API_AccessFromSuspiciousUserAgent',
    alertDisplayName: 'Suspicious User Agent detected',
    descriptionTemplate:
      'Client {clientIp} called {endpoint} (HTTP {status}) at {windowStart} with User-Agent {userAgent}, which matches a pattern used by attack tools or remote code execution attempts (match: {observed}). This does not mean the endpoint was breached, but an attack is likely under way.',
    severity: 'Medium',
    tactics: ['Execution'],
    remediationSteps: [
      'Check that the backend behind {endpoint} is not vulnerable to the payload in the User-Agent (for example, JNDI lookups need Log4j 2.17.1 or later) and that it never evaluates or logs header values unsafely.',
      BLOCK_IP,
      investigate('and in the backend\'s own logs for signs that the payload was executed'),
      'Block requests carrying such User-Agents at the gateway (a check-header or choose policy) or at your WAF.',
      SUPPRESS_IF_EXPECTED,
    ],
    source: DEFENDER_FOR_APIS_ALERTS_URL,
  },
  // API Warden's own type: Microsoft documents nothing for it. Severity Low (scanning is common
  // background noise on the internet) and tactics Discovery and PreAttack are our choice.
  {
    alertType: 'API_AccessToUnknownEndpoints',
    alertDisplayName: 'Requests from a single IP address to API endpoints that do not exist',
    descriptionTemplate:
      'Client {clientIp} sent {observed} to paths that no API operation serves between {windowStart} and {windowEnd} ({baseline}); score {score}. Probing for paths that do not exist is typical of scanners looking for hidden, legacy or administrative endpoints.',
    observedUnit: 'requests',
    severity: 'Low',
    tactics: ['Discovery', 'PreAttack'],
    remediationSteps: [
      'Review the paths {clientIp} requested (API Warden\'s dashboard, or the gateway logs filtered on CallerIpAddress and unmatched operations) to see what it was looking for.',
      'Make sure backends cannot be reached around APIM, and remove deprecated API versions and test endpoints that scanners could find.',
      BLOCK_IP,
      SUPPRESS_IF_EXPECTED,
    ],
  },
];

function entryKey(alertType: AlertType, variant: PayloadVariant | undefined): string {
  return variant === undefined ? alertType : `${alertType}.${variant}`;
}

const BY_KEY: ReadonlyMap<string, CatalogEntry> = new Map(
  ENTRIES.map((entry) => [entryKey(entry.alertType, entry.variant), entry]),
);

/** Every catalog entry: one per alert type, two for API_SpikeInPayload (request, response). */
export const CATALOG: readonly CatalogEntry[] = ENTRIES;

/** The variant an alert type uses: API_SpikeInPayload is 'response' unless the finding says 'request'; others have none. */
export function variantOf(alertType: AlertType, variant: PayloadVariant | undefined): PayloadVariant | undefined {
  if (alertType !== 'API_SpikeInPayload') return undefined;
  return variant ?? 'response';
}

/** The catalog entry for a type (and, for API_SpikeInPayload, its variant; 'response' when absent). */
export function catalogEntry(alertType: AlertType, variant?: PayloadVariant): CatalogEntry {
  const entry = BY_KEY.get(entryKey(alertType, variantOf(alertType, variant)));
  if (entry === undefined) throw new RangeError(`no catalog entry for alert type ${String(alertType)}`);
  return entry;
}

/** The types the catalog covers (all of ALERT_TYPES; a test checks it). */
export function catalogTypes(): AlertType[] {
  return ALERT_TYPES.filter((type) => ENTRIES.some((entry) => entry.alertType === type));
}

/**
 * Fills `{placeholder}`s from `values`. A placeholder with no value renders its fallback; an
 * unknown placeholder is left as written (tests check that templates use only known ones).
 */
export function renderTemplate(
  template: string,
  values: Partial<Record<TemplatePlaceholder, string>>,
  fallbacks: Record<TemplatePlaceholder, string>,
): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) return whole;
    const key = name as TemplatePlaceholder;
    const value = values[key];
    return value !== undefined && value !== '' ? value : fallbacks[key];
  });
}

/** Placeholders a template uses, known or not. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z]+)\}/g)].map((match) => match[1] ?? '');
}
