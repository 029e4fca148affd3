import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DEFAULT_DETECTION_SETTINGS } from '../../shared/core/detectors/settings';
import { WINDOW_MS } from '../../shared/core/windows';
import { evaluateWindows } from '../../shared/services/evaluateWindows';
import { recomputeBaselines } from '../../shared/services/recomputeBaselines';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { ingestGenerated } from '../support/generatedTraffic';
import { freshApp } from '../support/testApp';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(async () => {
  await azurite.stop();
});

const DAY = 24 * 60 * 60 * 1000;
const START = Date.parse('2026-10-05T00:00:00Z');

test('window attacks in generated traffic become alerts once baselines are learned, and nothing else does', async () => {
  const app = freshApp(azurite);
  const { labels } = await ingestGenerated(app.ingest, {
    seed: 11,
    start: new Date(START),
    days: 4,
    requestsPerDay: 4000,
    attacks: ['API_SpikeInAPITraffic', 'API_PopulationSpikeInAPITraffic', 'API_SprayInRequests'],
  });
  assert.equal(labels.length, 3);
  const scoreFrom = START + 3 * DAY;
  const settings = { ...DEFAULT_DETECTION_SETTINGS, minEndpointWindows: 72 };
  await recomputeBaselines(app.deps, settings, scoreFrom);
  await app.deps.cursor.setLastEvaluated(scoreFrom - WINDOW_MS);

  const summary = await evaluateWindows(app.deps, { settings, allowedLatenessMs: 5 * 60_000, maxWindows: 1000 });
  assert.equal(summary.withoutBaseline, false);
  assert.ok(summary.windows.length >= 70, `${summary.windows.length} windows evaluated`);
  const alerts = await app.deps.alerts.list();
  for (const label of labels) {
    const match = alerts.find(
      (alert) =>
        alert.alertType === label.alertType &&
        (label.alertType === 'API_PopulationSpikeInAPITraffic'
          ? alert.keyEntities.endpoint?.operationId === label.operationId
          : label.clientIps.includes(alert.keyEntities.clientIp ?? '')),
    );
    assert.ok(match, `${label.alertType} (${label.description}) raised; alerts: ${alerts.map((a) => `${a.alertType} ${a.compromisedEntity}`).join('; ')}`);
  }
  // An attacker may trip more than its own type (a spray also probes unknown paths): every
  // alert must name a labeled attacker or a labeled endpoint.
  const unexplained = alerts.filter(
    (alert) =>
      !labels.some(
        (label) =>
          label.clientIps.includes(alert.keyEntities.clientIp ?? '') ||
          (alert.keyEntities.clientIp === undefined && alert.keyEntities.endpoint?.operationId === label.operationId),
      ),
  );
  assert.deepEqual(unexplained.map((a) => `${a.alertType} ${a.compromisedEntity} ${a.extendedProperties.observed ?? ''}`), []);

  const again = await evaluateWindows(app.deps, { settings, allowedLatenessMs: 5 * 60_000, maxWindows: 1000 });
  assert.deepEqual(again.windows, [], 'each window is evaluated once');
});
