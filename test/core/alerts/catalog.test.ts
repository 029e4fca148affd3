import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ALERT_TYPES, type AlertType, type PayloadVariant } from '../../../shared/core/alertTypes';
import { newAlert } from '../../../shared/core/alerts/alert';
import {
  CATALOG,
  catalogEntry,
  catalogTypes,
  DEFENDER_FOR_APIS_ALERTS_URL,
  renderTemplate,
  SEVERITIES,
  TACTICS,
  TEMPLATE_PLACEHOLDERS,
  templatePlaceholders,
  type Severity,
  type Tactic,
} from '../../../shared/core/alerts/catalog';
import { findingOf, T0 } from './helpers';

/**
 * Written from Microsoft's "Alerts for Defender for APIs" reference
 * (learn.microsoft.com/en-us/azure/defender-for-cloud/alerts-defender-for-apis, ms.date 06/03/2024):
 * display name, "MITRE tactics" and "Severity" of each alert, tactics in the alert `intent` spelling.
 * API_AccessToUnknownEndpoints is API Warden's own (Microsoft documents nothing): Low, Discovery + PreAttack.
 */
const DOCUMENTED: ReadonlyArray<[AlertType, PayloadVariant | undefined, string, Severity, Tactic[]]> = [
  ['API_PopulationSpikeInAPITraffic', undefined, 'Suspicious population-level spike in API traffic to an API endpoint', 'Medium', ['Impact']],
  ['API_SpikeInAPITraffic', undefined, 'Suspicious spike in API traffic from a single IP address to an API endpoint', 'Medium', ['Impact']],
  ['API_SpikeInPayload', 'response', 'Unusually large response payload transmitted between a single IP address and an API endpoint', 'Medium', ['InitialAccess']],
  ['API_SpikeInPayload', 'request', 'Unusually large request body transmitted between a single IP address and an API endpoint', 'Medium', ['InitialAccess']],
  ['API_SpikeInLatency', undefined, 'Suspicious spike in latency for traffic between a single IP address and an API endpoint', 'Medium', ['InitialAccess']],
  ['API_SprayInRequests', undefined, 'API requests spray from a single IP address to an unusually large number of distinct API endpoints', 'Medium', ['Discovery']],
  ['API_ParameterEnumeration', undefined, 'Parameter enumeration on an API endpoint', 'Medium', ['InitialAccess']],
  ['API_DistributedParameterEnumeration', undefined, 'Distributed parameter enumeration on an API endpoint', 'Medium', ['InitialAccess']],
  ['API_UnseenParamType', undefined, 'Parameter value(s) with anomalous data types in an API call', 'Medium', ['Impact']],
  ['API_UnseenParam', undefined, 'Previously unseen parameter used in an API call', 'Medium', ['Impact']],
  ['API_AccessFromTorExitNode', undefined, 'Access from a Tor exit node to an API endpoint', 'Medium', ['PreAttack']],
  ['API_AccessFromSuspiciousIP', undefined, 'API Endpoint access from suspicious IP', 'High', ['PreAttack']],
  ['API_AccessFromSuspiciousUserAgent', undefined, 'Suspicious User Agent detected', 'Medium', ['Execution']],
];

describe('alert catalog', () => {
  test('has an entry for every alert type, and two variants for API_SpikeInPayload', () => {
    assert.deepEqual(catalogTypes(), [...ALERT_TYPES]);
    for (const type of ALERT_TYPES) assert.equal(catalogEntry(type).alertType, type);
    assert.equal(CATALOG.length, ALERT_TYPES.length + 1);
    assert.equal(catalogEntry('API_SpikeInPayload', 'request').variant, 'request');
    assert.equal(catalogEntry('API_SpikeInPayload', 'response').variant, 'response');
  });

  test('display names, severities and tactics are the ones Microsoft documents', () => {
    for (const [type, variant, displayName, severity, tactics] of DOCUMENTED) {
      const entry = catalogEntry(type, variant);
      assert.equal(entry.alertDisplayName, displayName, type);
      assert.equal(entry.severity, severity, type);
      assert.deepEqual(entry.tactics, tactics, type);
      assert.equal(entry.source, DEFENDER_FOR_APIS_ALERTS_URL, type);
    }
  });

  test('API_AccessFromSuspiciousIP is the only High alert', () => {
    assert.deepEqual(
      CATALOG.filter((entry) => entry.severity === 'High').map((entry) => entry.alertType),
      ['API_AccessFromSuspiciousIP'],
    );
  });

  test('our own unknown-endpoints type is Low, Discovery and PreAttack, with no Microsoft source', () => {
    const entry = catalogEntry('API_AccessToUnknownEndpoints');
    assert.equal(entry.severity, 'Low');
    assert.deepEqual(entry.tactics, ['Discovery', 'PreAttack']);
    assert.equal(entry.source, undefined);
  });

  test('the two payload variants share the type but not the wording', () => {
    const request = catalogEntry('API_SpikeInPayload', 'request');
    const response = catalogEntry('API_SpikeInPayload', 'response');
    assert.notEqual(request.alertDisplayName, response.alertDisplayName);
    assert.notEqual(request.descriptionTemplate, response.descriptionTemplate);
    assert.match(request.descriptionTemplate, /request/);
    assert.match(response.descriptionTemplate, /response/);
  });

  test('a payload finding without a variant is treated as the response variant', () => {
    assert.equal(catalogEntry('API_SpikeInPayload'), catalogEntry('API_SpikeInPayload', 'response'));
  });

  test('every entry has a valid severity, known tactics and several remediation steps', () => {
    for (const entry of CATALOG) {
      assert.ok((SEVERITIES as readonly string[]).includes(entry.severity));
      assert.ok(entry.tactics.length > 0);
      for (const tactic of entry.tactics) assert.ok((TACTICS as readonly string[]).includes(tactic), tactic);
      assert.ok(entry.remediationSteps.length >= 3, entry.alertType);
    }
  });

  test('templates use only known placeholders', () => {
    for (const entry of CATALOG) {
      for (const template of [entry.descriptionTemplate, ...entry.remediationSteps]) {
        for (const name of templatePlaceholders(template)) {
          assert.ok((TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name), `${entry.alertType}: {${name}}`);
        }
      }
    }
  });

  test('remediation for IP-keyed alerts offers API Warden\'s block action', () => {
    for (const entry of CATALOG) {
      if (entry.alertType === 'API_PopulationSpikeInAPITraffic') continue;
      assert.ok(
        entry.remediationSteps.some((step) => step.includes("API Warden's block action")),
        entry.alertType,
      );
    }
  });

  test('descriptions come out filled, with no placeholder left, for every type', () => {
    for (const entry of CATALOG) {
      const finding = findingOf(entry.alertType, entry.variant === undefined ? {} : { variant: entry.variant });
      const alert = newAlert(finding, { detectedAt: new Date(T0) });
      assert.doesNotMatch(alert.description, /\{[A-Za-z]+\}/, entry.alertType);
      for (const step of alert.remediationSteps) assert.doesNotMatch(step, /\{[A-Za-z]+\}/, entry.alertType);
    }
  });

  test('renderTemplate uses fallbacks for missing values and leaves unknown placeholders alone', () => {
    const fallbacks = Object.fromEntries(TEMPLATE_PLACEHOLDERS.map((name) => [name, `<${name}>`])) as Record<
      (typeof TEMPLATE_PLACEHOLDERS)[number],
      string
    >;
    assert.equal(renderTemplate('{clientIp} hit {endpoint} {nope}', { clientIp: '1.2.3.4', endpoint: '' }, fallbacks), '1.2.3.4 hit <endpoint> {nope}');
  });
});
