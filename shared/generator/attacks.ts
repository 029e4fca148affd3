/**
 * Attack injectors: one per Defender for APIs alert type (two for API_SpikeInPayload). Each
 * builds the attack's requests inside one 20-minute detection window and the ground-truth label.
 * Every attack is made clearly anomalous against the baseline the same model generates.
 */
import {
  PROMO_CODES,
  PROBE_PATHS,
  SUSPICIOUS_USER_AGENTS,
  TOR_BROWSER_UA,
  TYPE_CONFUSION_VALUES,
  UNSEEN_PARAM_NAMES,
  KNOWN_QUERY_PARAM_NAMES,
  emailAddress,
  findOperation,
  longSearchText,
  randomCode,
  type OperationSpec,
  type PersonaId,
} from './catalog';
import {
  DAY_MS,
  MINUTE_MS,
  WINDOW_MS,
  freshIp,
  operationShare,
  personaPeakWindowCount,
  personaRuntime,
  statusShare,
  type Caller,
  type Client,
  type Model,
  type ServiceRuntime,
} from './model';
import { Rng, WeightedTable } from './prng';
import { compareInstants, drawStatus, makeRequest, makeUnmatchedRequest, type Instant, type RequestSpec } from './request';
import type { AlertType, Label, PayloadVariant } from './types';

/** One alert type to inject (the payload type has two variants). */
export interface AttackKind {
  alertType: AlertType;
  variant?: PayloadVariant;
}

/** Every kind of attack, in a fixed order. */
export const ATTACK_KINDS: readonly AttackKind[] = [
  { alertType: 'API_PopulationSpikeInAPITraffic' },
  { alertType: 'API_SpikeInAPITraffic' },
  { alertType: 'API_SpikeInPayload', variant: 'request' },
  { alertType: 'API_SpikeInPayload', variant: 'response' },
  { alertType: 'API_SpikeInLatency' },
  { alertType: 'API_SprayInRequests' },
  { alertType: 'API_ParameterEnumeration' },
  { alertType: 'API_DistributedParameterEnumeration' },
  { alertType: 'API_UnseenParamType' },
  { alertType: 'API_UnseenParam' },
  { alertType: 'API_AccessFromTorExitNode' },
  { alertType: 'API_AccessFromSuspiciousIP' },
  { alertType: 'API_AccessFromSuspiciousUserAgent' },
];

/** What the injectors need besides the model. */
export interface AttackEnv {
  /** Canonical Tor exit IPs usable as attackers (baseline clients excluded). */
  torIps: readonly string[];
  /** Canonical threat-intel IPs usable as attackers (Tor exits and baseline clients excluded). */
  intelIps: readonly string[];
  logHeaders: boolean;
}

export interface AttackSlot {
  /** Sequence number of the injection; makes the label id and the attack's random stream. */
  index: number;
  kind: AttackKind;
  /** Start of the 20-minute window (epoch ms, aligned to 20 minutes) the attack happens in. */
  windowStart: number;
}

export interface PlannedAttack {
  label: Label;
  /** The attack's requests, in time order, all inside [label.start, label.end). */
  requests: RequestSpec[];
}

export type AttackResult = { ok: true; attack: PlannedAttack } | { ok: false; reason: string };

/** Why a kind cannot be injected with this environment, or undefined when it can. */
export function unavailableReason(kind: AttackKind, env: AttackEnv): string | undefined {
  if (kind.alertType === 'API_AccessFromTorExitNode' && env.torIps.length === 0) {
    return 'no Tor exit IPs were given (torExitIps is empty or every entry is invalid)';
  }
  if (kind.alertType === 'API_AccessFromSuspiciousIP' && env.intelIps.length === 0) {
    return 'no threat-intel IPs were given (suspiciousIps is empty, invalid, or holds only Tor exits)';
  }
  if (kind.alertType === 'API_AccessFromSuspiciousUserAgent' && !env.logHeaders) {
    return 'request headers are not logged (logHeaders: false), so a User-Agent cannot be seen';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface Span {
  start: number;
  duration: number;
}

/** A time span of about `minutes` that starts 30–150 s into the window and ends ≥ 30 s before it closes. */
function spanIn(rng: Rng, windowStart: number, minutes: number): Span {
  const start = windowStart + rng.int(30_000, 150_000);
  const latestEnd = windowStart + WINDOW_MS - 30_000;
  return { start, duration: Math.min(minutes * MINUTE_MS, latestEnd - start) };
}

/** n sorted random instants inside a span. */
function instants(rng: Rng, n: number, span: Span): Instant[] {
  const out: Instant[] = [];
  for (let i = 0; i < n; i++) out.push({ ms: span.start + Math.floor(rng.next() * span.duration), ticks: rng.int(0, 9999) });
  return out.sort(compareInstants);
}

function attackerCaller(rng: Rng, ip: string, userAgent: string, subscriptionId = 'web-storefront'): Caller {
  return {
    ip,
    callerIp: ip,
    userAgent,
    subscriptionId,
    tlsVersion: rng.chance(0.6) ? '1.3' : '1.2',
    protocol: 'HTTP/1.1',
    headerBytes: Math.round(rng.lognormal(320, 0.2)),
  };
}

/** The heaviest direct (not proxied) client of a persona, skipping the first `skip`. */
function heavyClient(model: Model, persona: PersonaId, skip: number): Client {
  const candidates = model.clients
    .filter((c) => c.persona === persona && c.forwardedFor === undefined)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  const chosen = candidates[Math.min(skip, candidates.length - 1)];
  if (!chosen) throw new Error(`no client of persona ${persona}`);
  return chosen;
}

/** A client's share of its persona's traffic. */
function clientShare(model: Model, client: Client): number {
  const runtime = personaRuntime(model, client.persona);
  return client.weight / runtime.clients.total;
}

/** Expected peak count of one client's requests to an operation with a status, per 20-minute window. */
function clientPeakWindowCount(model: Model, client: Client, op: OperationSpec, status: number): number {
  const runtime = personaRuntime(model, client.persona);
  return personaPeakWindowCount(model, runtime.persona) * clientShare(model, client) * operationShare(runtime, op.apiId, op.operationId) * statusShare(op, status);
}

/** Expected peak count of all requests to an operation with a status, per 20-minute window. */
function populationPeakWindowCount(model: Model, op: OperationSpec, status: number): number {
  let sum = 0;
  for (const runtime of model.personas) {
    sum += personaPeakWindowCount(model, runtime.persona) * operationShare(runtime, op.apiId, op.operationId);
  }
  return sum * statusShare(op, status);
}

function serviceOf(model: Model, op: OperationSpec): ServiceRuntime {
  return model.serviceOfApi.get(op.apiId) as ServiceRuntime;
}

function pickStatus(rng: Rng, weights: ReadonlyArray<readonly [number, number]>): number {
  return new WeightedTable(weights).pick(rng);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

type LabelFields = Pick<Label, 'service' | 'apiId' | 'operationId' | 'parameterName' | 'userAgent' | 'statusCode' | 'description'>;

function finish(model: Model, slot: AttackSlot, requests: RequestSpec[], fields: LabelFields): AttackResult {
  requests.sort((a, b) => compareInstants(a.at, b.at));
  const first = requests[0];
  const last = requests[requests.length - 1];
  if (!first || !last) return { ok: false, reason: 'the injector produced no request' };
  const clientIps: string[] = [];
  const seen = new Set<string>();
  for (const r of requests) {
    if (!seen.has(r.caller.ip)) {
      seen.add(r.caller.ip);
      clientIps.push(r.caller.ip);
    }
  }
  const label: Label = {
    id: `gen-${model.seed}-${String(slot.index + 1).padStart(3, '0')}`,
    alertType: slot.kind.alertType,
    ...(slot.kind.variant ? { variant: slot.kind.variant } : {}),
    start: new Date(first.at.ms).toISOString(),
    end: new Date(last.at.ms + 1).toISOString(),
    clientIps,
    service: fields.service,
    apiId: fields.apiId,
    operationId: fields.operationId,
    ...(fields.parameterName !== undefined ? { parameterName: fields.parameterName } : {}),
    ...(fields.userAgent !== undefined ? { userAgent: fields.userAgent } : {}),
    ...(fields.statusCode !== undefined ? { statusCode: fields.statusCode } : {}),
    requestCount: requests.length,
    description: fields.description,
  };
  return { ok: true, attack: { label, requests } };
}

// ---------------------------------------------------------------------------------------------
// Injectors
// ---------------------------------------------------------------------------------------------

type Injector = (model: Model, env: AttackEnv, slot: AttackSlot, rng: Rng) => AttackResult;

/** Flash crowd on one endpoint: many new IPs, a few requests each, ≥ 16× the expected peak window count. */
const populationSpike: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'get-featured-products');
  const peak = populationPeakWindowCount(model, op, 200);
  const n = Math.max(Math.ceil(16 * peak), 200);
  const ipCount = Math.min(400, Math.max(80, Math.round(n / 2.5)));
  const uas = personaRuntime(model, 'mobileApp').persona.userAgents;
  const callers: Caller[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < ipCount; i++) {
    callers.push(attackerCaller(rng, freshIp(model, rng, rng.chance(0.3), taken), rng.pick(uas), rng.pick(['mobile-app-ios', 'mobile-app-android'])));
  }
  const span = spanIn(rng, slot.windowStart, 12);
  const requests = instants(rng, n, span).map((at, i) =>
    makeRequest(model, rng, at, i < callers.length ? (callers[i] as Caller) : rng.pick(callers), op, { status: 200 }),
  );
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    statusCode: 200,
    description: `Population traffic spike: ${n} requests (status 200) to ${op.apiId}/${op.operationId} from ${ipCount} IPs in about ${Math.round(span.duration / MINUTE_MS)} minutes; the usual peak is about ${peak.toFixed(1)} per 20-minute window.`,
  });
};

/** One regular client (the heaviest app user) suddenly sends ≥ 16× its expected peak window count to one endpoint. */
const clientSpike: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'list-products');
  const client = heavyClient(model, 'mobileApp', 0);
  const peak = clientPeakWindowCount(model, client, op, 200);
  const n = Math.max(Math.ceil(16 * peak), 150);
  const span = spanIn(rng, slot.windowStart, 14);
  const requests = instants(rng, n, span).map((at) => makeRequest(model, rng, at, client, op, { status: 200 }));
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    statusCode: 200,
    description: `Traffic spike from one client: ${client.ip} (a regular app user) sent ${n} requests (status 200) to ${op.apiId}/${op.operationId} in about ${Math.round(span.duration / MINUTE_MS)} minutes; its usual peak is about ${peak.toFixed(2)} per 20-minute window.`,
  });
};

/** A regular client uploads multi-megabyte bodies where ~1 KB is usual. */
const requestPayloadSpike: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'create-order');
  const client = heavyClient(model, 'webDesktop', 0);
  const n = rng.int(6, 12);
  const span = spanIn(rng, slot.windowStart, 10);
  const usual = op.body?.median ?? 1_000;
  const requests = instants(rng, n, span).map((at) =>
    makeRequest(model, rng, at, client, op, { status: 201, requestBodyBytes: Math.round(rng.lognormal(2_500_000, 0.3)) }),
  );
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    statusCode: 201,
    description: `Request payload spike: ${client.ip} sent ${n} ${op.method} requests to ${op.apiId}/${op.operationId} with bodies around 2.5 MB; the usual body is about ${usual} bytes.`,
  });
};

/** A regular client pulls multi-megabyte responses where a few KB is usual (exfiltration). */
const responsePayloadSpike: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'list-orders');
  const client = heavyClient(model, 'webDesktop', 1);
  const n = rng.int(6, 12);
  const span = spanIn(rng, slot.windowStart, 10);
  const requests = instants(rng, n, span).map((at) =>
    makeRequest(model, rng, at, client, op, {
      status: 200,
      queryValues: { from: isoDate(at.ms - 5 * 365 * DAY_MS), to: isoDate(at.ms) },
      onlyGivenQuery: true,
      responseBodyBytes: Math.round(rng.lognormal(12_000_000, 0.3)),
    }),
  );
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    statusCode: 200,
    description: `Response payload spike: ${client.ip} received ${n} responses of about 12 MB from ${op.apiId}/${op.operationId}; the usual response is about ${op.response.median} bytes.`,
  });
};

/** A regular client's searches suddenly take 15–40 s where ~160 ms is usual. */
const latencySpike: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'search-products');
  const client = heavyClient(model, 'webDesktop', 2);
  const n = rng.int(8, 14);
  const span = spanIn(rng, slot.windowStart, 14);
  const requests = instants(rng, n, span).map((at) =>
    makeRequest(model, rng, at, client, op, {
      status: 200,
      queryValues: { q: longSearchText(rng) },
      onlyGivenQuery: true,
      backendTimeMs: rng.lognormal(25_000, 0.25),
    }),
  );
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    statusCode: 200,
    description: `Latency spike: ${n} searches by ${client.ip} to ${op.apiId}/${op.operationId} took about 25 s each (status 200); the usual backend time is about ${op.latency.median} ms.`,
  });
};

/** One IP walks every operation of a service plus dozens of unknown paths (operationId ""). */
const spray: Injector = (model, _env, slot, rng) => {
  const service = serviceOf(model, findOperation('shop-api', 'list-products'));
  const ip = freshIp(model, rng, false);
  const caller = attackerCaller(rng, ip, rng.pick(personaRuntime(model, 'webDesktop').persona.userAgents));
  type Target = { op: OperationSpec } | { path: string };
  const targets: Target[] = [
    ...service.apis.flatMap((a) => a.operations.map((op) => ({ op }))),
    ...PROBE_PATHS.map((path) => ({ path })),
  ];
  const hits: Target[] = [];
  for (const target of rng.shuffle(targets)) {
    hits.push(target);
    if (rng.chance(0.3)) hits.push(target);
  }
  const span = spanIn(rng, slot.windowStart, 13);
  const times = instants(rng, hits.length, span);
  const requests = hits.map((target, i) => {
    const at = times[i] as Instant;
    if ('op' in target) {
      const status = target.op.auth ? 401 : drawStatus(rng, target.op);
      return makeRequest(model, rng, at, caller, target.op, { status });
    }
    return makeUnmatchedRequest(rng, at, caller, service, 'GET', target.path);
  });
  return finish(model, slot, requests, {
    service: service.name,
    apiId: '*',
    operationId: '*',
    description: `Request spray: ${ip} hit ${targets.length} distinct endpoints of ${service.name} (${PROBE_PATHS.length} of them unknown paths that APIM matched to no operation) with ${requests.length} requests in about ${Math.round(span.duration / MINUTE_MS)} minutes.`,
  });
};

/** One IP tries hundreds of distinct e-mail addresses on the user lookup (account enumeration). */
const enumeration: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'get-user-by-email');
  const ip = freshIp(model, rng, rng.chance(0.2));
  const caller = attackerCaller(rng, ip, rng.pick(personaRuntime(model, 'webDesktop').persona.userAgents));
  const n = rng.int(250, 400);
  const base = rng.int(100, 900);
  const span = spanIn(rng, slot.windowStart, 14);
  const requests = instants(rng, n, span).map((at, i) =>
    makeRequest(model, rng, at, caller, op, {
      status: rng.chance(0.8) ? 404 : 200,
      queryValues: { email: emailAddress(rng, base + i) },
    }),
  );
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    parameterName: 'email',
    description: `Parameter enumeration: ${ip} sent ${n} distinct values of "email" to ${op.apiId}/${op.operationId} in about ${Math.round(span.duration / MINUTE_MS)} minutes (account discovery).`,
  });
};

/** Many IPs each try a few coupon codes; together hundreds of distinct values (distributed brute force). */
const distributedEnumeration: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'validate-coupon');
  const total = rng.int(300, 420);
  const codes = new Set<string>();
  const promo = new Set(PROMO_CODES);
  while (codes.size < total) {
    const code = randomCode(rng);
    if (!promo.has(code)) codes.add(code);
  }
  const uas = [...personaRuntime(model, 'webDesktop').persona.userAgents, ...personaRuntime(model, 'webMobile').persona.userAgents];
  const assignments: Array<{ caller: Caller; code: string }> = [];
  const codeList = [...codes];
  const taken = new Set<string>();
  let ipCount = 0;
  for (let i = 0; i < codeList.length; ) {
    const caller = attackerCaller(rng, freshIp(model, rng, rng.chance(0.2), taken), rng.pick(uas));
    ipCount++;
    const share = rng.int(3, 6);
    for (let k = 0; k < share && i < codeList.length; k++, i++) assignments.push({ caller, code: codeList[i] as string });
  }
  const span = spanIn(rng, slot.windowStart, 14);
  const times = instants(rng, assignments.length, span);
  const order = rng.shuffle(assignments);
  const requests = order.map((a, i) =>
    makeRequest(model, rng, times[i] as Instant, a.caller, op, { status: rng.chance(0.96) ? 404 : 200, queryValues: { code: a.code } }),
  );
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    parameterName: 'code',
    description: `Distributed parameter enumeration: ${ipCount} IPs sent ${total} distinct values of "code" (3–6 each) to ${op.apiId}/${op.operationId} in about ${Math.round(span.duration / MINUTE_MS)} minutes (coupon brute force).`,
  });
};

/** SQL text and UUIDs in a parameter that always held an integer. */
const unseenParamType: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'list-products');
  const ip = freshIp(model, rng, false);
  const caller = attackerCaller(rng, ip, rng.pick(personaRuntime(model, 'webDesktop').persona.userAgents));
  const n = rng.int(8, 14);
  const span = spanIn(rng, slot.windowStart, 10);
  const offset = rng.int(0, TYPE_CONFUSION_VALUES.length - 1);
  const requests = instants(rng, n, span).map((at, i) => {
    const value = i % 4 === 3 ? rng.uuid() : (TYPE_CONFUSION_VALUES[(offset + i) % TYPE_CONFUSION_VALUES.length] as string);
    return makeRequest(model, rng, at, caller, op, {
      status: pickStatus(rng, [[400, 6], [500, 3], [200, 1]]),
      queryValues: { page: value },
    });
  });
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    parameterName: 'page',
    description: `Unseen parameter type: ${ip} sent SQL text and UUIDs in "page" of ${op.apiId}/${op.operationId}, which always held an integer (${n} requests).`,
  });
};

/** A parameter name the endpoint never received (debug switches, privilege flags). */
const unseenParam: Injector = (model, _env, slot, rng) => {
  const op = findOperation('shop-api', 'list-products');
  const ip = freshIp(model, rng, rng.chance(0.3));
  const caller = attackerCaller(rng, ip, rng.pick(personaRuntime(model, 'webDesktop').persona.userAgents));
  const candidates = UNSEEN_PARAM_NAMES.filter((name) => !KNOWN_QUERY_PARAM_NAMES.has(name));
  const name = rng.pick(candidates);
  const n = rng.int(6, 12);
  const span = spanIn(rng, slot.windowStart, 10);
  const requests = instants(rng, n, span).map((at) =>
    makeRequest(model, rng, at, caller, op, { status: 200, extraQuery: [[name, rng.pick(['true', '1', 'admin', 'yes'])]] }),
  );
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    parameterName: name,
    description: `Unseen parameter: ${ip} sent "${name}", a parameter ${op.apiId}/${op.operationId} never received, in ${n} requests.`,
  });
};

const BROWSING: ReadonlyArray<readonly [string, number]> = [
  ['list-products', 4], ['get-product', 5], ['search-products', 3], ['get-featured-products', 2], ['list-product-reviews', 1],
];

/** Ordinary browsing, but from Tor exit nodes. */
const torAccess: Injector = (model, env, slot, rng) => {
  const ips = rng.shuffle(env.torIps).slice(0, Math.min(env.torIps.length, rng.int(1, 3)));
  const ops = new WeightedTable(BROWSING.map(([id, w]) => [findOperation('shop-api', id), w] as const));
  const span = spanIn(rng, slot.windowStart, 12);
  const requests: RequestSpec[] = [];
  for (const ip of ips) {
    const caller = attackerCaller(rng, ip, TOR_BROWSER_UA);
    for (const at of instants(rng, rng.int(8, 20), span)) requests.push(makeRequest(model, rng, at, caller, ops.pick(rng)));
  }
  const service = serviceOf(model, findOperation('shop-api', 'list-products'));
  return finish(model, slot, requests, {
    service: service.name,
    apiId: 'shop-api',
    operationId: '*',
    description: `Access from Tor exit nodes: ${ips.join(', ')} browsed shop-api (${requests.length} requests).`,
  });
};

/** Credential stuffing on the login from IPs on a threat-intel feed. */
const suspiciousIpAccess: Injector = (model, env, slot, rng) => {
  const op = findOperation('shop-api', 'login');
  const ips = rng.shuffle(env.intelIps).slice(0, Math.min(env.intelIps.length, rng.int(1, 2)));
  const span = spanIn(rng, slot.windowStart, 12);
  const requests: RequestSpec[] = [];
  for (const ip of ips) {
    const caller = attackerCaller(rng, ip, rng.pick(personaRuntime(model, 'webDesktop').persona.userAgents));
    for (const at of instants(rng, rng.int(10, 25), span)) {
      requests.push(makeRequest(model, rng, at, caller, op, { status: pickStatus(rng, [[401, 8], [429, 1], [200, 1]]) }));
    }
  }
  return finish(model, slot, requests, {
    service: serviceOf(model, op).name,
    apiId: op.apiId,
    operationId: op.operationId,
    description: `Access from threat-intel IPs: ${ips.join(', ')} tried ${requests.length} logins on ${op.apiId}/${op.operationId} (credential stuffing).`,
  });
};

/** A scanner or an exploit payload in the User-Agent header. */
const suspiciousUserAgent: Injector = (model, _env, slot, rng) => {
  const userAgent = SUSPICIOUS_USER_AGENTS[(slot.index + rng.int(0, SUSPICIOUS_USER_AGENTS.length - 1)) % SUSPICIOUS_USER_AGENTS.length] as string;
  const ip = freshIp(model, rng, rng.chance(0.2));
  const caller = attackerCaller(rng, ip, userAgent);
  const ops = new WeightedTable([...BROWSING, ['login', 2] as const].map(([id, w]) => [findOperation('shop-api', id), w] as const));
  const n = rng.int(10, 25);
  const span = spanIn(rng, slot.windowStart, 12);
  const requests = instants(rng, n, span).map((at) => makeRequest(model, rng, at, caller, ops.pick(rng)));
  const service = serviceOf(model, findOperation('shop-api', 'list-products'));
  return finish(model, slot, requests, {
    service: service.name,
    apiId: 'shop-api',
    operationId: '*',
    userAgent,
    description: `Suspicious User-Agent: ${ip} sent ${n} requests to shop-api with User-Agent ${JSON.stringify(userAgent)}.`,
  });
};

function injectorFor(kind: AttackKind): Injector {
  switch (kind.alertType) {
    case 'API_PopulationSpikeInAPITraffic':
      return populationSpike;
    case 'API_SpikeInAPITraffic':
      return clientSpike;
    case 'API_SpikeInPayload':
      return kind.variant === 'response' ? responsePayloadSpike : requestPayloadSpike;
    case 'API_SpikeInLatency':
      return latencySpike;
    case 'API_SprayInRequests':
      return spray;
    case 'API_ParameterEnumeration':
      return enumeration;
    case 'API_DistributedParameterEnumeration':
      return distributedEnumeration;
    case 'API_UnseenParamType':
      return unseenParamType;
    case 'API_UnseenParam':
      return unseenParam;
    case 'API_AccessFromTorExitNode':
      return torAccess;
    case 'API_AccessFromSuspiciousIP':
      return suspiciousIpAccess;
    case 'API_AccessFromSuspiciousUserAgent':
      return suspiciousUserAgent;
  }
}

/** Plans one attack: its requests and its label. Deterministic in (seed, slot). */
export function planAttack(model: Model, env: AttackEnv, slot: AttackSlot): AttackResult {
  const reason = unavailableReason(slot.kind, env);
  if (reason) return { ok: false, reason };
  const rng = Rng.fromKey(model.seed, 'attack', slot.index, slot.kind.alertType, slot.kind.variant ?? '');
  return injectorFor(slot.kind)(model, env, slot, rng);
}
