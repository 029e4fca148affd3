/**
 * Part 3 of `npm run eval`: the indicator detectors, which need no baseline.
 *
 * - User-Agents: evaluateUserAgents (scripts/evalUserAgents.ts) on the OWASP CRS vectors and
 *   word lists and on real browser User-Agents, plus the generator's own benign and suspicious
 *   User-Agents through SuspiciousUserAgentDetector.
 * - Tor: TorExitNodeDetector with the shipped intel snapshot (what a deployment uses until its
 *   first refresh) against every address of the public Tor exit list of 2026-08-22; the older
 *   list of 2024-02-27 shows what a stale list misses.
 * - Threat intel: SuspiciousIpDetector with the same snapshot against IPsum level ≥ 3 of the same
 *   day (Tor exits on it are reported by the Tor detector instead, by design), and IPsum levels
 *   1–2 for information (not in the shipped list).
 * - Negatives for both: the generator's benign clients (one day of baseline traffic) that are on
 *   no list, private addresses, and each list's addresses for the other detector.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { SuspiciousIpDetector } from '../../shared/core/detectors/suspiciousIp';
import { SuspiciousUserAgentDetector } from '../../shared/core/detectors/suspiciousUserAgent';
import { TorExitNodeDetector } from '../../shared/core/detectors/torExitNode';
import type { InstantDetector } from '../../shared/core/detectors/instant';
import { normalizeIp } from '../../shared/core/ip';
import { makeEndpoint, type RequestEvent } from '../../shared/core/requestEvent';
import { BASELINE_USER_AGENTS, SUSPICIOUS_USER_AGENTS, planTraffic } from '../../shared/generator';
import { loadSnapshotLists } from '../../shared/intel/snapshot';
import { evaluateUserAgents } from '../evalUserAgents';
import { canonical, DATA_FILES, formatTable, num, rate, ratio, readIpFile, type Rate } from './common';

export interface IndicatorOptions {
  dataDir: string;
  /** Requests per day of the generated day whose clients are the benign negatives. Default 20,000. */
  benignRequestsPerDay?: number;
  seed?: number;
}

export interface IndicatorEvaluation {
  userAgents: {
    crsInUserAgent: Rate;
    crsByFamily: Record<string, Rate>;
    crsAllPositives: Rate;
    crsMissed: string[];
    crsNoMatchFlagged: Rate;
    scannerLists: Record<string, Rate & { missed: string[] }>;
    scriptingList: Rate & { missed: string[] };
    browsers: Rate;
    browserFalsePositives: string[];
    generatorSuspicious: Rate;
    generatorBaseline: Rate;
  };
  tor: {
    snapshotEntries: number;
    listed: Rate;
    listedV4: Rate;
    listedV6: Rate;
    missed: string[];
    /** The older list (2024-02-27) against today's snapshot: how much a stale list misses. */
    oldList: Rate;
    negatives: Record<string, Rate>;
  };
  suspiciousIp: {
    snapshotEntries: number;
    /** IPsum level ≥ 3 addresses that are not Tor exits. */
    level3: Rate;
    missed: string[];
    /** IPsum level ≥ 3 addresses that are Tor exits: the Tor detector reports them, the suspicious-IP detector stays silent by default. */
    level3TorExits: { total: number; flaggedAsSuspicious: number; flaggedAsTor: number };
    /** IPsum levels 1–2 (not in the shipped list; informational). */
    lowerLevels: Rate;
    negatives: Record<string, Rate>;
  };
  benignClients: { total: number; listedExcluded: number };
}

const ENDPOINT = makeEndpoint({ service: 'eval', apiId: 'shop-api', operationId: 'list-products', pathTemplate: '' });

/** A request from `ip` (canonical) with nothing else remarkable. */
function requestFrom(ip: string, userAgent?: string): RequestEvent {
  return {
    time: 0,
    clientIp: ip,
    callerIp: ip,
    method: 'GET',
    endpoint: ENDPOINT,
    path: '/shop/v1/products',
    status: 200,
    requestSize: 400,
    requestSizeSource: 'totalBytes',
    responseSize: 2_000,
    responseSizeSource: 'totalBytes',
    latencyMs: 40,
    params: [],
    ...(userAgent !== undefined ? { userAgent } : {}),
    format: 'gatewayLogs',
    source: { partitionId: 'eval', sequenceNumber: 0, offset: '0', recordIndex: 0 },
  };
}

function flaggedShare(detector: InstantDetector, ips: readonly string[]): { rate: Rate; missed: string[] } {
  const missed: string[] = [];
  let hits = 0;
  for (const ip of ips) {
    if (detector.detect(requestFrom(ip)).length > 0) hits += 1;
    else missed.push(ip);
  }
  return { rate: rate(hits, ips.length), missed };
}

/** Canonical IPs of IPsum's full list (IP<TAB>count) with their count. */
function readIpsum(path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [ip = '', count = '0'] = line.trim().split(/\s+/);
    const canon = normalizeIp(ip);
    if (canon !== undefined) out.set(canon, Number(count));
  }
  return out;
}

/** Client IPs of one day of the generator's baseline traffic (no attacks), canonical. */
function benignClientIps(seed: number, requestsPerDay: number): string[] {
  const plan = planTraffic({ seed, start: new Date(Date.UTC(2026, 8, 1)), days: 1, requestsPerDay, attacks: false });
  const ips = new Set<string>();
  for (const message of plan.messages()) ips.add(canonical(message.partitionKey));
  return [...ips];
}

const PRIVATE_SAMPLES = ['10.0.0.1', '10.30.0.4', '10.255.12.7', '172.16.0.10', '172.31.200.3', '192.168.1.20', '192.168.100.254', '127.0.0.1', '100.64.3.2', 'fd00::1', 'fe80::1', '::1'];

export function evaluateIndicators(options: IndicatorOptions): IndicatorEvaluation {
  const { dataDir } = options;
  const lists = loadSnapshotLists();
  const tor = new TorExitNodeDetector(lists);
  const suspicious = new SuspiciousIpDetector(lists);
  const ua = new SuspiciousUserAgentDetector();

  // User-Agents.
  const uaEval = evaluateUserAgents(dataDir);
  const flagsOf = (agents: readonly string[]) => agents.filter((agent) => ua.detect(requestFrom('203.0.113.10', agent)).length > 0).length;
  const scannerLists: IndicatorEvaluation['userAgents']['scannerLists'] = {};
  for (const [name, list] of Object.entries(uaEval.scannerLists)) scannerLists[name] = { ...rate(list.rate.flagged, list.rate.total), missed: list.missed };
  const crsRate = (r: { flagged: number; total: number }) => rate(r.flagged, r.total);
  const crsByFamily: Record<string, Rate> = {};
  for (const [family, r] of Object.entries(uaEval.crsByFamily)) crsByFamily[family] = crsRate(r);

  // Tor.
  const torIps = readIpFile(join(dataDir, DATA_FILES.torExits));
  const torSet = new Set(torIps);
  const torOld = readIpFile(join(dataDir, DATA_FILES.torExitsOld));
  const torAll = flaggedShare(tor, torIps);
  const v4 = torIps.filter((ip) => !ip.includes(':'));
  const v6 = torIps.filter((ip) => ip.includes(':'));

  // Threat intel.
  const level3 = readIpFile(join(dataDir, DATA_FILES.ipsumLevel3));
  const level3Set = new Set(level3);
  const level3NotTor = level3.filter((ip) => !torSet.has(ip));
  const level3Tor = level3.filter((ip) => torSet.has(ip));
  const ipsum = readIpsum(join(dataDir, DATA_FILES.ipsumFull));
  const lower = [...ipsum].filter(([ip, count]) => count < 3 && !level3Set.has(ip) && !torSet.has(ip)).map(([ip]) => ip);

  // Negatives: benign generator clients on no list, private addresses.
  const clients = benignClientIps(options.seed ?? 7, options.benignRequestsPerDay ?? 20_000);
  const benign = clients.filter((ip) => !torSet.has(ip) && !ipsum.has(ip));
  const privateIps = PRIVATE_SAMPLES.map((ip) => normalizeIp(ip) as string);
  const fpOf = (detector: InstantDetector, ips: readonly string[]) => flaggedShare(detector, ips).rate;

  return {
    userAgents: {
      crsInUserAgent: crsRate(uaEval.crsUserAgentRate),
      crsByFamily,
      crsAllPositives: crsRate(uaEval.crsAllRate),
      crsMissed: uaEval.crsPositives.filter((r) => r.match === undefined).map((r) => `${r.crs} ${r.ruleId} ${r.testId} [${r.payloadLocations.join(',')}] ${JSON.stringify(r.userAgent ?? null)}`),
      crsNoMatchFlagged: rate(uaEval.crsNegatives.filter((r) => r.match !== undefined).length, uaEval.crsNegatives.length),
      scannerLists,
      scriptingList: { ...rate(uaEval.scriptingList.rate.flagged, uaEval.scriptingList.rate.total), missed: uaEval.scriptingList.missed },
      browsers: rate(uaEval.browsers.flagged.length, uaEval.browsers.total),
      browserFalsePositives: uaEval.browsers.flagged.map((f) => f.userAgent),
      generatorSuspicious: rate(flagsOf(SUSPICIOUS_USER_AGENTS), SUSPICIOUS_USER_AGENTS.length),
      generatorBaseline: rate(flagsOf(BASELINE_USER_AGENTS), BASELINE_USER_AGENTS.length),
    },
    tor: {
      snapshotEntries: lists.tor.size,
      listed: torAll.rate,
      listedV4: flaggedShare(tor, v4).rate,
      listedV6: flaggedShare(tor, v6).rate,
      missed: torAll.missed.slice(0, 20),
      oldList: flaggedShare(tor, torOld).rate,
      negatives: {
        'benign generator clients (on no list)': fpOf(tor, benign),
        'private and special addresses': fpOf(tor, privateIps),
        'IPsum level ≥ 3, not Tor exits': fpOf(tor, level3NotTor),
      },
    },
    suspiciousIp: {
      snapshotEntries: lists.threatIntel.size,
      level3: flaggedShare(suspicious, level3NotTor).rate,
      missed: flaggedShare(suspicious, level3NotTor).missed.slice(0, 20),
      level3TorExits: {
        total: level3Tor.length,
        flaggedAsSuspicious: flaggedShare(suspicious, level3Tor).rate.hits,
        flaggedAsTor: flaggedShare(tor, level3Tor).rate.hits,
      },
      lowerLevels: flaggedShare(suspicious, lower).rate,
      negatives: {
        'benign generator clients (on no list)': fpOf(suspicious, benign),
        'private and special addresses': fpOf(suspicious, privateIps),
        'Tor exits not on IPsum level ≥ 3': fpOf(suspicious, torIps.filter((ip) => !level3Set.has(ip))),
      },
    },
    benignClients: { total: clients.length, listedExcluded: clients.length - benign.length },
  };
}

export function formatIndicators(evaluation: IndicatorEvaluation): string {
  const u = evaluation.userAgents;
  const t = evaluation.tor;
  const s = evaluation.suspiciousIp;
  const uaRows: Array<Array<string | number>> = [
    ['CRS match stages, payload in User-Agent', ratio(u.crsInUserAgent), 'should flag'],
    ...Object.entries(u.crsByFamily).map(([family, r]) => [`  rules ${family}xxx`, ratio(r), 'should flag']),
    ['CRS match stages incl. 913xxx signals outside User-Agent', ratio(u.crsAllPositives), 'informational'],
    ...Object.entries(u.scannerLists).map(([name, r]) => [`CRS ${name} scanner list entries`, ratio(r), 'should flag']),
    ['CRS v3.3.10 scripting list (flagScriptingClients on)', ratio(u.scriptingList), 'should flag with the option'],
    ['generator attack User-Agents', ratio(u.generatorSuspicious), 'should flag'],
    ['CRS no-match stages with a User-Agent payload', ratio(u.crsNoMatchFlagged), 'informational (not all benign)'],
    ['real browser User-Agents (unique)', ratio(u.browsers), 'false positives'],
    ['generator baseline User-Agents', ratio(u.generatorBaseline), 'false positives'],
  ];
  const intelRows: Array<Array<string | number>> = [
    [`Tor: exit list 2026-08-22 (snapshot holds ${num(t.snapshotEntries)})`, ratio(t.listed), 'should flag'],
    ['  IPv4', ratio(t.listedV4), ''],
    ['  IPv6', ratio(t.listedV6), ''],
    ['Tor: older exit list 2024-02-27 vs the 2026 snapshot', ratio(t.oldList), 'informational (churn)'],
    ...Object.entries(t.negatives).map(([name, r]) => [`Tor detector on ${name}`, ratio(r), 'false positives']),
    [`Suspicious IP: IPsum level ≥ 3, not Tor (snapshot holds ${num(s.snapshotEntries)})`, ratio(s.level3), 'should flag'],
    [`Suspicious IP: IPsum level ≥ 3 that are Tor exits (${s.level3TorExits.total})`, `${s.level3TorExits.flaggedAsSuspicious} as suspicious, ${s.level3TorExits.flaggedAsTor} as Tor`, 'by design: Tor alert only'],
    ['Suspicious IP: IPsum levels 1–2 (not shipped)', ratio(s.lowerLevels), 'informational'],
    ...Object.entries(s.negatives).map(([name, r]) => [`Suspicious-IP detector on ${name}`, ratio(r), 'false positives']),
  ];
  const lines = [
    'Indicators (no baseline):',
    formatTable(['User-Agent set', 'flagged', 'expected'], uaRows),
    '',
    formatTable(['IP set', 'flagged', 'expected'], intelRows),
    `  benign negatives: ${num(evaluation.benignClients.total)} client IPs of one generated day, ${evaluation.benignClients.listedExcluded} left out because a list names them.`,
  ];
  if (u.crsMissed.length > 0) lines.push(`  CRS stages missed: ${u.crsMissed.length}`, ...u.crsMissed.slice(0, 10).map((m) => `    ${m}`));
  if (u.browserFalsePositives.length > 0) lines.push('  browser User-Agents flagged:', ...u.browserFalsePositives.slice(0, 10).map((m) => `    ${m}`));
  for (const [name, list] of Object.entries(u.scannerLists)) if (list.missed.length > 0) lines.push(`  ${name} scanner entries missed: ${list.missed.join(', ')}`);
  if (u.scriptingList.missed.length > 0) lines.push(`  scripting entries missed: ${u.scriptingList.missed.join(', ')}`);
  if (t.missed.length > 0) lines.push(`  Tor exits not flagged (first 20): ${t.missed.join(', ')}`);
  if (s.missed.length > 0) lines.push(`  IPsum level-3 IPs not flagged (first 20): ${s.missed.join(', ')}`);
  return lines.join('\n');
}
