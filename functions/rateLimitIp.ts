import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { rateLimitSchema } from '../shared/services/actionRequests';
import { httpHandler } from './http';
import { respondToAction } from './policyAction';

/** POST /api/actions/rate-limit: limits client IPs with rate-limit-by-key (refused on the Consumption tier, with alternatives). */
export const rateLimitIp = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> =>
    await respondToAction(request, 'rate-limit', rateLimitSchema, (body) => ({
      addresses: body.addresses,
      parameters: { calls: body.calls, renewalPeriodSeconds: body.renewalPeriodSeconds },
    })),
);
