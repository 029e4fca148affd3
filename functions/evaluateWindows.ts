import type { InvocationContext, Timer } from '@azure/functions';

import { evaluateWindows as evaluate } from '../shared/services/evaluateWindows';
import { loggerFor } from './context';
import { getDependencies } from './deps';

/** Timer (every 5 minutes): evaluates the windows closed by the event-time watermark and raises alerts. */
export async function evaluateWindows(_timer: Timer, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  const summary = await evaluate(deps, {
    settings: deps.config.detection,
    allowedLatenessMs: deps.config.allowedLatenessMs,
    maxWindows: deps.config.maxWindowsPerRun,
  });
  loggerFor(context).info('evaluate.done', { ...summary, windows: summary.windows.length, lastWindow: summary.windows.at(-1) });
}
