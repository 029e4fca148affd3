import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { BASELINE_USER_AGENTS, planTraffic, type GeneratedMessage, type GeneratorOptions } from '../../shared/generator';
import { crsUserAgentPatterns, flatten, type FlatRecord } from './support';

const START = new Date('2026-11-02T00:00:00.000Z'); // a Monday

function digest(messages: Iterable<GeneratedMessage>): string {
  const hash = createHash('sha256');
  for (const m of messages) hash.update(`${m.time}|${m.partitionKey}|${m.body}\n`);
  return hash.digest('hex');
}

const small: GeneratorOptions = { seed: 101, start: START, days: 1, requestsPerDay: 3000, torExitIps: ['185.220.101.33'], suspiciousIps: ['45.95.147.236'] };

describe('determinism', () => {
  test('the same options give byte-identical messages and labels', () => {
    const a = planTraffic(small);
    const b = planTraffic({ ...small });
    assert.equal(digest(a.messages()), digest(b.messages()));
    assert.deepEqual(a.labels, b.labels);
  });

  test('iterating messages() twice gives the same output', () => {
    const plan = planTraffic(small);
    assert.equal(digest(plan.messages()), digest(plan.messages()));
  });

  test('a different seed gives different output', () => {
    const a = planTraffic(small);
    const b = planTraffic({ ...small, seed: 102 });
    assert.notEqual(digest(a.messages()), digest(b.messages()));
    assert.notDeepEqual(a.labels, b.labels);
  });
});

describe('record shape', () => {
  const plan = planTraffic({ ...small, days: 0.5, warmupDays: 0 });
  const messages = [...plan.messages()];

  test('each message body is {"records":[…]} with 1..recordsPerMessage records', () => {
    for (const m of messages) {
      const body = JSON.parse(m.body) as { records: unknown[] };
      assert.deepEqual(Object.keys(body), ['records']);
      assert.ok(Array.isArray(body.records));
      assert.ok(body.records.length >= 1 && body.records.length <= 20);
      assert.equal(body.records.length, m.recordCount);
    }
  });

  test('records carry the GatewayLogs top-level fields with the right types', () => {
    const timePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
    const resourcePattern = /^\/SUBSCRIPTIONS\/[0-9A-F-]{36}\/RESOURCEGROUPS\/[A-Z0-9-]+\/PROVIDERS\/MICROSOFT\.APIMANAGEMENT\/SERVICE\/[A-Z0-9-]+$/;
    for (const r of flatten(messages)) {
      const raw = r.raw;
      assert.match(raw['time'] as string, timePattern);
      assert.match(raw['resourceId'] as string, resourcePattern);
      assert.equal(raw['operationName'], 'Microsoft.ApiManagement/GatewayLogs');
      assert.equal(raw['category'], 'GatewayLogs');
      assert.equal(raw['Level'], 4);
      assert.equal(typeof raw['DeploymentVersion'], 'string');
      assert.ok(Number.isInteger(raw['durationMs']) && (raw['durationMs'] as number) >= 0);
      assert.ok(ipaddr.isValid(raw['callerIpAddress'] as string));
      assert.match(raw['correlationId'] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(typeof raw['location'], 'string');
      assert.equal(raw['isRequestSuccess'], r.status >= 200 && r.status < 400);
    }
  });

  test('properties carry method, full URL, sizes, ids and protocol fields', () => {
    let withError = 0;
    let unmatched = 0;
    for (const r of flatten(messages)) {
      const p = r.properties;
      assert.match(p['method'] as string, /^(GET|POST|PUT|PATCH|DELETE|HEAD)$/);
      assert.match(p['url'] as string, /^https:\/\/[a-z0-9-]+\.azure-api\.net\//);
      for (const field of ['responseCode', 'responseSize', 'requestSize', 'clientTime']) {
        assert.ok(Number.isInteger(p[field]) && (p[field] as number) >= 0, `${field} is a non-negative integer`);
      }
      for (const field of ['apiId', 'operationId', 'apiRevision', 'clientProtocol', 'clientTlsVersion', 'apimSubscriptionId', 'cache']) {
        assert.equal(typeof p[field], 'string', `${field} is a string`);
      }
      assert.match(p['cache'] as string, /^(none|hit|miss)$/);
      if (p['backendUrl'] !== undefined) {
        assert.equal(p['backendMethod'], p['method']);
        assert.ok(Number.isInteger(p['backendTime']));
      }
      if (p['backendResponseCode'] !== undefined) assert.equal(p['backendResponseCode'], p['responseCode']);
      if (p['lastError'] !== undefined) {
        withError++;
        const e = p['lastError'] as Record<string, unknown>;
        assert.ok(Number.isInteger(e['elapsed']));
        for (const field of ['source', 'reason', 'message', 'section']) assert.equal(typeof e[field], 'string');
        assert.ok(r.status >= 400, 'lastError only on errors');
      }
      if (r.operationId === '') {
        unmatched++;
        assert.equal(r.status, 404);
      }
      const headers = p['requestHeaders'] as Record<string, string>;
      assert.equal(typeof headers['User-Agent'], 'string');
      if (headers['Content-Length'] !== undefined) assert.match(headers['Content-Length'], /^\d+$/);
    }
    assert.ok(withError > 0, 'some records carry lastError');
    assert.ok(unmatched > 0, 'some baseline requests match no operation');
  });

  test('request headers are left out when header logging is off', () => {
    const quiet = planTraffic({ ...small, days: 0.1, logHeaders: false, attacks: false });
    for (const r of flatten(quiet.messages())) assert.equal(r.properties['requestHeaders'], undefined);
  });

  test('the partition key is the client IP of every record in the message', () => {
    for (const m of messages) {
      for (const r of flatten([m])) assert.equal(r.clientIp, m.partitionKey);
    }
  });
});

describe('volume, rhythm and population', () => {
  const plan = planTraffic({ seed: 5, start: START, days: 7, requestsPerDay: 4000, attacks: false });
  const messages = [...plan.messages()];
  const records: FlatRecord[] = flatten(messages);

  test('messages are in non-decreasing event time and message time is its first record time', () => {
    let last = -Infinity;
    for (const m of messages) {
      assert.ok(m.time >= last, 'non-decreasing');
      last = m.time;
      const first = flatten([m])[0] as FlatRecord;
      assert.equal(first.ms, m.time);
    }
  });

  test('every record lies in [start, start + days)', () => {
    const end = START.getTime() + 7 * 86_400_000;
    for (const r of records) assert.ok(r.ms >= START.getTime() && r.ms < end);
  });

  test('volume is close to requestsPerDay', () => {
    const perDay = records.length / 7;
    assert.ok(perDay > 3000 && perDay < 5000, `about 4000 a day, got ${perDay}`);
    assert.ok(Math.abs(plan.estimatedMessages - messages.length) / messages.length < 0.15, 'the estimate is within 15 %');
  });

  test('night hours have markedly fewer requests than the afternoon', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const r of records) byHour[new Date(r.ms).getUTCHours()]! += 1;
    const night = byHour[2]! + byHour[3]! + byHour[4]!;
    const afternoon = byHour[14]! + byHour[15]! + byHour[16]!;
    assert.ok(afternoon > 3 * night, `afternoon ${afternoon} vs night ${night}`);
  });

  test('weekends are quieter than weekdays', () => {
    const byDay = new Array<number>(7).fill(0);
    for (const r of records) byDay[new Date(r.ms).getUTCDay()]! += 1;
    const weekday = (byDay[1]! + byDay[2]! + byDay[3]! + byDay[4]! + byDay[5]!) / 5;
    const weekend = (byDay[0]! + byDay[6]!) / 2;
    assert.ok(weekend < 0.85 * weekday, `weekend ${weekend} vs weekday ${weekday}`);
  });

  test('clients are many, on IPv4 and IPv6, with heavy users and a long tail', () => {
    const perIp = new Map<string, number>();
    for (const r of records) perIp.set(r.clientIp, (perIp.get(r.clientIp) ?? 0) + 1);
    assert.ok(perIp.size > 500, `distinct IPs ${perIp.size}`);
    const ips = [...perIp.keys()];
    assert.ok(ips.some((ip) => ipaddr.parse(ip).kind() === 'ipv6'), 'IPv6 clients');
    assert.ok(ips.some((ip) => ipaddr.parse(ip).kind() === 'ipv4'), 'IPv4 clients');
    for (const ip of ips) assert.equal(ipaddr.parse(ip).range(), 'unicast', `${ip} is public unicast`);
    const counts = [...perIp.values()].sort((a, b) => b - a);
    assert.ok((counts[0] as number) > 20 * (counts[Math.floor(counts.length / 2)] as number), 'the heaviest client is far above the median');
    assert.ok(counts.filter((c) => c <= 3).length > counts.length / 4, 'a long tail of light clients');
  });

  test('mostly successful statuses, some 4xx, rare 5xx', () => {
    const ok = records.filter((r) => r.status < 300).length / records.length;
    const client = records.filter((r) => r.status >= 400 && r.status < 500).length / records.length;
    const server = records.filter((r) => r.status >= 500).length / records.length;
    assert.ok(ok > 0.9, `2xx share ${ok}`);
    assert.ok(client > 0.005 && client < 0.08, `4xx share ${client}`);
    assert.ok(server > 0 && server < 0.01, `5xx share ${server}`);
  });

  test('errors are smaller than successes, 5xx slower than 2xx', () => {
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const list = records.filter((r) => r.endpoint === 'shop-api/list-products');
    const ok = list.filter((r) => r.status === 200);
    const bad = list.filter((r) => r.status === 400 || r.status === 404);
    assert.ok(median(bad.map((r) => r.responseSize)) < median(ok.map((r) => r.responseSize)) / 5);
    const all5xx = records.filter((r) => r.status === 500);
    const all2xx = records.filter((r) => r.status === 200 && r.properties['cache'] !== 'hit');
    assert.ok(median(all5xx.map((r) => r.durationMs)) > 2 * median(all2xx.map((r) => r.durationMs)));
  });

  test('typed query values: integers stay integers, dates are dates, emails are emails', () => {
    for (const r of records) {
      for (const [name, value] of r.query) {
        if (['page', 'size', 'rating', 'days', 'limit', 'param2'].includes(name)) assert.match(value, /^\d+$/, `${name}=${value}`);
        if (['since', 'from', 'to'].includes(name)) assert.match(value, /^\d{4}-\d{2}-\d{2}$/);
        if (name === 'email') assert.match(value, /^[a-z._0-9]+@[a-z.]+$/);
        if (name === 'inStock' || name === 'paid') assert.match(value, /^(true|false)$/);
        if (name === 'customerId') assert.match(value, /^[0-9a-f-]{36}$/);
        if (name === 'lat' || name === 'lon') assert.match(value, /^-?\d+\.\d{4}$/);
      }
    }
  });

  test('several APIM services and APIs appear', () => {
    assert.deepEqual([...new Set(records.map((r) => r.service))].sort(), ['contoso-partner-apim', 'contoso-shop-apim']);
    assert.deepEqual([...new Set(records.map((r) => r.apiId).filter((a) => a !== ''))].sort(), ['echo-api', 'payments-api', 'shop-api', 'weather-api']);
  });

  test('baseline User-Agents are all from the realistic list and none matches a CRS scanner or scripting pattern', () => {
    const allowed = new Set(BASELINE_USER_AGENTS);
    for (const r of records) assert.ok(allowed.has(r.userAgent as string), r.userAgent);
    const patterns = crsUserAgentPatterns();
    for (const ua of BASELINE_USER_AGENTS) {
      const lower = ua.toLowerCase();
      const hit = patterns.find((p) => lower.includes(p));
      assert.equal(hit, undefined, `${ua} matches ${hit}`);
    }
  });
});

describe('options', () => {
  test('a proxy share puts some clients behind proxy addresses with X-Forwarded-For', () => {
    const plan = planTraffic({ seed: 9, start: START, days: 0.5, requestsPerDay: 4000, attacks: false, proxyShare: 0.3 });
    const records = flatten(plan.messages());
    const proxied = records.filter((r) => r.callerIp !== r.clientIp);
    assert.ok(proxied.length > 0);
    for (const r of proxied) assert.ok(['10.30.0.4', '10.30.0.5'].includes(r.callerIp));
  });

  test('services: 1 puts every API on one service', () => {
    const plan = planTraffic({ seed: 9, start: START, days: 0.2, requestsPerDay: 4000, attacks: false, services: 1 });
    assert.deepEqual(plan.resolved.services, ['contoso-shop-apim']);
    assert.deepEqual([...new Set(flatten(plan.messages()).map((r) => r.service))], ['contoso-shop-apim']);
  });

  test('recordsPerMessage caps the records in a message', () => {
    const plan = planTraffic({ seed: 9, start: START, days: 1, requestsPerDay: 3000, recordsPerMessage: 3 });
    for (const m of plan.messages()) assert.ok(m.recordCount <= 3);
  });

  test('bad options are rejected naming the option', () => {
    assert.throws(() => planTraffic({ ...small, days: 0 }), /days/);
    assert.throws(() => planTraffic({ ...small, start: new Date('nope') }), /start/);
    assert.throws(() => planTraffic({ ...small, services: 7 }), /services/);
    assert.throws(() => planTraffic({ ...small, attacks: ['API_Nope' as never] }), /attacks/);
  });
});
