import type { HttpResponseInit } from '@azure/functions';

import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/automation-rules: every rule, disabled ones included. */
export const listAutomationRules = httpHandler(async (): Promise<HttpResponseInit> => json(200, { rules: await getDependencies().automationRules.list() }));
