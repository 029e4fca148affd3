import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ALERT_TYPES } from '../../../shared/core/alertTypes';
import { newAlert, type Alert } from '../../../shared/core/alerts/alert';
import { CATALOG } from '../../../shared/core/alerts/catalog';
import { defenderAlertSchema, exportStatus, toDefenderExport } from '../../../shared/core/alerts/defenderExport';
import { APIM_ID, findingOf, spikeFinding, T0, WINDOW } from './helpers';

/** The fields Defender's continuous export carries that we always fill. */
const REQUIRED = [
  'VendorName',
  'AlertType',
  'ProductName',
  'StartTimeUtc',
  'EndTimeUtc',
  'TimeGenerated',
  'ProcessingEndTime',
  'Severity',
  'Status',
  'ProviderAlertStatus',
  'IsIncident',
  'SystemAlertId',
  'CorrelationKey',
  'Intent',
  'CompromisedEntity',
  'AlertDisplayName',
  'Description',
  'Entities',
  'RemediationSteps',
  'ExtendedProperties',
  'ResourceIdentifiers',
] as const;

const detectedAt = new Date(T0 + WINDOW);

describe('toDefenderExport', () => {
  test('validates against the export schema for every catalog entry, with and without the APIM id', () => {
    for (const entry of CATALOG) {
      for (const azureResourceId of [APIM_ID, undefined]) {
        const finding = findingOf(entry.alertType, entry.variant === undefined ? {} : { variant: entry.variant });
        const exported = toDefenderExport(newAlert(finding, azureResourceId === undefined ? { detectedAt } : { detectedAt, azureResourceId }));
        const parsed = defenderAlertSchema.safeParse(exported);
        assert.ok(parsed.success, `${entry.alertType}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`);
        for (const field of REQUIRED) assert.ok(field in exported, `${entry.alertType}: ${field}`);
      }
    }
    assert.equal(CATALOG.length, ALERT_TYPES.length + 1);
  });

  test('maps every field to its PascalCase name', () => {
    const alert = newAlert(spikeFinding(), { detectedAt, azureResourceId: APIM_ID });
    const exported = toDefenderExport(alert, { alertUri: `https://warden.example.com/alerts/${alert.systemAlertId}` });
    assert.equal(exported.AlertType, 'API_SpikeInAPITraffic');
    assert.equal(exported.SystemAlertId, alert.systemAlertId);
    assert.equal(exported.AlertDisplayName, alert.alertDisplayName);
    assert.equal(exported.Description, alert.description);
    assert.equal(exported.Severity, 'Medium');
    assert.equal(exported.Intent, 'Impact');
    assert.equal(exported.StartTimeUtc, alert.startTimeUtc);
    assert.equal(exported.EndTimeUtc, alert.endTimeUtc);
    assert.equal(exported.TimeGenerated, alert.timeGeneratedUtc);
    assert.equal(exported.ProcessingEndTime, alert.timeGeneratedUtc);
    assert.equal(exported.CompromisedEntity, 'contoso-apim/orders-api/get-order');
    assert.equal(exported.AzureResourceId, APIM_ID);
    assert.equal(exported.ProductName, 'API Warden');
    assert.equal(exported.VendorName, 'API Warden');
    assert.equal(exported.IsIncident, false);
    assert.equal(exported.CorrelationKey, alert.dedupeKey);
    assert.deepEqual(exported.RemediationSteps, alert.remediationSteps);
    assert.equal(exported.AlertUri, `https://warden.example.com/alerts/${alert.systemAlertId}`);
    assert.ok(defenderAlertSchema.safeParse(exported).success);
  });

  test('writes entities and resource identifiers as Defender does, with unique $ids', () => {
    const exported = toDefenderExport(newAlert(spikeFinding(), { detectedAt, azureResourceId: APIM_ID }));
    assert.deepEqual(exported.Entities[0], { $id: '1', Type: 'ip', Address: '203.0.113.7' });
    assert.equal(exported.Entities[1]?.Type, 'api-endpoint');
    assert.deepEqual(exported.Entities[2], {
      $id: '3',
      Type: 'azure-resource',
      ResourceId: APIM_ID,
      ResourceType: 'API Management service',
      ResourceName: 'contoso-apim',
    });
    assert.deepEqual(exported.ResourceIdentifiers, [{ $id: '4', Type: 'AzureResource', AzureResourceId: APIM_ID }]);
  });

  test('omits AzureResourceId and resource identifiers when the APIM id is unknown', () => {
    const exported = toDefenderExport(newAlert(spikeFinding(), { detectedAt }));
    assert.equal('AzureResourceId' in exported, false);
    assert.deepEqual(exported.ResourceIdentifiers, []);
  });

  test('exports Active as New and keeps our status as ProviderAlertStatus', () => {
    assert.equal(exportStatus('Active'), 'New');
    assert.equal(exportStatus('InProgress'), 'InProgress');
    assert.equal(exportStatus('Dismissed'), 'Dismissed');
    assert.equal(exportStatus('Resolved'), 'Resolved');
    const alert: Alert = { ...newAlert(spikeFinding(), { detectedAt }), status: 'Resolved' };
    const exported = toDefenderExport(alert);
    assert.equal(exported.Status, 'Resolved');
    assert.equal(exported.ProviderAlertStatus, 'Resolved');
  });

  test('joins several tactics into Intent as Defender does', () => {
    const exported = toDefenderExport(newAlert(findingOf('API_AccessToUnknownEndpoints'), { detectedAt }));
    assert.equal(exported.Intent, 'Discovery, PreAttack');
  });

  test('carries aggregation, suppression and sample facts in ExtendedProperties as strings', () => {
    const alert: Alert = {
      ...newAlert(spikeFinding(), { detectedAt, isSample: true }),
      count: 7,
      status: 'Dismissed',
      suppression: { ruleId: 'rule-1', reason: 'nightly load test', suppressedAtUtc: '2025-03-01T10:20:00.000Z' },
    };
    const properties = toDefenderExport(alert).ExtendedProperties;
    assert.equal(properties.alertCount, '7');
    assert.equal(properties.firstFindingTime, alert.firstFindingTime);
    assert.equal(properties.lastFindingTime, alert.lastFindingTime);
    assert.equal(properties.suppressionRuleId, 'rule-1');
    assert.equal(properties.suppressionReason, 'nightly load test');
    assert.equal(properties.isSample, 'true');
    assert.equal(properties.baseline, alert.extendedProperties.baseline);
  });

  test('the schema rejects what Defender would not send', () => {
    const good = toDefenderExport(newAlert(spikeFinding(), { detectedAt, azureResourceId: APIM_ID }));
    const bad: Array<[string, unknown]> = [
      ['unknown field', { ...good, Extra: 1 }],
      ['missing Severity', { ...good, Severity: undefined }],
      ['bad severity', { ...good, Severity: 'Critical' }],
      ['bad status', { ...good, Status: 'Active' }],
      ['bad intent', { ...good, Intent: 'Impact, Mischief' }],
      ['non-string property', { ...good, ExtendedProperties: { count: 3 } }],
      ['bad time', { ...good, StartTimeUtc: 'yesterday' }],
      ['end before start', { ...good, EndTimeUtc: '2000-01-01T00:00:00.000Z' }],
      ['duplicate $id', { ...good, ResourceIdentifiers: [{ $id: '1', Type: 'AzureResource', AzureResourceId: APIM_ID }] }],
      ['non-UUID id', { ...good, SystemAlertId: 'abc' }],
    ];
    for (const [name, value] of bad) assert.equal(defenderAlertSchema.safeParse(value).success, false, name);
  });

  test('round-trips through JSON unchanged', () => {
    const exported = toDefenderExport(newAlert(spikeFinding(), { detectedAt, azureResourceId: APIM_ID }));
    assert.deepEqual(defenderAlertSchema.parse(JSON.parse(JSON.stringify(exported))), exported);
  });
});
