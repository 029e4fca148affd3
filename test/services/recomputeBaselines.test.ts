import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { deserializeContentBaselines } from '../../shared/core/baselines/contentBaseline';
import { deserializeEndpointTraffic } from '../../shared/core/baselines/endpointTraffic';
import { deserializeTrafficBaselines } from '../../shared/core/baselines/trafficBaseline';
import { DEFAULT_DETECTION_SETTINGS } from '../../shared/core/detectors/settings';
import { CONTENT_BASELINE } from '../../shared/services/instantDetectors';
import { ENDPOINT_TRAFFIC, recomputeBaselines, TRAFFIC_BASELINE } from '../../shared/services/recomputeBaselines';
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

test('each endpoint\'s requests over the last 30 days are stored apart, even when baselines learn from fewer days', async () => {
  const app = freshApp(azurite);
  await ingestGenerated(app.ingest, { seed: 4, start: START, days: 2, requestsPerDay: 2000, attacks: false });
  const stores = { windows: app.deps.windows, partitions: app.deps.partitions, baselines: app.deps.baselines };
  const summary = await recomputeBaselines(stores, DEFAULT_DETECTION_SETTINGS);
  const traffic = deserializeEndpointTraffic((await app.deps.baselines.read(ENDPOINT_TRAFFIC))?.text ?? '');
  const content = deserializeContentBaselines((await app.deps.baselines.read(CONTENT_BASELINE))?.text ?? '');
  assert.equal(new Date(traffic.from).toISOString(), summary.from);
  assert.equal(new Date(traffic.to).toISOString(), summary.asOf);
  assert.deepEqual([...traffic.requests].sort(), [...content.endpointRequests].sort(), 'same span, same totals as the content baseline counts');

  const oneDay = await recomputeBaselines(stores, { ...DEFAULT_DETECTION_SETTINGS, baselineDays: 1 });
  assert.ok(oneDay.windows <= 72, `${oneDay.windows} baseline windows`);
  const stillAll = deserializeEndpointTraffic((await app.deps.baselines.read(ENDPOINT_TRAFFIC))?.text ?? '');
  assert.deepEqual([...stillAll.requests].sort(), [...traffic.requests].sort(), 'the totals still cover all 30 days');
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
