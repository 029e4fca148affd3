import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { endpointActionSchema } from '../shared/services/actionRequests';
import { httpHandler } from './http';
import { respondToAction } from './policyAction';

/** POST /api/actions/enable-endpoint: lifts API Warden's disable of one operation. */
export const enableEndpoint = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> => await respondToAction(request, 'enable-endpoint', endpointActionSchema, () => ({ addresses: [] })),
);
