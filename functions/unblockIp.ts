import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { respond } from './blockIp';
import { httpHandler } from './http';

/** POST /api/actions/unblock-ip: removes client IPs/CIDRs from API Warden's ip-filter at a scope. */
export const unblockIp = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => await respond(request, 'unblock-ip'));
