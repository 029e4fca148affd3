import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { NotFoundError } from '../shared/errors';
import { getDependencies } from './deps';
import { httpHandler } from './http';

/** DELETE /api/automation-rules/{id}: playbooks it already ran stay audited; queued alerts no longer run it. */
export const deleteAutomationRule = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const id = request.params.id ?? '';
  if (!(await getDependencies().automationRules.delete(id))) throw new NotFoundError(`no automation rule ${id}`);
  return { status: 204 };
});
