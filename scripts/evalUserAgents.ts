/**
 * Evaluation of the suspicious User-Agent patterns against the public data in shared/data
 * (see shared/data/README.md): OWASP CRS regression stages with the payload in User-Agent,
 * the CRS scanner word lists, and real browser User-Agents. No CLI of its own: the tests call it
 * and the CLI can call {@link evaluateUserAgents} with the data directory.
 *
 * CRS lists and tests are read at run time as data; nothing of them is copied into the patterns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { UserAgentMatcher, type UserAgentMatch, type UserAgentPatternOptions } from '../shared/core/detectors/userAgentPatterns';

/** One CRS go-ftw stage that should have raised a User-Agent alert, with what the matcher said. */
export interface CrsStageResult {
  crs: string;
  testId: string;
  ruleId: number;
  /** The stage's User-Agent header, if it has one. */
  userAgent: string | undefined;
  payloadLocations: string[];
  /** True when the stage's attack is in the User-Agent (rather than another header or the URL). */
  payloadInUserAgent: boolean;
  match: UserAgentMatch | undefined;
}

export interface Rate {
  total: number;
  flagged: number;
  /** flagged / total, 1 when total is 0. */
  rate: number;
}

export interface UserAgentEvaluation {
  /** expect=match stages with the payload in User-Agent, plus every 913xxx scanner-rule match stage. */
  crsPositives: CrsStageResult[];
  /** expect=nomatch stages with the payload in User-Agent (a CRS rule must not fire; not all are benign). */
  crsNegatives: CrsStageResult[];
  /** Rate over the positives whose attack is in the User-Agent. */
  crsUserAgentRate: Rate;
  /** Rate over all positives, including 913xxx stages whose signal is in another header or the URL. */
  crsAllRate: Rate;
  /** Per rule family (913 scanner, 932 RCE, 944 Java) over the positives with the payload in User-Agent. */
  crsByFamily: Record<string, Rate>;
  /** Entries of the CRS scanner-UA lists (v4 and v3.3.10) and which of them are flagged. */
  scannerLists: Record<string, { rate: Rate; missed: string[] }>;
  /** The CRS v3.3.10 scripting-client list, matched with `flagScriptingClients` on. */
  scriptingList: { rate: Rate; missed: string[] };
  /** Real browser User-Agents (unique strings) and the ones that were flagged (false positives). */
  browsers: { total: number; flagged: Array<{ userAgent: string; match: UserAgentMatch }> };
}

interface FlatStage {
  crs: string;
  rule_id: number;
  test_id: string;
  expect: string;
  payload_locations: string[];
  headers: Record<string, string> | null;
}

function headerValue(headers: Record<string, string> | null, name: string): string | undefined {
  if (headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function rate(flags: boolean[]): Rate {
  const flagged = flags.filter(Boolean).length;
  return { total: flags.length, flagged, rate: flags.length === 0 ? 1 : flagged / flags.length };
}

/** Reads a CRS `.data` word list: one entry a line, `#` comments and blank lines skipped. */
export function readWordList(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

/** The unique browser User-Agents of the top-user-agents index and the intoli sample. */
export function loadBrowserUserAgents(dataDir: string): string[] {
  const top = JSON.parse(readFileSync(join(dataDir, 'user-agents', 'top-user-agents-2.1.138-index.json'), 'utf8')) as unknown;
  const intoli = JSON.parse(gunzipSync(readFileSync(join(dataDir, 'user-agents', 'intoli-user-agents-2.1.198.json.gz'))).toString('utf8')) as unknown;
  const all = new Set<string>();
  if (Array.isArray(top)) for (const entry of top) if (typeof entry === 'string') all.add(entry);
  if (Array.isArray(intoli)) {
    for (const entry of intoli) {
      const ua = (entry as { userAgent?: unknown }).userAgent;
      if (typeof ua === 'string') all.add(ua);
    }
  }
  return [...all];
}

function loadStages(dataDir: string): FlatStage[] {
  return readFileSync(join(dataDir, 'coreruleset', 'crs-tests-flat.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as FlatStage);
}

function family(ruleId: number): string {
  return String(ruleId).slice(0, 3);
}

/** Runs every measurement. `dataDir` is the shared data directory (…/shared/data). */
export function evaluateUserAgents(dataDir: string, options: UserAgentPatternOptions = {}): UserAgentEvaluation {
  const matcher = new UserAgentMatcher(options);
  const judge = (ua: string | undefined): UserAgentMatch | undefined => (ua === undefined || ua.trim() === '' ? undefined : matcher.match(ua.trim()));

  const crsPositives: CrsStageResult[] = [];
  const crsNegatives: CrsStageResult[] = [];
  for (const stage of loadStages(dataDir)) {
    const inUa = stage.payload_locations.some((location) => location === 'user-agent' || location === 'header:user-agent');
    const scannerRule = family(stage.rule_id) === '913';
    if (!inUa && !(scannerRule && stage.expect === 'match')) continue;
    const userAgent = headerValue(stage.headers, 'user-agent');
    // A stage lists "user-agent" among its locations even when the attack is in another header
    // (913110 puts the scanner name in "Acunetix-Product"); the User-Agent carries it only when
    // it is the sole location.
    const payloadInUserAgent = inUa && stage.payload_locations.every((location) => location === 'user-agent' || location === 'header:user-agent');
    const result: CrsStageResult = {
      crs: stage.crs,
      testId: stage.test_id,
      ruleId: stage.rule_id,
      userAgent,
      payloadLocations: stage.payload_locations,
      payloadInUserAgent,
      match: judge(userAgent),
    };
    (stage.expect === 'match' ? crsPositives : crsNegatives).push(result);
  }
  const inUaPositives = crsPositives.filter((result) => result.payloadInUserAgent);
  const crsByFamily: Record<string, Rate> = {};
  for (const name of [...new Set(inUaPositives.map((result) => family(result.ruleId)))].sort()) {
    crsByFamily[name] = rate(inUaPositives.filter((result) => family(result.ruleId) === name).map((result) => result.match !== undefined));
  }

  const scannerLists: UserAgentEvaluation['scannerLists'] = {};
  for (const [name, path] of [
    ['v4-head', join(dataDir, 'coreruleset', 'v4-head', 'rules', 'scanners-user-agents.data')],
    ['v3.3.10', join(dataDir, 'coreruleset', 'v3.3.10', 'rules', 'scanners-user-agents.data')],
  ] as const) {
    const entries = readWordList(path);
    const flags = entries.map((entry) => judge(entry) !== undefined);
    scannerLists[name] = { rate: rate(flags), missed: entries.filter((_, index) => !flags[index]) };
  }
  const scripting = readWordList(join(dataDir, 'coreruleset', 'v3.3.10', 'rules', 'scripting-user-agents.data'));
  const scriptingMatcher = new UserAgentMatcher({ ...options, flagScriptingClients: true });
  const scriptingFlags = scripting.map((entry) => scriptingMatcher.match(entry) !== undefined);

  const browserAgents = loadBrowserUserAgents(dataDir);
  const flaggedBrowsers: UserAgentEvaluation['browsers']['flagged'] = [];
  for (const userAgent of browserAgents) {
    const match = judge(userAgent);
    if (match !== undefined) flaggedBrowsers.push({ userAgent, match });
  }

  return {
    crsPositives,
    crsNegatives,
    crsUserAgentRate: rate(inUaPositives.map((result) => result.match !== undefined)),
    crsAllRate: rate(crsPositives.map((result) => result.match !== undefined)),
    crsByFamily,
    scannerLists,
    scriptingList: { rate: rate(scriptingFlags), missed: scripting.filter((_, index) => !scriptingFlags[index]) },
    browsers: { total: browserAgents.length, flagged: flaggedBrowsers },
  };
}

/** A few lines a human can read: rates per set and what was missed. */
export function formatUserAgentEvaluation(evaluation: UserAgentEvaluation): string {
  const pct = (r: Rate): string => `${r.flagged}/${r.total} (${(r.rate * 100).toFixed(1)} %)`;
  const lines = [
    `CRS stages with the payload in User-Agent: ${pct(evaluation.crsUserAgentRate)}`,
    ...Object.entries(evaluation.crsByFamily).map(([name, r]) => `  ${name}xxx: ${pct(r)}`),
    `CRS positives including 913xxx signals outside User-Agent: ${pct(evaluation.crsAllRate)}`,
    ...evaluation.crsPositives
      .filter((result) => result.match === undefined)
      .map((result) => `  missed ${result.crs} ${result.ruleId} ${result.testId} [${result.payloadLocations.join(',')}] ${JSON.stringify(result.userAgent ?? null)}`),
    `CRS no-match stages in User-Agent flagged: ${evaluation.crsNegatives.filter((result) => result.match !== undefined).length}/${evaluation.crsNegatives.length}`,
    ...evaluation.crsNegatives
      .filter((result) => result.match !== undefined)
      .map((result) => `  flagged ${result.ruleId} ${result.testId} ${JSON.stringify(result.userAgent ?? null)} → ${result.match?.category}`),
    ...Object.entries(evaluation.scannerLists).map(
      ([name, list]) => `CRS ${name} scanner list: ${pct(list.rate)}${list.missed.length > 0 ? `; missed: ${list.missed.join(', ')}` : ''}`,
    ),
    `CRS v3.3.10 scripting list: ${pct(evaluation.scriptingList.rate)}${evaluation.scriptingList.missed.length > 0 ? `; missed: ${evaluation.scriptingList.missed.join(', ')}` : ''}`,
    `Browser User-Agents flagged: ${evaluation.browsers.flagged.length}/${evaluation.browsers.total}`,
    ...evaluation.browsers.flagged.map((entry) => `  FP ${JSON.stringify(entry.userAgent)} → ${entry.match.category} ${JSON.stringify(entry.match.matched)}`),
  ];
  return lines.join('\n');
}
