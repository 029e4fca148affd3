/**
 * Part 2 of `npm run eval`: the per-request content detectors on HTTP DATASET CSIC 2010
 * (../shared/data/csic2010, see its README).
 *
 * Each raw HTTP request becomes a GatewayLogs record as APIM would log it, and goes through the
 * real parser (parseRecord) into a RequestEvent:
 * - the URL keeps the request's own encoding (Latin-1 escapes such as "%F3" included: APIM logs
 *   the URL as sent, and the parser keeps escapes it cannot decode as UTF-8);
 * - POST/PUT bodies (form-encoded) are appended to the URL's query, because RequestEvent has
 *   query and path parameters only and APIM does not log bodies: the body parameters are
 *   judged as query parameters of the same operation;
 * - an APIM operation is a (method, path) pair seen in normalTrafficTraining (36 of them over
 *   the 28 paths); any other request matches no operation (operationId "", status 404), as
 *   APIM answers OperationNotFound / ApiNotFound;
 * - time is synthetic: training spread over 5 days, the test files after it, so windows hold
 *   data; the client IP comes from the request's JSESSIONID cookie (a pool of 1,024 addresses
 *   in 198.18.0.0/15); requestSize is the raw request's bytes and Content-Length is logged.
 *
 * Content baselines are learned from normalTrafficTraining through WindowAggregate and
 * ContentBaselineBuilder exactly as recomputeBaselines does; then every test request is judged
 * by UnseenParamDetector (API_UnseenParam, API_UnseenParamType), SizeSpikeDetector (payload and
 * latency), and the unknown-endpoint signal (a request no operation serves). A request counts
 * as flagged when a finding names it (finding.source).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { ContentBaselineBuilder, type ContentBaselines } from '../../shared/core/baselines/contentBaseline';
import { SizeSpikeDetector, UnseenParamDetector } from '../../shared/core/detectors/contentDetectors';
import { DEFAULT_DETECTION_SETTINGS, type DetectionSettings } from '../../shared/core/detectors/settings';
import { CidrSet } from '../../shared/core/ip';
import { classifyValue, isParamType, typeCompatible, type ParamType } from '../../shared/core/paramTypes';
import { parseRecord } from '../../shared/core/parse';
import type { RequestEvent } from '../../shared/core/requestEvent';
import { WindowAggregate, windowStart } from '../../shared/core/windows';
import { DATA_FILES, formatTable, gatewayTime, num, pct, rate, ratio, type Rate } from './common';

const DAY = 86_400_000;
const TRAIN_START = Date.UTC(2026, 9, 5);
const TRAIN_DAYS = 5;
const APIM_BASE = 'https://tienda-apim.azure-api.net';
const RESOURCE_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-eval/providers/Microsoft.ApiManagement/service/tienda-apim';
const CSIC_ORIGIN = 'http://localhost:8080';

/** One raw request of a CSIC file. */
export interface CsicRequest {
  method: string;
  /** The request target as written ("http://localhost:8080/tienda1/…?…"). */
  target: string;
  headers: Array<[string, string]>;
  /** The body (form-encoded for POST/PUT), "" when none. */
  body: string;
  /** Bytes of the raw request (lines and CRLFs). */
  bytes: number;
}

const REQUEST_LINE = /^(GET|POST|PUT) http/;

/**
 * Splits CSIC text (Latin-1, CRLF) into requests at lines starting "GET http", "POST http" or
 * "PUT http": the request line, headers up to the blank line, then the body's non-empty lines.
 */
export function parseCsicText(text: string, limit = Infinity): CsicRequest[] {
  const requests: CsicRequest[] = [];
  let current: CsicRequest | undefined;
  let inBody = false;
  for (let at = 0; at < text.length; ) {
    const newline = text.indexOf('\n', at);
    const stop = newline < 0 ? text.length : newline;
    const raw = text.slice(at, stop > at && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop);
    at = stop + 1;
    if (REQUEST_LINE.test(raw)) {
      if (current !== undefined) {
        requests.push(current);
        if (requests.length >= limit) return requests;
      }
      const space = raw.indexOf(' ');
      const version = raw.lastIndexOf(' HTTP/');
      current = { method: raw.slice(0, space), target: raw.slice(space + 1, version > space ? version : undefined), headers: [], body: '', bytes: raw.length + 2 };
      inBody = false;
      continue;
    }
    if (current === undefined) continue;
    current.bytes += raw.length + 2;
    if (!inBody) {
      if (raw === '') {
        inBody = true;
        continue;
      }
      const colon = raw.indexOf(':');
      if (colon > 0) current.headers.push([raw.slice(0, colon).trim(), raw.slice(colon + 1).trim()]);
    } else if (raw !== '') {
      current.body += raw;
    }
  }
  if (current !== undefined && requests.length < limit) requests.push(current);
  return requests;
}

export function readCsicFile(path: string, limit?: number): CsicRequest[] {
  return parseCsicText(gunzipSync(readFileSync(path)).toString('latin1'), limit);
}

function header(request: CsicRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  return request.headers.find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** The path of a request target (no origin, no query). */
function targetPath(target: string): string {
  const rest = target.startsWith(CSIC_ORIGIN) ? target.slice(CSIC_ORIGIN.length) : target;
  const query = rest.indexOf('?');
  return query < 0 ? rest : rest.slice(0, query);
}

/** What identifies a request's content: method, target (path and query) and body. */
export function requestKey(request: CsicRequest): string {
  return `${request.method} ${request.target}\n${request.body}`;
}

/** The (method, path) operations of the training file, with the APIM ids given to them. */
export class CsicOperations {
  private readonly ids = new Map<string, string>();

  constructor(training: readonly CsicRequest[]) {
    for (const request of training) {
      const key = `${request.method} ${targetPath(request.target)}`;
      if (!this.ids.has(key)) {
        const slug = targetPath(request.target).replace(/^\/tienda1\//, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
        this.ids.set(key, `${request.method.toLowerCase()}-${slug}`);
      }
    }
  }

  get size(): number {
    return this.ids.size;
  }

  /** operationId of a request, "" when no operation serves it. */
  operationOf(request: CsicRequest): string {
    return this.ids.get(`${request.method} ${targetPath(request.target)}`) ?? '';
  }
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The GatewayLogs record APIM would write for a CSIC request (see the module comment). */
export function csicRecord(request: CsicRequest, operations: CsicOperations, time: number): Record<string, unknown> {
  const operationId = operations.operationOf(request);
  const path = targetPath(request.target);
  let url = request.target.startsWith(`${CSIC_ORIGIN}/`) ? `${APIM_BASE}${request.target.slice(CSIC_ORIGIN.length)}` : request.target;
  if (request.body !== '') url += `${url.includes('?') ? '&' : '?'}${request.body}`;
  const session = /JSESSIONID=([0-9A-Fa-f]+)/.exec(header(request, 'Cookie') ?? '')?.[1] ?? requestKey(request);
  const client = hash32(session) % 1024;
  const h = hash32(requestKey(request));
  const status = operationId === '' ? 404 : 200;
  const headers: Record<string, string> = {};
  const userAgent = header(request, 'User-Agent');
  if (userAgent !== undefined) headers['User-Agent'] = userAgent;
  const contentLength = header(request, 'Content-Length');
  if (contentLength !== undefined) headers['Content-Length'] = contentLength;
  return {
    time: gatewayTime(time, h % 10_000),
    resourceId: RESOURCE_ID,
    category: 'GatewayLogs',
    operationName: 'Microsoft.ApiManagement/GatewayLogs',
    durationMs: status === 404 ? 2 + (h % 5) : 15 + (h % 40),
    callerIpAddress: `198.18.${client >> 8}.${client & 255}`,
    correlationId: `${h.toString(16).padStart(8, '0')}-0000-4000-8000-${(hash32(url) >>> 0).toString(16).padStart(12, '0')}`,
    location: 'West Europe',
    properties: {
      method: request.method,
      url,
      responseCode: status,
      responseSize: status === 404 ? 480 + (h % 40) : 2_000 + (h % 3_000),
      ...(status === 404 ? {} : { backendTime: 10 + (h % 35) }),
      requestSize: request.bytes,
      apiId: path.startsWith('/tienda1/') ? 'tienda1' : '',
      operationId,
      apiRevision: '1',
      clientProtocol: 'HTTP/1.1',
      requestHeaders: headers,
    },
  };
}

const PARSE_OPTIONS = { trustedProxies: CidrSet.empty(), maxRawChars: 4096 };

/** Parses the requests of one file into events (undefined where the record was rejected). */
function toEvents(requests: readonly CsicRequest[], operations: CsicOperations, partitionId: string, from: number, spanMs: number): Array<RequestEvent | undefined> {
  return requests.map((request, i) => {
    const time = from + Math.floor((i * spanMs) / Math.max(1, requests.length));
    const record = csicRecord(request, operations, time);
    const result = parseRecord(record, undefined, { partitionId, sequenceNumber: i, offset: String(i), recordIndex: 0 }, PARSE_OPTIONS);
    return result.kind === 'event' ? result.event : undefined;
  });
}

/** Learns content baselines from training events through window aggregates, as recomputeBaselines does. */
export function learnContentBaselines(events: ReadonlyArray<RequestEvent | undefined>, from: number, to: number): ContentBaselines {
  const windows = new Map<number, WindowAggregate>();
  for (const event of events) {
    if (event === undefined) continue;
    const start = windowStart(event.time);
    let aggregate = windows.get(start);
    if (aggregate === undefined) {
      aggregate = new WindowAggregate();
      windows.set(start, aggregate);
    }
    aggregate.add(event);
  }
  const builder = new ContentBaselineBuilder(from, to, DEFAULT_DETECTION_SETTINGS.minClientSizeSamples);
  for (const [start, aggregate] of windows) builder.add(aggregate, start);
  return builder.build();
}

type Signal = 'API_UnseenParam' | 'API_UnseenParamType' | 'API_SpikeInPayload' | 'API_SpikeInLatency' | 'unknownEndpoint';
const SIGNALS: readonly Signal[] = ['API_UnseenParam', 'API_UnseenParamType', 'API_SpikeInPayload', 'API_SpikeInLatency', 'unknownEndpoint'];

/** What-if rules, measured here only to inform the detectors' design (not part of them). */
type WhatIf = 'attackTypesAlways' | 'newCharacters' | 'longerThanSeen';
const WHAT_IFS: readonly WhatIf[] = ['attackTypesAlways', 'newCharacters', 'longerThanSeen'];
const WHAT_IF_TEXT: Record<WhatIf, string> = {
  attackTypesAlways: 'a value typed injection, markup or binary is anomalous whatever types the parameter learned',
  newCharacters: 'a value holding a character class never seen in that parameter in training (letters, digits, space, each punctuation character)',
  longerThanSeen: 'a value longer than 1.5× the longest the parameter had in training (and over 16 characters)',
};

interface Judged {
  request: CsicRequest;
  /** The path was seen in training (with some method). */
  knownPath: boolean;
  event: RequestEvent | undefined;
  signals: Set<Signal>;
  whatIf: Set<WhatIf>;
  novel: boolean;
  /** API_UnseenParamType findings as "observed ∉ {learned}". */
  typeFindings: string[];
}

export interface CsicSetFigures {
  requests: number;
  quarantined: number;
  /** Flagged by any detector / signal. */
  any: Rate;
  /** Only the requests that do not repeat a training request (method + target + body). */
  novel: Rate;
  bySignal: Record<Signal, Rate>;
  /** The current detectors plus each what-if rule. */
  withWhatIf: Record<WhatIf, Rate>;
  withAllWhatIfs: Rate;
  withAllWhatIfsNovel: Rate;
  /** Requests no operation serves: to a path never seen in training, or with a method the path was never called with. */
  unknownPath: number;
  unknownMethodOnKnownPath: number;
}

export interface CsicEvaluation {
  operations: number;
  learnedParameters: number;
  trainingRequests: number;
  settings: Pick<DetectionSettings, 'minEndpointRequestsForParams' | 'minParamRequestsForTypes' | 'minSizeSamples' | 'sizeFactor' | 'requestPayloadFloor'>;
  anomalous: CsicSetFigures;
  normal: CsicSetFigures;
  /** Learned value types per (operation, parameter). */
  learnedTypes: Array<{ operation: string; parameter: string; requests: number; types: string }>;
  /** API_UnseenParamType findings on anomalous requests: observed type ∉ {learned types}, with counts (a request can count in several). */
  caughtByType: Array<{ finding: string; count: number }>;
  /** Why anomalous requests were missed, by bucket, with examples. */
  missed: Array<{ reason: string; count: number; examples: string[] }>;
  /** Why normal requests were flagged, by bucket, with examples. */
  falsePositives: Array<{ reason: string; count: number; examples: string[] }>;
  whatIfRules: Record<WhatIf, string>;
}

export interface CsicOptions {
  dataDir: string;
  /** Read at most this many requests of each file (tests). */
  limit?: number;
  settings?: DetectionSettings;
}

/** Character classes of a value, for the "new characters" what-if. */
function charClasses(value: string): Set<string> {
  const classes = new Set<string>();
  for (const ch of value) {
    if (/\p{L}/u.test(ch)) classes.add('letter');
    else if (/\d/.test(ch)) classes.add('digit');
    else if (/\s/.test(ch)) classes.add('space');
    else classes.add(ch);
  }
  return classes;
}

interface ParamProfile {
  classes: Set<string>;
  maxLength: number;
}

export function evaluateCsic(options: CsicOptions): CsicEvaluation {
  const settings = options.settings ?? DEFAULT_DETECTION_SETTINGS;
  const read = (file: string) => readCsicFile(join(options.dataDir, file), options.limit);
  const training = read(DATA_FILES.csicTraining);
  const normal = read(DATA_FILES.csicNormalTest);
  const anomalous = read(DATA_FILES.csicAnomalousTest);
  const operations = new CsicOperations(training);

  const trainEnd = TRAIN_START + TRAIN_DAYS * DAY;
  const trainEvents = toEvents(training, operations, 'training', TRAIN_START, TRAIN_DAYS * DAY);
  const baselines = learnContentBaselines(trainEvents, TRAIN_START, trainEnd);
  const unseen = new UnseenParamDetector(baselines, settings);
  const sizes = new SizeSpikeDetector(baselines, settings);

  const profiles = new Map<string, ParamProfile>();
  for (const event of trainEvents) {
    if (event === undefined) continue;
    for (const param of event.params) {
      const key = `${event.endpoint.key}\t${param.name}`;
      let profile = profiles.get(key);
      if (profile === undefined) {
        profile = { classes: new Set(), maxLength: 0 };
        profiles.set(key, profile);
      }
      for (const c of charClasses(param.value)) profile.classes.add(c);
      profile.maxLength = Math.max(profile.maxLength, param.value.length);
    }
  }
  const trainingKeys = new Set(training.map(requestKey));
  const trainingPaths = new Set(training.map((request) => targetPath(request.target)));

  const judgeAll = (requests: readonly CsicRequest[], partitionId: string, from: number): Judged[] => {
    const events = toEvents(requests, operations, partitionId, from, DAY);
    return requests.map((request, i) => {
      const event = events[i];
      const signals = new Set<Signal>();
      const whatIf = new Set<WhatIf>();
      const typeFindings: string[] = [];
      if (event !== undefined) {
        for (const finding of [...unseen.detect(event), ...sizes.detect(event)]) {
          if (finding.source?.sequenceNumber !== i) continue;
          signals.add(finding.alertType as Signal);
          if (finding.alertType === 'API_UnseenParamType') typeFindings.push(`${String(finding.observed)} ∉ {${String(finding.baseline?.learnedTypes ?? '')}}`);
        }
        if (event.endpoint.operationId === '') signals.add('unknownEndpoint');
        for (const param of event.params) {
          const type = classifyValue(param.value);
          if (type === 'injection' || type === 'markup' || type === 'binary') whatIf.add('attackTypesAlways');
          const profile = profiles.get(`${event.endpoint.key}\t${param.name}`);
          if (profile !== undefined) {
            for (const c of charClasses(param.value)) if (!profile.classes.has(c)) whatIf.add('newCharacters');
            if (param.value.length > 16 && param.value.length > 1.5 * profile.maxLength) whatIf.add('longerThanSeen');
          }
        }
      }
      return { request, knownPath: trainingPaths.has(targetPath(request.target)), event, signals, whatIf, typeFindings, novel: !trainingKeys.has(requestKey(request)) };
    });
  };
  const testStart = trainEnd + DAY;
  const normalJudged = judgeAll(normal, 'normalTest', testStart);
  const anomalousJudged = judgeAll(anomalous, 'anomalousTest', testStart + DAY);

  const learnedTypes = [...baselines.params].map(([key, p]) => {
    const [endpoint = '', parameter = ''] = key.split('\t');
    const types = Object.entries(p.types)
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
      .map(([type, n]) => `${type} ${n}`)
      .join(', ');
    return { operation: endpoint.split('|').pop() ?? endpoint, parameter, requests: p.requests, types };
  });

  return {
    operations: operations.size,
    learnedParameters: baselines.params.size,
    trainingRequests: training.length,
    settings: {
      minEndpointRequestsForParams: settings.minEndpointRequestsForParams,
      minParamRequestsForTypes: settings.minParamRequestsForTypes,
      minSizeSamples: settings.minSizeSamples,
      sizeFactor: settings.sizeFactor,
      requestPayloadFloor: settings.requestPayloadFloor,
    },
    anomalous: figures(anomalousJudged),
    normal: figures(normalJudged),
    learnedTypes,
    caughtByType: tally(anomalousJudged.flatMap((j) => [...new Set(j.typeFindings)])),
    missed: explain(anomalousJudged.filter((j) => j.signals.size === 0), baselines, trainingKeys, 'missed'),
    falsePositives: explain(normalJudged.filter((j) => j.signals.size > 0), baselines, trainingKeys, 'flagged'),
    whatIfRules: WHAT_IF_TEXT,
  };
}

function figures(judged: readonly Judged[]): CsicSetFigures {
  const count = (list: readonly Judged[], test: (j: Judged) => boolean) => rate(list.filter(test).length, list.length);
  const novel = judged.filter((j) => j.novel);
  const bySignal = {} as Record<Signal, Rate>;
  for (const signal of SIGNALS) bySignal[signal] = count(judged, (j) => j.signals.has(signal));
  const withWhatIf = {} as Record<WhatIf, Rate>;
  for (const rule of WHAT_IFS) withWhatIf[rule] = count(judged, (j) => j.signals.size > 0 || j.whatIf.has(rule));
  const all = (j: Judged) => j.signals.size > 0 || j.whatIf.size > 0;
  return {
    requests: judged.length,
    quarantined: judged.filter((j) => j.event === undefined).length,
    any: count(judged, (j) => j.signals.size > 0),
    novel: count(novel, (j) => j.signals.size > 0),
    bySignal,
    withWhatIf,
    withAllWhatIfs: count(judged, all),
    withAllWhatIfsNovel: count(novel, all),
    unknownPath: judged.filter((j) => j.signals.has('unknownEndpoint') && !j.knownPath).length,
    unknownMethodOnKnownPath: judged.filter((j) => j.signals.has('unknownEndpoint') && j.knownPath).length,
  };
}

function tally(items: readonly string[]): Array<{ finding: string; count: number }> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([finding, count]) => ({ finding, count })).sort((a, b) => b.count - a.count);
}

const PRIORITY: readonly ParamType[] = ['binary', 'injection', 'markup', 'long', 'text', 'url', 'email', 'base64', 'identifier', 'alphanumeric', 'alpha', 'decimal', 'integer'];

function rank(type: ParamType): number {
  const i = PRIORITY.indexOf(type);
  return i < 0 ? PRIORITY.length : i;
}

/** Buckets requests by why the detectors said what they said. */
function explain(list: readonly Judged[], baselines: ContentBaselines, trainingKeys: ReadonlySet<string>, mode: 'missed' | 'flagged'): CsicEvaluation['missed'] {
  const buckets = new Map<string, { count: number; examples: string[] }>();
  const add = (reason: string, example: string) => {
    const bucket = buckets.get(reason) ?? { count: 0, examples: [] };
    bucket.count += 1;
    if (bucket.examples.length < 3) bucket.examples.push(example.length > 160 ? `${example.slice(0, 159)}…` : example);
    buckets.set(reason, bucket);
  };
  for (const j of list) {
    const shown = `${j.request.method} ${j.request.target.replace(CSIC_ORIGIN, '')}${j.request.body ? ` body ${j.request.body}` : ''}`;
    if (j.event === undefined) {
      add('quarantined by the parser (URL not loggable)', shown);
      continue;
    }
    if (mode === 'flagged') {
      const signals = [...j.signals].sort().join('+');
      const detail = j.event.params
        .map((param) => {
          const learned = baselines.params.get(`${j.event?.endpoint.key}\t${param.name}`);
          if (learned === undefined) return `unseen "${param.name}"`;
          const type = classifyValue(param.value);
          const types = new Set(Object.keys(learned.types).filter(isParamType));
          return typeCompatible(types, type) ? undefined : `${param.name}: ${type} ∉ {${[...types].join(',')}}`;
        })
        .filter((x): x is string => x !== undefined)
        .join('; ');
      add(`${signals}${detail ? `: ${detail}` : ''}`, shown);
      continue;
    }
    if (!j.novel || trainingKeys.has(requestKey(j.request))) {
      add('repeats a training request exactly', shown);
      continue;
    }
    if (j.event.params.length === 0) {
      add('known operation, no parameters (the anomaly is in the path, headers or cookie)', shown);
      continue;
    }
    // The most suspicious value (by type), and what its parameter learned.
    let worst: { name: string; type: ParamType; learned: string; value: string } | undefined;
    for (const param of j.event.params) {
      const type = classifyValue(param.value);
      const learned = baselines.params.get(`${j.event.endpoint.key}\t${param.name}`);
      const types = learned === undefined ? '' : Object.keys(learned.types).filter(isParamType).sort((a, b) => rank(a as ParamType) - rank(b as ParamType)).join(',');
      if (worst === undefined || rank(type) < rank(worst.type)) worst = { name: param.name, type, learned: types, value: param.value };
    }
    if (worst === undefined) continue;
    add(`value typed ${worst.type}, accepted by learned {${worst.learned}}`, `${worst.name}=${worst.value}`);
  }
  return [...buckets]
    .map(([reason, b]) => ({ reason, count: b.count, examples: b.examples }))
    .sort((a, b) => b.count - a.count);
}

export function formatCsic(evaluation: CsicEvaluation): string {
  const a = evaluation.anomalous;
  const n = evaluation.normal;
  const rows: Array<Array<string | number>> = [
    ['any detector (current)', ratio(a.any), pct(n.any.rate, 2), ratio(a.novel), pct(n.novel.rate, 2)],
    ...SIGNALS.map((s) => [`  ${s}`, ratio(a.bySignal[s]), pct(n.bySignal[s].rate, 2), '', '']),
  ];
  const whatIfRows: Array<Array<string | number>> = [
    ...WHAT_IFS.map((w) => [`current + ${w}`, ratio(a.withWhatIf[w]), pct(n.withWhatIf[w].rate, 2), '', '']),
    ['current + all three', ratio(a.withAllWhatIfs), pct(n.withAllWhatIfs.rate, 2), ratio(a.withAllWhatIfsNovel), pct(n.withAllWhatIfsNovel.rate, 2)],
  ];
  const lines = [
    `CSIC 2010 (per request; learned from ${num(evaluation.trainingRequests)} normalTrafficTraining requests: ${evaluation.operations} operations, ${evaluation.learnedParameters} (operation, parameter) pairs; body parameters judged as query parameters):`,
    formatTable(
      ['flagged by', 'detection (anomalous)', 'FP (normal)', 'detection, novel only', 'FP, novel only'],
      rows,
    ),
    `  anomalous: ${num(a.requests)} requests (${num(a.novel.total)} novel, ${a.quarantined} quarantined); normal: ${num(n.requests)} requests (${num(n.novel.total)} novel, ${n.quarantined} quarantined). Target: detection ≥ 90 % at FP ≤ 2 %.`,
    `  unknownEndpoint (per request; the window alert API_AccessToUnknownEndpoints needs more than unknownEndpointsFloor distinct unknown paths from one client): ${num(a.unknownPath)} to paths never seen in training, ${num(a.unknownMethodOnKnownPath)} with a method the path never had (PUT).`,
    '',
    'What-if rules (measured here to inform the detectors; NOT what the detectors do):',
    formatTable(['rule', 'detection (anomalous)', 'FP (normal)', 'detection, novel only', 'FP, novel only'], whatIfRows),
    ...WHAT_IFS.map((w) => `  ${w}: ${evaluation.whatIfRules[w]}`),
    '',
    'Caught by API_UnseenParamType, observed type ∉ {learned types} (top 10; a request counts once per distinct finding):',
    ...evaluation.caughtByType.slice(0, 10).map((c) => `  ${String(c.count).padStart(6)}  ${c.finding}`),
    '',
    'Missed anomalous requests, by reason (top 12):',
    ...evaluation.missed.slice(0, 12).map((m) => `  ${String(m.count).padStart(6)}  ${m.reason}   e.g. ${m.examples[0] ?? ''}`),
  ];
  if (evaluation.falsePositives.length > 0) {
    lines.push('', 'Flagged normal requests, by reason (top 8):');
    for (const f of evaluation.falsePositives.slice(0, 8)) lines.push(`  ${String(f.count).padStart(6)}  ${f.reason}   e.g. ${f.examples[0] ?? ''}`);
  }
  return lines.join('\n');
}
