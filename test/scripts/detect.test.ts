import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { defenderAlertSchema } from '../../shared/core/alerts';
import { SuspiciousUserAgentDetector } from '../../shared/core/detectors/suspiciousUserAgent';
import { planTraffic } from '../../shared/generator';
import { runDetect } from '../../scripts/detect';

const DAY = 24 * 60 * 60 * 1000;

test('detect learns from the training logs and writes the alerts raised on the scored logs, in Defender\'s export shape', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-detect-'));
  const start = Date.parse('2026-09-07T00:00:00Z');
  const plan = planTraffic({
    seed: 21,
    start: new Date(start),
    days: 4,
    requestsPerDay: 3000,
    attacks: ['API_SprayInRequests', 'API_SpikeInAPITraffic', 'API_AccessFromSuspiciousUserAgent'],
  });
  const train: string[] = [];
  const score: string[] = [];
  for (const message of plan.messages()) (message.time < start + 3 * DAY ? train : score).push(message.body);
  writeFileSync(join(dir, 'train.jsonl'), `${train.join('\n')}\n`);
  writeFileSync(join(dir, 'score.jsonl'), `${score.join('\n')}\ngarbage\n`);

  const result = await runDetect({
    train: join(dir, 'train.jsonl'),
    score: join(dir, 'score.jsonl'),
    out: join(dir, 'alerts.jsonl'),
    detectors: [new SuspiciousUserAgentDetector()],
  });
  assert.equal(result.baselineAsOf, new Date(start + 3 * DAY - 20 * 60_000).toISOString());
  assert.equal(result.quarantined, 1);
  assert.ok(result.windowsEvaluated >= 72);

  const alerts = readFileSync(join(dir, 'alerts.jsonl'), 'utf8').trim().split('\n').map((line) => defenderAlertSchema.parse(JSON.parse(line)));
  assert.equal(alerts.length, result.alerts);
  for (const label of plan.labels) {
    const found = alerts.some((alert) => alert.AlertType === label.alertType && label.clientIps.includes(String(alert.ExtendedProperties.clientIp)));
    assert.ok(found, `${label.alertType} from ${label.clientIps.join(', ')}: ${alerts.map((a) => `${a.AlertType} ${a.CompromisedEntity}`).join('; ')}`);
  }
  for (const alert of alerts) assert.ok(Date.parse(alert.StartTimeUtc) >= start + 3 * DAY - 20 * 60_000, 'only alerts raised while scoring');
});
