import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { removeRateLimitSchema } from '../shared/services/actionRequests';
import { httpHandler } from './http';
import { respondToAction } from './policyAction';

/** POST /api/actions/remove-rate-limit: removes API Warden's rate limit at a scope. */
export const removeRateLimit = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> => await respondToAction(request, 'remove-rate-limit', removeRateLimitSchema, () => ({ addresses: [] })),
);
