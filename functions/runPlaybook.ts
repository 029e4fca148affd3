import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { runPlaybookForAlert, runPlaybookSchema } from '../shared/services/runPlaybook';
import { getDependencies } from './deps';
import { httpHandler, json, parseBody } from './http';

/** POST /api/actions/run-playbook: POSTs an alert (Defender's export shape) to a Logic App workflow trigger. */
export const runPlaybook = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const body = await parseBody(request, runPlaybookSchema);
  const deps = getDependencies();
  return json(200, await runPlaybookForAlert(body, { alerts: deps.alerts, playbooks: deps.playbooks() }));
});
