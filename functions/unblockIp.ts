import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { addressActionSchema } from '../shared/services/actionRequests';
import { httpHandler } from './http';
import { respondToAction } from './policyAction';

/** POST /api/actions/unblock-ip: removes client IPs/CIDRs from API Warden's ip-filter at a scope. */
export const unblockIp = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> => await respondToAction(request, 'unblock-ip', addressActionSchema, (body) => ({ addresses: body.addresses })),
);
