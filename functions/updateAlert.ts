import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { triageChangeSchema } from '../shared/core/alerts';
import { triageAlert } from '../shared/services/alerts';
import { getDependencies } from './deps';
import { callerOf, httpHandler, json, parseBody } from './http';

/** PATCH /api/alerts/{id}: status (with a comment), owner, tags, feedback; recorded with who and when. */
export const updateAlert = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const change = await parseBody(request, triageChangeSchema);
  const deps = getDependencies();
  return json(200, await triageAlert(request.params.id ?? '', change, callerOf(request), deps));
});
