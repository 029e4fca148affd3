import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compileRoute } from '../../../scripts/local/httpServer';
import { resolveSchedule } from '../../../scripts/local/timers';

test('route templates bind parameters like the Functions host', () => {
  assert.deepEqual(compileRoute('health')(['health']), {});
  assert.deepEqual(compileRoute('health')(['HEALTH']), {});
  assert.equal(compileRoute('health')(['health', 'x']), undefined);
  assert.deepEqual(compileRoute('alerts/{id}')(['alerts', 'a-1']), { id: 'a-1' });
  assert.equal(compileRoute('alerts/{id}')(['alerts']), undefined);
  assert.deepEqual(compileRoute('alerts/{id?}')(['alerts']), {});
  assert.deepEqual(compileRoute('items/{id:int}')(['items', '42']), { id: '42' });
  assert.deepEqual(compileRoute('dashboard/{*path}')(['dashboard', 'css', 'app.css']), { path: 'css/app.css' });
});

test('timer schedules resolve %SETTING% from the environment and fail clearly when unset', () => {
  assert.equal(resolveSchedule('0 */5 * * * *', {}), '0 */5 * * * *');
  assert.equal(resolveSchedule('%SCHEDULE%', { SCHEDULE: '0 0 * * * *' }), '0 0 * * * *');
  assert.throws(() => resolveSchedule('%SCHEDULE%', {}), /unset app setting SCHEDULE/);
});
