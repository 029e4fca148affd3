import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defenderAlertSchema } from '../../../shared/core/alerts/defenderExport';
import { newAlert, toDefenderExport } from '../../../shared/core/alerts';
import { ALERT_TYPES } from '../../../shared/core/alertTypes';
import { SAMPLE_SERVICE, sampleFindings } from '../../../shared/core/alerts/samples';
import { CidrSet } from '../../../shared/core/ip';

const now = Date.parse('2026-11-23T09:00:00Z');
const documentation = CidrSet.parse(['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']);

test('one sample of every type (both payload variants), on documentation addresses and the samples service', () => {
  const findings = sampleFindings(now);
  assert.deepEqual([...new Set(findings.map((f) => f.alertType))].sort(), [...ALERT_TYPES].sort());
  assert.deepEqual(findings.filter((f) => f.alertType === 'API_SpikeInPayload').map((f) => f.variant), ['request', 'response']);
  assert.ok(documentation.ok);
  for (const finding of findings) {
    if (finding.entities.clientIp !== undefined) assert.ok(documentation.set.contains(finding.entities.clientIp), finding.alertType);
    if (finding.entities.endpoint !== undefined) assert.equal(finding.entities.endpoint.service, SAMPLE_SERVICE);
    assert.ok(finding.endTime <= now && finding.time <= finding.endTime);
  }
});

test('sample alerts render, are marked as samples and export in Defender shape', () => {
  for (const finding of sampleFindings(now)) {
    const alert = newAlert(finding, { detectedAt: new Date(now), isSample: true });
    assert.equal(alert.isSample, true);
    assert.doesNotMatch(alert.description, /unknown|\{/);
    assert.ok(defenderAlertSchema.safeParse(toDefenderExport(alert)).success, alert.alertType);
  }
  assert.notEqual(
    newAlert(sampleFindings(now, ['API_SprayInRequests'])[0]!, { detectedAt: new Date(now) }).systemAlertId,
    newAlert(sampleFindings(now + 1000, ['API_SprayInRequests'])[0]!, { detectedAt: new Date(now) }).systemAlertId,
    'each call creates new alerts',
  );
});
