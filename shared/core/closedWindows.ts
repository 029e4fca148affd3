import { WINDOW_MS, windowStart } from './windows';

/**
 * The windows that are due for evaluation, oldest first: every window after the last one
 * evaluated whose end, plus the allowed lateness, is at or before the event-time watermark
 * (the latest event time ingested). Late events of a window already evaluated are kept in its
 * aggregate but not evaluated again. At most `limit` windows per call, so a long replay is
 * caught up over several runs.
 * @example windowsDue({ watermark: t, allowedLatenessMs: 300_000, firstEventTime: t0, limit: 72 })
 */
export function windowsDue(params: {
  watermark: number;
  allowedLatenessMs: number;
  /** Start of the last window evaluated; undefined on the first run. */
  lastEvaluated?: number;
  /** Earliest event time ingested, where evaluation starts on the first run. */
  firstEventTime: number;
  limit: number;
}): number[] {
  const from = params.lastEvaluated === undefined ? windowStart(params.firstEventTime) : params.lastEvaluated + WINDOW_MS;
  const due: number[] = [];
  for (let start = from; start + WINDOW_MS + params.allowedLatenessMs <= params.watermark && due.length < params.limit; start += WINDOW_MS) {
    due.push(start);
  }
  return due;
}
