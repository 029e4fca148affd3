import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { endpointActionSchema } from '../shared/services/actionRequests';
import { httpHandler } from './http';
import { respondToAction } from './policyAction';

/** POST /api/actions/disable-endpoint: answers every call to one operation with 503 (or 403/404) from the gateway. */
export const disableEndpoint = httpHandler(
  async (request: HttpRequest): Promise<HttpResponseInit> =>
    await respondToAction(request, 'disable-endpoint', endpointActionSchema, (body) => ({
      addresses: [],
      parameters: { ...(body.statusCode === undefined ? {} : { statusCode: body.statusCode }), ...(body.message === undefined ? {} : { message: body.message }) },
    })),
);
