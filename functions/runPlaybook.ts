import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { runPlaybookForAlert, runPlaybookSchema } from '../shared/services/runPlaybook';
import { getDependencies } from './deps';
import { callerOf, httpHandler, json, parseBody } from './http';

/** POST /api/actions/run-playbook: POSTs an alert (Defender's export shape) to a Logic App workflow trigger; audited. */
export const runPlaybook = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const body = await parseBody(request, runPlaybookSchema);
  const deps = getDependencies();
  const result = await runPlaybookForAlert(body, callerOf(request, body.requestedBy), {
    alerts: deps.alerts,
    playbooks: deps.playbooks(),
    actions: deps.actions,
    clock: deps.clock,
  });
  return json(200, result);
});
