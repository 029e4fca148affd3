import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { NotFoundError } from '../shared/errors';
import { getDependencies } from './deps';
import { httpHandler } from './http';

/** DELETE /api/suppression-rules/{id}: alerts it already dismissed stay dismissed, with the rule recorded. */
export const deleteSuppressionRule = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const id = request.params.id ?? '';
  if (!(await getDependencies().suppressionRules.delete(id))) throw new NotFoundError(`no suppression rule ${id}`);
  return { status: 204 };
});
