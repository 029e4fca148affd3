import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ALERT_TYPES, BASELINE_USER_AGENTS, KNOWN_QUERY_PARAM_NAMES, parseIpList, planTraffic, type Label } from '../../shared/generator';
import { INTEL_LEVEL3, TOR_LIST, crsUserAgentPatterns, dataLines, flatten, quantile, windowCounts, type FlatRecord } from './support';

const START = new Date('2026-11-02T00:00:00.000Z');
const DAYS = 4;
const WARMUP = 3;
const torIps = parseIpList(dataLines(TOR_LIST).join('\n')).ips;
const intelIps = parseIpList(dataLines(INTEL_LEVEL3).join('\n')).ips;

const plan = planTraffic({ seed: 2024, start: START, days: DAYS, requestsPerDay: 6000, torExitIps: torIps, suspiciousIps: intelIps });
const records = flatten(plan.messages());
const attackStart = START.getTime() + WARMUP * 86_400_000;
const baseline = records.filter((r) => r.ms < attackStart);

function only(type: Label['alertType'], variant?: Label['variant']): Label {
  const found = plan.labels.filter((l) => l.alertType === type && (variant === undefined || l.variant === variant));
  assert.equal(found.length, 1, `exactly one ${type} ${variant ?? ''} label`);
  return found[0] as Label;
}

function inLabel(label: Label): FlatRecord[] {
  const start = Date.parse(label.start);
  const end = Date.parse(label.end);
  const ips = new Set(label.clientIps);
  return records.filter((r) => r.ms >= start && r.ms < end && ips.has(r.clientIp));
}

function attackRecords(label: Label): FlatRecord[] {
  const rs = inLabel(label).filter((r) =>
    label.operationId === '*' || r.endpoint === `${label.apiId}/${label.operationId}`,
  );
  return label.statusCode !== undefined ? rs.filter((r) => r.status === label.statusCode) : rs;
}

/** The n largest values (the attacker's own baseline requests may share the window). */
function topN(values: number[], n: number): number[] {
  const top = [...values].sort((a, b) => b - a).slice(0, n);
  assert.equal(top.length, n);
  return top;
}

describe('labels', () => {
  test('every alert type gets one label (two for payload: request and response) and nothing is skipped', () => {
    assert.deepEqual(plan.skipped, []);
    assert.equal(plan.labels.length, 13);
    for (const type of ALERT_TYPES) assert.ok(plan.labels.some((l) => l.alertType === type), type);
    only('API_SpikeInPayload', 'request');
    only('API_SpikeInPayload', 'response');
  });

  test('labels are well formed, ordered by start, and their record counts are true', () => {
    let last = '';
    for (const label of plan.labels) {
      assert.match(label.id, /^gen-2024-\d{3}$/);
      assert.ok(label.start < label.end);
      assert.ok(label.start >= last);
      last = label.start;
      assert.ok(label.clientIps.length >= 1);
      assert.equal(label.service, 'contoso-shop-apim');
      assert.ok(label.description.length > 20);
      assert.ok(Date.parse(label.end) - Date.parse(label.start) <= 20 * 60_000, 'inside one 20-minute window');
      assert.equal(Math.floor(Date.parse(label.start) / 1_200_000), Math.floor((Date.parse(label.end) - 1) / 1_200_000), 'one aligned window');
      assert.ok(attackRecords(label).length >= label.requestCount, `${label.alertType} has its ${label.requestCount} records`);
    }
  });

  test('no attack happens before the warm-up ends', () => {
    for (const label of plan.labels) assert.ok(Date.parse(label.start) >= attackStart, `${label.alertType} starts after the warm-up`);
    const allowed = new Set(BASELINE_USER_AGENTS);
    const tor = new Set(torIps);
    const intel = new Set(intelIps);
    for (const r of baseline) {
      assert.ok(allowed.has(r.userAgent as string));
      assert.ok(!tor.has(r.clientIp) && !intel.has(r.clientIp));
      assert.ok(r.requestSize < 100_000 && r.responseSize < 1_000_000);
      for (const [name, value] of r.query) {
        assert.ok(KNOWN_QUERY_PARAM_NAMES.has(name));
        if (name === 'page') assert.match(value, /^\d+$/);
      }
    }
    // Fresh attacker IPs never appear in the baseline.
    const baselineIps = new Set(baseline.map((r) => r.clientIp));
    for (const label of plan.labels) {
      if (['API_SpikeInAPITraffic', 'API_SpikeInPayload', 'API_SpikeInLatency'].includes(label.alertType)) continue;
      for (const ip of label.clientIps) assert.ok(!baselineIps.has(ip), `${label.alertType} IP ${ip} is new`);
    }
  });

  test('warmupDays ≥ days means no attacks, reported as skipped', () => {
    const quiet = planTraffic({ seed: 1, start: START, days: 1, warmupDays: 1, requestsPerDay: 2000 });
    assert.equal(quiet.labels.length, 0);
    assert.equal(quiet.skipped.length, 13);
    for (const s of quiet.skipped) {
      const noList = s.alertType === 'API_AccessFromTorExitNode' || s.alertType === 'API_AccessFromSuspiciousIP';
      assert.match(s.reason, noList ? /empty/ : /no complete 20-minute window/);
    }
  });

  test('empty Tor and threat-intel lists skip those injectors and say why', () => {
    const p = planTraffic({ seed: 3, start: START, days: 1, requestsPerDay: 2000, attacks: ['API_AccessFromTorExitNode', 'API_AccessFromSuspiciousIP', 'API_UnseenParam'] });
    assert.deepEqual(p.labels.map((l) => l.alertType), ['API_UnseenParam']);
    assert.deepEqual(p.skipped.map((s) => s.alertType).sort(), ['API_AccessFromSuspiciousIP', 'API_AccessFromTorExitNode']);
    for (const s of p.skipped) assert.match(s.reason, /empty/);
  });

  test('attackRounds repeats every type', () => {
    const p = planTraffic({ seed: 3, start: START, days: 1, requestsPerDay: 2000, attackRounds: 2, attacks: ['API_UnseenParam', 'API_SprayInRequests'] });
    assert.equal(p.labels.length, 4);
    assert.equal(new Set(p.labels.map((l) => l.id)).size, 4);
  });
});

describe('each injection carries its anomaly', () => {
  test('population spike: ≥ 10× the usual window count of the endpoint and status, from many IPs', () => {
    const label = only('API_PopulationSpikeInAPITraffic');
    const key = (r: FlatRecord): string | undefined => (r.endpoint === `${label.apiId}/${label.operationId}` && r.status === label.statusCode ? 'k' : undefined);
    const usual = [...windowCounts(baseline, key).values()];
    const during = attackRecords(label).length;
    assert.ok(during >= 10 * quantile(usual, 0.95), `${during} vs p95 ${quantile(usual, 0.95)}`);
    assert.ok(during >= 5 * Math.max(...usual), `${during} vs max ${Math.max(...usual)}`);
    assert.ok(label.clientIps.length >= 50);
  });

  test('traffic spike from one IP: ≥ 10× that IP\'s usual window count on the endpoint', () => {
    const label = only('API_SpikeInAPITraffic');
    const ip = label.clientIps[0] as string;
    assert.equal(label.clientIps.length, 1);
    const key = (r: FlatRecord): string | undefined =>
      r.clientIp === ip && r.endpoint === `${label.apiId}/${label.operationId}` && r.status === label.statusCode ? 'k' : undefined;
    const usual = [...windowCounts(baseline, key).values()];
    assert.ok(usual.length >= 10, `the client has history (${usual.length} windows)`);
    const during = attackRecords(label).length;
    assert.ok(during >= 10 * Math.max(...usual), `${during} vs max ${Math.max(...usual)}`);
  });

  for (const variant of ['request', 'response'] as const) {
    test(`payload spike (${variant}): sizes ≥ 10× the endpoint's 99th percentile`, () => {
      const label = only('API_SpikeInPayload', variant);
      const size = (r: FlatRecord): number => (variant === 'request' ? r.requestSize : r.responseSize);
      const usual = baseline.filter((r) => r.endpoint === `${label.apiId}/${label.operationId}` && r.status === label.statusCode).map(size);
      assert.ok(usual.length > 20);
      const observed = topN(attackRecords(label).map(size), label.requestCount);
      assert.ok(Math.min(...observed) >= 10 * quantile(usual, 0.99), `${Math.min(...observed)} vs p99 ${quantile(usual, 0.99)}`);
    });
  }

  test('latency spike: latency ≥ 10× the endpoint\'s 99th percentile', () => {
    const label = only('API_SpikeInLatency');
    const usual = baseline.filter((r) => r.endpoint === `${label.apiId}/${label.operationId}` && r.status === 200).map((r) => r.durationMs);
    const observed = topN(attackRecords(label).map((r) => r.durationMs), label.requestCount);
    assert.ok(Math.min(...observed) >= 10 * quantile(usual, 0.99), `${Math.min(...observed)} vs p99 ${quantile(usual, 0.99)}`);
  });

  test('spray: one IP hits ≥ 40 distinct endpoints in the window, unmatched paths (operationId "") included', () => {
    const label = only('API_SprayInRequests');
    assert.equal(label.clientIps.length, 1);
    const rs = inLabel(label);
    const endpoints = new Set(rs.map((r) => r.endpoint));
    assert.ok(endpoints.size >= 40, `${endpoints.size} endpoints`);
    assert.ok(rs.filter((r) => r.operationId === '').length >= 20);
    assert.ok(rs.some((r) => r.operationId === '' && r.apiId === ''), 'some paths match no API');
    assert.ok(rs.some((r) => r.operationId === '' && r.apiId !== ''), 'some match an API but no operation');
    const perIpWindow = windowCounts(baseline, (r) => r.clientIp);
    const distinctPerIp = new Map<string, Set<string>>();
    for (const r of baseline) {
      const k = `${Math.floor(r.ms / 1_200_000)}|${r.clientIp}`;
      if (!distinctPerIp.has(k)) distinctPerIp.set(k, new Set());
      distinctPerIp.get(k)!.add(r.endpoint);
    }
    assert.ok(perIpWindow.size > 0);
    const most = Math.max(...[...distinctPerIp.values()].map((s) => s.size));
    assert.ok(endpoints.size >= 3 * most, `baseline max distinct endpoints per IP per window ${most}`);
  });

  test('parameter enumeration: one IP sends hundreds of distinct values of one parameter', () => {
    const label = only('API_ParameterEnumeration');
    const values = new Set(attackRecords(label).flatMap((r) => r.query.filter(([n]) => n === label.parameterName).map(([, v]) => v)));
    assert.ok(values.size >= 200, `${values.size} distinct values`);
    const perIp = new Map<string, Set<string>>();
    for (const r of baseline.filter((x) => x.endpoint === `${label.apiId}/${label.operationId}`)) {
      const k = `${Math.floor(r.ms / 1_200_000)}|${r.clientIp}`;
      if (!perIp.has(k)) perIp.set(k, new Set());
      for (const [n, v] of r.query) if (n === label.parameterName) perIp.get(k)!.add(v);
    }
    assert.ok(Math.max(...[...perIp.values()].map((s) => s.size)) <= 5);
  });

  test('distributed enumeration: many IPs, a few values each, hundreds together', () => {
    const label = only('API_DistributedParameterEnumeration');
    const rs = attackRecords(label);
    const byIp = new Map<string, Set<string>>();
    const all = new Set<string>();
    for (const r of rs) {
      for (const [n, v] of r.query) {
        if (n !== label.parameterName) continue;
        if (!byIp.has(r.clientIp)) byIp.set(r.clientIp, new Set());
        byIp.get(r.clientIp)!.add(v);
        all.add(v);
      }
    }
    assert.ok(all.size >= 300, `${all.size} distinct values`);
    assert.ok(byIp.size >= 50, `${byIp.size} IPs`);
    for (const set of byIp.values()) assert.ok(set.size <= 6);
    const usual = new Map<number, Set<string>>();
    for (const r of baseline.filter((x) => x.endpoint === `${label.apiId}/${label.operationId}`)) {
      const w = Math.floor(r.ms / 1_200_000);
      if (!usual.has(w)) usual.set(w, new Set());
      for (const [n, v] of r.query) if (n === label.parameterName) usual.get(w)!.add(v);
    }
    assert.ok(all.size >= 10 * Math.max(...[...usual.values()].map((s) => s.size)));
  });

  test('unseen parameter: the name never occurs before and occurs in every injected request', () => {
    const label = only('API_UnseenParam');
    const name = label.parameterName as string;
    assert.ok(!KNOWN_QUERY_PARAM_NAMES.has(name));
    const before = records.filter((r) => r.ms < Date.parse(label.start));
    assert.ok(!before.some((r) => r.query.some(([n]) => n === name)));
    const rs = attackRecords(label);
    assert.equal(rs.length, label.requestCount);
    for (const r of rs) assert.ok(r.query.some(([n]) => n === name));
  });

  test('unseen parameter type: non-integer values where the parameter always held integers', () => {
    const label = only('API_UnseenParamType');
    const name = label.parameterName as string;
    const before = records.filter((r) => r.ms < Date.parse(label.start) && r.endpoint === `${label.apiId}/${label.operationId}`);
    const beforeValues = before.flatMap((r) => r.query.filter(([n]) => n === name).map(([, v]) => v));
    assert.ok(beforeValues.length > 100);
    for (const v of beforeValues) assert.match(v, /^\d+$/);
    const injected = attackRecords(label).flatMap((r) => r.query.filter(([n]) => n === name).map(([, v]) => v));
    assert.equal(injected.length, label.requestCount);
    for (const v of injected) assert.doesNotMatch(v, /^\d+$/);
    assert.ok(injected.some((v) => /select|or|union|sleep|waitfor/i.test(v)), 'SQL text');
    assert.ok(injected.some((v) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(v)), 'a UUID');
  });

  test('Tor access: the IPs come from the Tor list and send requests in the window', () => {
    const label = only('API_AccessFromTorExitNode');
    const tor = new Set(torIps);
    for (const ip of label.clientIps) assert.ok(tor.has(ip));
    assert.equal(inLabel(label).length, label.requestCount);
  });

  test('suspicious IP access: the IPs come from the threat-intel list and are not Tor exits', () => {
    const label = only('API_AccessFromSuspiciousIP');
    const intel = new Set(intelIps);
    const tor = new Set(torIps);
    for (const ip of label.clientIps) {
      assert.ok(intel.has(ip));
      assert.ok(!tor.has(ip));
    }
    assert.equal(inLabel(label).length, label.requestCount);
  });

  test('suspicious User-Agent: the records carry the label\'s UA, a scanner or exploit pattern', () => {
    const label = only('API_AccessFromSuspiciousUserAgent');
    const ua = label.userAgent as string;
    const rs = inLabel(label);
    assert.equal(rs.length, label.requestCount);
    for (const r of rs) assert.equal(r.userAgent, ua);
    const lower = ua.toLowerCase();
    const known = crsUserAgentPatterns().some((p) => lower.includes(p)) || /\$\{jndi:|\(\)\s*\{\s*:;\s*\}\s*;|javascript:/i.test(ua);
    assert.ok(known, ua);
    assert.ok(!records.some((r) => r.ms < Date.parse(label.start) && r.userAgent === ua));
  });
});
