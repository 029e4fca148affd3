import type { InvocationContext } from '@azure/functions';

import type { Logger } from '../shared/ports';

/**
 * A shared Logger over the invocation's own log methods: one line per event, its stable name
 * first, then the fields as JSON with the invocation id, so Application Insights can query them.
 */
export function loggerFor(context: InvocationContext): Logger {
  const line = (event: string, fields?: Record<string, unknown>) =>
    `${event} ${JSON.stringify({ event, invocationId: context.invocationId, ...fields })}`;
  return {
    info: (event, fields) => context.info(line(event, fields)),
    warn: (event, fields) => context.warn(line(event, fields)),
    error: (event, fields) => context.error(line(event, fields)),
  };
}
