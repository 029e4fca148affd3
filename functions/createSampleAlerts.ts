import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { createSampleAlerts as create, sampleAlertsSchema } from '../shared/services/alerts';
import { getDependencies } from './deps';
import { httpHandler, json, parseBody } from './http';

/** POST /api/alerts/samples: one sample alert of every type (or of `alertTypes`), marked `isSample`, to test playbooks. */
export const createSampleAlerts = httpHandler(async (request: HttpRequest): Promise<HttpResponseInit> => {
  const { alertTypes } = await parseBody(request, sampleAlertsSchema);
  const alerts = await create(alertTypes, getDependencies());
  return json(201, { alerts });
});
