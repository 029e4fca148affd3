import type {
  EventHubFunctionOptions,
  EventHubHandler,
  HttpFunctionOptions,
  HttpHandler,
  HttpMethod,
  TimerFunctionOptions,
  TimerHandler,
} from '@azure/functions';

import type { ZodType } from 'zod';

import { alertQuerySchema, newAutomationRuleSchema, playbookRefSchema, triageChangeSchema } from '../shared/core/alerts';
import { endpointFiltersSchema } from '../shared/core/endpoints';
import type { ApiOperationDoc } from '../shared/http/openApiDocument';
import {
  addressActionSchema,
  apiActionSchema,
  endpointActionSchema,
  rateLimitSchema,
  removeRateLimitSchema,
} from '../shared/services/actionRequests';
import { bulkTriageSchema, sampleAlertsSchema } from '../shared/services/alerts';
import { runPlaybookSchema } from '../shared/services/runPlaybook';
import { newRuleSchema } from '../shared/services/suppressionRules';
import { Settings } from '../shared/settings';
import { allowAnonymous } from './allowAnonymous';
import { blockIp } from './blockIp';
import { createSampleAlerts } from './createSampleAlerts';
import { createAutomationRule } from './createAutomationRule';
import { createSuppressionRule } from './createSuppressionRule';
import { deleteAutomationRule } from './deleteAutomationRule';
import { deleteSuppressionRule } from './deleteSuppressionRule';
import { disableEndpoint } from './disableEndpoint';
import { dispatchAlerts } from './dispatchAlerts';
import { enableEndpoint } from './enableEndpoint';
import { evaluateWindows } from './evaluateWindows';
import { getAlert } from './getAlert';
import { getOpenApi, openApiQuerySchema } from './getOpenApi';
import { getAutomationRule } from './getAutomationRule';
import { getSuppressionRule } from './getSuppressionRule';
import { expireActions } from './expireActions';
import { health } from './health';
import { ingest } from './ingest';
import { listAlerts } from './listAlerts';
import { listAutomationRules } from './listAutomationRules';
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
import { updateAlert } from './updateAlert';
import { updateAlerts } from './updateAlerts';

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
      /** How the OpenAPI document describes the route (its schemas are the ones the handler validates with). */
      doc: RouteDoc;
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

export type RouteDoc = Pick<ApiOperationDoc, 'summary' | 'description' | 'tag' | 'query' | 'body' | 'successStatus'>;

/** A route of the HTTP API: function-key auth. */
function api(name: string, method: HttpMethod, route: string, handler: HttpHandler, doc: RouteDoc): FunctionDefinition {
  return { name, trigger: 'http', options: { route, methods: [method], authLevel: 'function' }, handler, doc };
}

/** A response action: a function-key POST under /api/actions/ with a JSON body. */
function responseAction(name: string, route: string, handler: HttpHandler, summary: string, body: ZodType): FunctionDefinition {
  return api(name, 'POST', `actions/${route}`, handler, { summary, body, tag: 'Response actions' });
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
  // Every 15 minutes.
  timer('syncInventory', '0 */15 * * * *', syncInventory),
  {
    name: 'health',
    trigger: 'http',
    options: { route: 'health', methods: ['GET'], authLevel: 'anonymous' },
    handler: health,
    doc: { summary: 'Health and ingest progress', tag: 'Operations' },
  },
  api('getOpenApi', 'GET', 'openapi.json', getOpenApi, { summary: 'This API description (OpenAPI 3.0, or 2.0 with format=swagger2)', tag: 'Operations', query: openApiQuerySchema }),
  api('listAlerts', 'GET', 'alerts', listAlerts, { summary: 'List alerts by priority', tag: 'Alerts', query: alertQuerySchema }),
  api('getAlert', 'GET', 'alerts/{id}', getAlert, {
    summary: 'Get an alert with mitigation, recommendations, recent traffic and actions taken',
    tag: 'Alerts',
  }),
  api('updateAlert', 'PATCH', 'alerts/{id}', updateAlert, { summary: 'Triage an alert', tag: 'Alerts', body: triageChangeSchema }),
  api('updateAlerts', 'POST', 'alerts/bulk-update', updateAlerts, { summary: 'Triage alerts by ids or filter', tag: 'Alerts', body: bulkTriageSchema }),
  api('createSampleAlerts', 'POST', 'alerts/samples', createSampleAlerts, {
    summary: 'Create sample alerts',
    tag: 'Alerts',
    body: sampleAlertsSchema,
    successStatus: 201,
  }),
  api('createSuppressionRule', 'POST', 'suppression-rules', createSuppressionRule, {
    summary: 'Create a suppression rule',
    tag: 'Suppression rules',
    body: newRuleSchema,
    successStatus: 201,
  }),
  api('listSuppressionRules', 'GET', 'suppression-rules', listSuppressionRules, { summary: 'List suppression rules', tag: 'Suppression rules' }),
  api('getSuppressionRule', 'GET', 'suppression-rules/{id}', getSuppressionRule, { summary: 'Get a suppression rule', tag: 'Suppression rules' }),
  api('deleteSuppressionRule', 'DELETE', 'suppression-rules/{id}', deleteSuppressionRule, { summary: 'Delete a suppression rule', tag: 'Suppression rules' }),
  api('createAutomationRule', 'POST', 'automation-rules', createAutomationRule, {
    summary: 'Create an automation rule (alerts → playbook)',
    tag: 'Automation rules',
    body: newAutomationRuleSchema,
    successStatus: 201,
  }),
  api('listAutomationRules', 'GET', 'automation-rules', listAutomationRules, { summary: 'List automation rules', tag: 'Automation rules' }),
  api('getAutomationRule', 'GET', 'automation-rules/{id}', getAutomationRule, { summary: 'Get an automation rule', tag: 'Automation rules' }),
  api('deleteAutomationRule', 'DELETE', 'automation-rules/{id}', deleteAutomationRule, { summary: 'Delete an automation rule', tag: 'Automation rules' }),
  api('listEndpoints', 'GET', 'endpoints', listEndpoints, { summary: 'List endpoints with posture, traffic and open alerts', tag: 'Endpoints', query: endpointFiltersSchema }),
  api('listRecommendations', 'GET', 'recommendations', listRecommendations, { summary: 'List open posture recommendations', tag: 'Recommendations' }),
  api('runRecommendationPlaybook', 'POST', 'recommendations/{id}/run-playbook', runRecommendationPlaybook, {
    summary: 'Run a Logic App playbook with a recommendation',
    tag: 'Recommendations',
    body: playbookRefSchema,
  }),
  responseAction('blockIp', 'block-ip', blockIp, 'Block client IPs or CIDRs', addressActionSchema),
  responseAction('unblockIp', 'unblock-ip', unblockIp, 'Unblock client IPs or CIDRs', addressActionSchema),
  responseAction('rateLimitIp', 'rate-limit', rateLimitIp, 'Rate-limit client IPs', rateLimitSchema),
  responseAction('removeRateLimit', 'remove-rate-limit', removeRateLimit, 'Remove a rate limit', removeRateLimitSchema),
  responseAction('disableEndpoint', 'disable-endpoint', disableEndpoint, 'Disable an endpoint', endpointActionSchema),
  responseAction('enableEndpoint', 'enable-endpoint', enableEndpoint, 'Enable an endpoint again', endpointActionSchema),
  responseAction('requireSubscription', 'require-subscription', requireSubscription, 'Require a subscription key on an API', apiActionSchema),
  responseAction('allowAnonymous', 'allow-anonymous', allowAnonymous, 'Allow anonymous calls to an API again', apiActionSchema),
  responseAction('runPlaybook', 'run-playbook', runPlaybook, 'Run a Logic App playbook with an alert', runPlaybookSchema),
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

/** The OpenAPI description of every HTTP function. */
export function apiOperations(): ApiOperationDoc[] {
  return functionDefinitions.flatMap((definition) =>
    definition.trigger === 'http'
      ? definition.options.methods.map((method) => ({
          operationId: definition.name,
          method,
          route: definition.options.route,
          authLevel: definition.options.authLevel,
          ...definition.doc,
        }))
      : [],
  );
}
