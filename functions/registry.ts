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
import { createSuppressionRule } from './createSuppressionRule';
import { deleteSuppressionRule } from './deleteSuppressionRule';
import { disableEndpoint } from './disableEndpoint';
import { enableEndpoint } from './enableEndpoint';
import { evaluateWindows } from './evaluateWindows';
import { getSuppressionRule } from './getSuppressionRule';
import { expireActions } from './expireActions';
import { health } from './health';
import { ingest } from './ingest';
import { listEndpoints } from './listEndpoints';
import { listRecommendations } from './listRecommendations';
import { listSuppressionRules } from './listSuppressionRules';
import { markInactiveEndpoints } from './markInactiveEndpoints';
import { purgeExpired } from './purgeExpired';
import { rateLimitIp } from './rateLimitIp';
import { recomputeBaselines } from './recomputeBaselines';
import { refreshIntel } from './refreshIntel';
import { removeRateLimit } from './removeRateLimit';
import { requireSubscription } from './requireSubscription';
import { runPlaybook } from './runPlaybook';
import { runRecommendationPlaybook } from './runRecommendationPlaybook';
import { syncInventory } from './syncInventory';
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

/** A response action: a function-key POST under /api/actions/. */
function responseAction(name: string, route: string, handler: HttpHandler): FunctionDefinition {
  return { name, trigger: 'http', options: { route: `actions/${route}`, methods: ['POST'], authLevel: 'function' }, handler };
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
  // Every 15 minutes.
  timer('syncInventory', '0 */15 * * * *', syncInventory),
  {
    name: 'health',
    trigger: 'http',
    options: { route: 'health', methods: ['GET'], authLevel: 'anonymous' },
    handler: health,
  },
  {
    name: 'createSuppressionRule',
    trigger: 'http',
    options: { route: 'suppression-rules', methods: ['POST'], authLevel: 'function' },
    handler: createSuppressionRule,
  },
  {
    name: 'listSuppressionRules',
    trigger: 'http',
    options: { route: 'suppression-rules', methods: ['GET'], authLevel: 'function' },
    handler: listSuppressionRules,
  },
  {
    name: 'getSuppressionRule',
    trigger: 'http',
    options: { route: 'suppression-rules/{id}', methods: ['GET'], authLevel: 'function' },
    handler: getSuppressionRule,
  },
  {
    name: 'deleteSuppressionRule',
    trigger: 'http',
    options: { route: 'suppression-rules/{id}', methods: ['DELETE'], authLevel: 'function' },
    handler: deleteSuppressionRule,
  },
  {
    name: 'listEndpoints',
    trigger: 'http',
    options: { route: 'endpoints', methods: ['GET'], authLevel: 'function' },
    handler: listEndpoints,
  },
  {
    name: 'listRecommendations',
    trigger: 'http',
    options: { route: 'recommendations', methods: ['GET'], authLevel: 'function' },
    handler: listRecommendations,
  },
  {
    name: 'runRecommendationPlaybook',
    trigger: 'http',
    options: { route: 'recommendations/{id}/run-playbook', methods: ['POST'], authLevel: 'function' },
    handler: runRecommendationPlaybook,
  },
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
