import assert from 'node:assert/strict';
import { test } from 'node:test';

import { windowsDue } from '../../shared/core/closedWindows';
import { WINDOW_MS } from '../../shared/core/windows';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const LATE = 5 * 60_000;

test('a window is due once its end plus the allowed lateness is reached by the watermark, not before', () => {
  assert.deepEqual(windowsDue({ watermark: T0 + WINDOW_MS + LATE - 1, allowedLatenessMs: LATE, firstEventTime: T0 + 1, limit: 10 }), []);
  assert.deepEqual(windowsDue({ watermark: T0 + WINDOW_MS + LATE, allowedLatenessMs: LATE, firstEventTime: T0 + 1, limit: 10 }), [T0]);
});

test('evaluation continues after the last evaluated window and stops at the limit', () => {
  const due = windowsDue({ watermark: T0 + 10 * WINDOW_MS, allowedLatenessMs: LATE, lastEvaluated: T0, firstEventTime: T0, limit: 3 });
  assert.deepEqual(due, [T0 + WINDOW_MS, T0 + 2 * WINDOW_MS, T0 + 3 * WINDOW_MS]);
  const rest = windowsDue({ watermark: T0 + 10 * WINDOW_MS, allowedLatenessMs: LATE, lastEvaluated: T0 + 3 * WINDOW_MS, firstEventTime: T0, limit: 100 });
  assert.equal(rest.length, 5);
  assert.equal(rest[4], T0 + 8 * WINDOW_MS);
});
