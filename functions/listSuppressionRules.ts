import type { HttpResponseInit } from '@azure/functions';

import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/suppression-rules: every rule, expired ones included (their expiresAt says so). */
export const listSuppressionRules = httpHandler(async (): Promise<HttpResponseInit> => json(200, { rules: await getDependencies().suppressionRules.list() }));
