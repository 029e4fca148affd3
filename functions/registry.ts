import type {
  EventHubFunctionOptions,
  EventHubHandler,
  HttpFunctionOptions,
  HttpHandler,
  HttpMethod,
  TimerFunctionOptions,
  TimerHandler,
} from '@azure/functions';

import { Settings } from '../shared/settings';
import { allowAnonymous } from './allowAnonymous';
import { blockIp } from './blockIp';
import { createAutomationRule } from './createAutomationRule';
import { createSuppressionRule } from './createSuppressionRule';
import { deleteAutomationRule } from './deleteAutomationRule';
import { deleteSuppressionRule } from './deleteSuppressionRule';
import { disableEndpoint } from './disableEndpoint';
import { dispatchAlerts } from './dispatchAlerts';
import { enableEndpoint } from './enableEndpoint';
import { evaluateWindows } from './evaluateWindows';
import { getAutomationRule } from './getAutomationRule';
import { getSuppressionRule } from './getSuppressionRule';
import { expireActions } from './expireActions';
import { health } from './health';
import { ingest } from './ingest';
import { listAutomationRules } from './listAutomationRules';
import { listSuppressionRules } from './listSuppressionRules';
import { markInactiveEndpoints } from './markInactiveEndpoints';
import { purgeExpired } from './purgeExpired';
import { rateLimitIp } from './rateLimitIp';
import { recomputeBaselines } from './recomputeBaselines';
import { refreshIntel } from './refreshIntel';
import { removeRateLimit } from './removeRateLimit';
import { requireSubscription } from './requireSubscription';
import { runPlaybook } from './runPlaybook';
import { unblockIp } from './unblockIp';

/**
 * Every function of the app as plain data. functions/index.ts registers them with the host;
 * the local run serves the same list; a test checks names, triggers, routes and settings.
 */
export type FunctionDefinition =
  | {
      name: string;
      trigger: 'http';
      options: { route: string; methods: HttpMethod[]; authLevel: 'anonymous' | 'function' | 'admin' };
      handler: HttpHandler;
    }
  | { name: string; trigger: 'timer'; options: { schedule: string; runOnStartup?: boolean }; handler: TimerHandler }
  | {
      name: string;
      trigger: 'eventHub';
      options: Omit<EventHubFunctionOptions, 'handler'>;
      handler: EventHubHandler;
    };

/** A timer function on an NCRONTAB schedule (seconds first, UTC). Never run on startup: on a consumption plan that is every cold start. */
function timer(name: string, schedule: string, handler: TimerHandler): FunctionDefinition {
  return { name, trigger: 'timer', options: { schedule }, handler };
}

/** An HTTP route that needs a function key. */
function keyed(name: string, route: string, method: HttpMethod, handler: HttpHandler): FunctionDefinition {
  return { name, trigger: 'http', options: { route, methods: [method], authLevel: 'function' }, handler };
}

/** A response action: a function-key POST under /api/actions/. */
function responseAction(name: string, route: string, handler: HttpHandler): FunctionDefinition {
  return keyed(name, `actions/${route}`, 'POST', handler);
}

/** `%NAME%` makes the host resolve a binding property from an app setting. */
const fromSetting = (name: string) => `%${name}%`;

export const functionDefinitions: readonly FunctionDefinition[] = [
  {
    name: 'ingest',
    trigger: 'eventHub',
    options: {
      connection: Settings.eventHubConnection,
      eventHubName: fromSetting(Settings.eventHubName),
      consumerGroup: fromSetting(Settings.eventHubConsumerGroup),
      cardinality: 'many',
      // Retry without limit: a batch that failed on storage is redelivered until storage is
      // back, so nothing is dropped; replays are no-ops, so retries never double-count.
      retry: { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: 5_000, maximumInterval: 300_000 },
    },
    handler: ingest,
  },
  // Every 5 minutes.
  timer('evaluateWindows', '0 */5 * * * *', evaluateWindows),
  // Daily at 01:00 UTC.
  timer('recomputeBaselines', '0 0 1 * * *', recomputeBaselines),
  // Daily at 01:30 UTC.
  timer('markInactiveEndpoints', '0 30 1 * * *', markInactiveEndpoints),
  // Daily at 03:15 UTC.
  timer('refreshIntel', '0 15 3 * * *', refreshIntel),
  // Every 5 minutes.
  timer('expireActions', '30 */5 * * * *', expireActions),
  // Daily at 02:30 UTC.
  timer('purgeExpired', '0 30 2 * * *', purgeExpired),
  // Every minute: the SIEM export and automation rules follow alerts within a minute or so.
  timer('dispatchAlerts', '0 * * * * *', dispatchAlerts),
  {
    name: 'health',
    trigger: 'http',
    options: { route: 'health', methods: ['GET'], authLevel: 'anonymous' },
    handler: health,
  },
  keyed('createSuppressionRule', 'suppression-rules', 'POST', createSuppressionRule),
  keyed('listSuppressionRules', 'suppression-rules', 'GET', listSuppressionRules),
  keyed('getSuppressionRule', 'suppression-rules/{id}', 'GET', getSuppressionRule),
  keyed('deleteSuppressionRule', 'suppression-rules/{id}', 'DELETE', deleteSuppressionRule),
  keyed('createAutomationRule', 'automation-rules', 'POST', createAutomationRule),
  keyed('listAutomationRules', 'automation-rules', 'GET', listAutomationRules),
  keyed('getAutomationRule', 'automation-rules/{id}', 'GET', getAutomationRule),
  keyed('deleteAutomationRule', 'automation-rules/{id}', 'DELETE', deleteAutomationRule),
  responseAction('blockIp', 'block-ip', blockIp),
  responseAction('unblockIp', 'unblock-ip', unblockIp),
  responseAction('rateLimitIp', 'rate-limit', rateLimitIp),
  responseAction('removeRateLimit', 'remove-rate-limit', removeRateLimit),
  responseAction('disableEndpoint', 'disable-endpoint', disableEndpoint),
  responseAction('enableEndpoint', 'enable-endpoint', enableEndpoint),
  responseAction('requireSubscription', 'require-subscription', requireSubscription),
  responseAction('allowAnonymous', 'allow-anonymous', allowAnonymous),
  responseAction('runPlaybook', 'run-playbook', runPlaybook),
];

/** Host-facing option objects, exactly as functions/index.ts passes them to `app`. */
export function httpOptions(definition: Extract<FunctionDefinition, { trigger: 'http' }>): HttpFunctionOptions {
  return { ...definition.options, handler: definition.handler };
}

export function timerOptions(definition: Extract<FunctionDefinition, { trigger: 'timer' }>): TimerFunctionOptions {
  return { ...definition.options, handler: definition.handler };
}

export function eventHubOptions(definition: Extract<FunctionDefinition, { trigger: 'eventHub' }>): EventHubFunctionOptions {
  return { ...definition.options, handler: definition.handler };
}
