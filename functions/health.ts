import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { getHealth } from '../shared/services/health';
import { getDependencies } from './deps';
import { httpHandler, json } from './http';

/** GET /api/health: storage reachable, ingest progress per partition, quarantine counts, outbox backlog, the inventory sync. 503 when unhealthy. */
export const health = httpHandler(async (_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
  const report = await getHealth(getDependencies());
  return json(report.status === 'ok' ? 200 : 503, report);
});
