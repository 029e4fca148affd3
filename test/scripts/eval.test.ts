import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { CidrSet } from '../../shared/core/ip';
import { parseRecord } from '../../shared/core/parse';
import type { Label } from '../../shared/generator';
import { defaultDataDir } from '../../scripts/eval/common';
import { CsicOperations, csicRecord, evaluateCsic, formatCsic, parseCsicText } from '../../scripts/eval/csic';
import { defaultScenarios, formatGenerated, summarizeGenerated, type Scenario } from '../../scripts/eval/generated';
import { main, runEval } from '../../scripts/eval/index';
import { evaluateIndicators, formatIndicators } from '../../scripts/eval/indicators';
import { judge, type AlertView } from '../../scripts/eval/matching';

const dataDir = defaultDataDir();
const haveData = existsSync(dataDir);
const MINUTE = 60_000;

function label(fields: Partial<Label> & Pick<Label, 'id' | 'alertType' | 'start' | 'end' | 'clientIps'>): Label {
  return { service: 'svc', apiId: 'shop-api', operationId: 'list-products', requestCount: 10, description: '', ...fields };
}

test('eval matching: true, secondary and false alerts, variants and population keys', () => {
  const t = Date.parse('2026-09-15T10:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const labels: Label[] = [
    label({ id: 'spray', alertType: 'API_SprayInRequests', apiId: '*', operationId: '*', start: iso(t + 2 * MINUTE), end: iso(t + 15 * MINUTE), clientIps: ['203.0.113.9'] }),
    label({ id: 'payload', alertType: 'API_SpikeInPayload', variant: 'response', start: iso(t + 62 * MINUTE), end: iso(t + 70 * MINUTE), clientIps: ['2001:db8::1'] }),
    label({ id: 'enum', alertType: 'API_DistributedParameterEnumeration', operationId: 'validate-coupon', parameterName: 'code', start: iso(t + 122 * MINUTE), end: iso(t + 135 * MINUTE), clientIps: ['198.51.100.1', '198.51.100.2'] }),
  ];
  const alert = (id: string, alertType: string, start: number, fields: Partial<AlertView> = {}): AlertView => ({ id, alertType, start, end: start + 20 * MINUTE, count: 1, service: 'svc', ...fields });
  const alerts = [
    alert('a1', 'API_SprayInRequests', t, { clientIp: '203.0.113.9' }),
    alert('a2', 'API_AccessToUnknownEndpoints', t, { clientIp: '203.0.113.9' }),
    alert('a3', 'API_SpikeInPayload', t + 60 * MINUTE, { clientIp: '2001:db8:0:0::1', variant: 'request', apiId: 'shop-api', operationId: 'list-products' }),
    alert('a4', 'API_DistributedParameterEnumeration', t + 120 * MINUTE, { apiId: 'shop-api', operationId: 'validate-coupon', parameterName: 'code' }),
    alert('a5', 'API_PopulationSpikeInAPITraffic', t + 120 * MINUTE, { apiId: 'shop-api', operationId: 'validate-coupon', statusCode: '404' }),
    alert('a6', 'API_SprayInRequests', t + 600 * MINUTE, { clientIp: '203.0.113.9' }),
  ];
  const judged = judge(labels, alerts, { slackMs: 25 * MINUTE, attribute: () => 'test cause' });
  const verdicts = Object.fromEntries(judged.alerts.map((a) => [a.id, a.verdict]));
  assert.deepEqual(verdicts, { a1: 'true', a2: 'secondary', a3: 'secondary', a4: 'true', a5: 'secondary', a6: 'false' });
  assert.equal(judged.alerts.find((a) => a.id === 'a6')?.cause, 'test cause');
  assert.deepEqual(judged.labels.map((l) => l.detected), [true, false, true]);
});

test('eval CSIC: raw requests split at request lines, bodies become query parameters of a known operation', () => {
  const text = [
    'GET http://localhost:8080/tienda1/publico/anadir.jsp?id=3&nombre=Vino+Rioja HTTP/1.1',
    'User-Agent: Mozilla/5.0 (compatible; Konqueror/3.5; Linux) KHTML/3.5.8 (like Gecko)',
    'Cookie: JSESSIONID=81761ACA043B0E6014CA42A4BCD06AB5',
    '',
    '',
    'POST http://localhost:8080/tienda1/publico/anadir.jsp HTTP/1.1',
    'Content-Type: application/x-www-form-urlencoded',
    'Content-Length: 34',
    '',
    'id=2&nombre=Jam%F3n+Ib%E9rico&B1=x',
    '',
    'PUT http://localhost:8080/tienda1/publico/anadir.jsp HTTP/1.1',
    '',
    'id=1',
  ].join('\r\n');
  const requests = parseCsicText(text);
  assert.deepEqual(requests.map((r) => [r.method, r.body]), [['GET', ''], ['POST', 'id=2&nombre=Jam%F3n+Ib%E9rico&B1=x'], ['PUT', 'id=1']]);
  const operations = new CsicOperations(requests.slice(0, 2));
  assert.equal(operations.size, 2);
  const parse = (i: number) => {
    const result = parseRecord(csicRecord(requests[i] as (typeof requests)[number], operations, Date.UTC(2026, 9, 5)), undefined, { partitionId: 't', sequenceNumber: i, offset: '0', recordIndex: 0 }, { trustedProxies: CidrSet.empty(), maxRawChars: 1000 });
    assert.equal(result.kind, 'event');
    return result.kind === 'event' ? result.event : assert.fail();
  };
  const post = parse(1);
  assert.equal(post.endpoint.operationId, 'post-publico-anadir-jsp');
  assert.deepEqual(post.params.map((p) => [p.name, p.value]), [['id', '2'], ['nombre', 'Jam%F3n Ib%E9rico'], ['B1', 'x']]);
  assert.equal(post.requestSize, 34);
  assert.equal(parse(2).endpoint.operationId, '', 'PUT is served by no operation');
});

test('eval runs a tiny configuration of every part', { skip: haveData ? false : `no data in ${dataDir}` }, async () => {
  const tiny = (scenario: Scenario): Scenario => ({ ...scenario, requestsPerDay: 1_000, services: 1, trainDays: 2, scoreDays: 0.5, attackRounds: 1 });
  const scenarios = defaultScenarios([5, 6], true).map(tiny);
  const lines: string[] = [];
  const { report, text } = await runEval({ parts: ['generated'], dataDir, scenarios, jobs: 2, log: (line) => lines.push(line) });
  const generated = report.generated;
  assert.ok(generated !== undefined);
  assert.equal(generated.scenarios.length, 2);
  for (const result of generated.scenarios) {
    assert.ok(result.labels.length >= 12, `labels: ${result.labels.length}`);
    assert.ok(result.trainEvents > 1_000 && result.scoreEvents > 100);
    assert.equal(result.surprises.length, 3);
    assert.ok(result.alerts.every((a) => ['true', 'secondary', 'false'].includes(a.verdict)));
    // The indicator attacks need no baseline: found even with two days of history.
    for (const type of ['API_AccessFromSuspiciousUserAgent', 'API_AccessFromTorExitNode', 'API_AccessFromSuspiciousIP']) {
      assert.ok(result.labels.filter((l) => l.alertType === type).every((l) => l.detected), `${type} missed`);
    }
  }
  const summary = summarizeGenerated(generated.scenarios);
  assert.equal(summary.total.labels, generated.scenarios.reduce((n, r) => n + r.labels.length, 0));
  assert.match(formatGenerated(summary, generated.scenarios), /alert type\s+labels\s+detected\s+recall/);
  assert.match(text, /False alerts per 100,000 benign events/);
  assert.ok(lines.some((line) => line.includes('events through the pipeline')));

  const csic = evaluateCsic({ dataDir, limit: 800 });
  assert.equal(csic.anomalous.requests, 800);
  assert.equal(csic.normal.requests, 800);
  assert.ok(csic.anomalous.any.hits > 0 && csic.anomalous.any.rate !== null && csic.anomalous.any.rate <= 1);
  assert.match(formatCsic(csic), /detection \(anomalous\)/);

  const indicators = evaluateIndicators({ dataDir, benignRequestsPerDay: 1_000 });
  assert.ok(indicators.tor.listed.total > 2_000 && indicators.suspiciousIp.level3.total > 10_000);
  assert.ok(indicators.userAgents.browsers.total > 900);
  assert.match(formatIndicators(indicators), /User-Agent set/);
});

test('eval CLI: --help and bad arguments', async () => {
  const out: string[] = [];
  const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(text) };
  assert.equal(await main(['--help'], io), 0);
  assert.equal(await main(['--part', 'nope'], io), 2);
  assert.equal(await main(['--seeds', 'x'], io), 2);
  assert.equal(await main(['--jobs', '0'], io), 2);
  assert.equal(await main(['--bogus'], io), 2);
  assert.match(out.join(''), /Usage: npm run eval/);
  assert.match(out.join(''), /unknown part nope/);
});
