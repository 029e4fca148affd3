import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { apiAuthentication } from './policyAction';
import { httpHandler } from './http';

/** POST /api/actions/require-subscription: makes an API require a subscription key (APIM's authentication). */
export const requireSubscription = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> => await apiAuthentication(request, 'require-subscription'),
);
