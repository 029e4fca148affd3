import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { apiAuthentication } from './policyAction';
import { httpHandler } from './http';

/** POST /api/actions/allow-anonymous: undoes require-subscription on an API. */
export const allowAnonymous = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => await apiAuthentication(request, 'allow-anonymous'));
