import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { deserializeTrafficBaselines } from '../../shared/core/baselines/trafficBaseline';
import { DEFAULT_DETECTION_SETTINGS } from '../../shared/core/detectors/settings';
import { recomputeBaselines, TRAFFIC_BASELINE } from '../../shared/services/recomputeBaselines';
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

const START = new Date('2026-10-01T00:00:00Z');

test('baselines are learned from the stored windows before the watermark and stored as the current version', async () => {
  const app = freshApp(azurite);
  await ingestGenerated(app.ingest, { seed: 3, start: START, days: 2, requestsPerDay: 3000, attacks: false });
  const summary = await recomputeBaselines(
    { windows: app.deps.windows, partitions: app.deps.partitions, baselines: app.deps.baselines },
    DEFAULT_DETECTION_SETTINGS,
  );
  assert.equal(summary.from, START.toISOString());
  assert.ok(summary.windows >= 140 && summary.windows <= 144, `${summary.windows} windows`);
  assert.ok(summary.endpointKeys > 10);
  assert.ok(summary.clientKeys > 100);

  const stored = await app.deps.baselines.read(TRAFFIC_BASELINE);
  assert.equal(stored?.version, summary.version);
  const baselines = deserializeTrafficBaselines(stored?.text ?? '');
  assert.equal(baselines.endpoints.size, summary.endpointKeys);
  assert.equal(baselines.ips.size, summary.clientKeys);
  const anyEndpoint = [...baselines.endpoints.values()][0];
  assert.ok(anyEndpoint && anyEndpoint.overall.windows > 100, 'empty windows since first seen count as zero');

  const again = await recomputeBaselines(
    { windows: app.deps.windows, partitions: app.deps.partitions, baselines: app.deps.baselines },
    DEFAULT_DETECTION_SETTINGS,
  );
  assert.notEqual(again.version, summary.version);
  assert.equal((await app.deps.baselines.read(TRAFFIC_BASELINE))?.text, stored?.text, 'same history, same baselines');
});

test('nothing ingested: nothing learned, nothing written', async () => {
  const app = freshApp(azurite);
  const summary = await recomputeBaselines(
    { windows: app.deps.windows, partitions: app.deps.partitions, baselines: app.deps.baselines },
    DEFAULT_DETECTION_SETTINGS,
  );
  assert.equal(summary.version, null);
  assert.equal(await app.deps.baselines.read(TRAFFIC_BASELINE), undefined);
});
