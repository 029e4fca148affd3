import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { addressActionSchema } from '../shared/services/actionRequests';
import { httpHandler } from './http';
import { respondToAction } from './policyAction';

/** POST /api/actions/block-ip: blocks client IPs/CIDRs with an ip-filter at global, API or operation scope. */
export const blockIp = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> => await respondToAction(request, 'block-ip', addressActionSchema, (body) => ({ addresses: body.addresses })),
);
