/**
 * The generator's entry points: planTraffic (a fixed range with labeled attacks after a warm-up)
 * and liveTraffic (an endless stream with recurring attacks). Both generate one minute of event
 * time at a time, so memory stays bounded whatever the range.
 */
import { ATTACK_KINDS, planAttack, unavailableReason, type AttackEnv, type AttackKind, type PlannedAttack } from './attacks';
import {
  DAY_MS,
  MINUTE_MS,
  WINDOW_MS,
  buildModel,
  canonicalIp,
  dailyShape,
  dayNoise,
  weeklyFactor,
  type Model,
  type ServiceRuntime,
} from './model';
import { Rng } from './prng';
import { compareInstants, makeRequest, makeUnmatchedRequest, toRecord, type Instant, type RequestSpec } from './request';
import type { AlertType, GeneratedMessage, GeneratorOptions, LiveItem, LiveOptions, SkippedAttack, TrafficPlan } from './types';
import { ALERT_TYPES } from './types';

export const DEFAULTS = {
  requestsPerDay: 20_000,
  recordsPerMessage: 20,
  services: 2,
  attackRounds: 1,
  logHeaders: true,
  proxyShare: 0,
  proxyIps: ['10.30.0.4', '10.30.0.5'] as readonly string[],
  attackEveryMinutes: 30,
} as const;

// ---------------------------------------------------------------------------------------------
// Option handling
// ---------------------------------------------------------------------------------------------

type CommonOptions = Omit<GeneratorOptions, 'start' | 'days' | 'warmupDays' | 'attackRounds'>;

interface Common {
  model: Model;
  env: AttackEnv;
  kinds: AttackKind[];
  recordsPerMessage: number;
  logHeaders: boolean;
}

function need(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

function canonicalList(list: readonly string[] | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const entry of list ?? []) {
    const ip = canonicalIp(entry);
    if (ip !== undefined && !seen.has(ip)) {
      seen.add(ip);
      out.push(ip);
    }
  }
  return out;
}

function enabledKinds(attacks: GeneratorOptions['attacks']): AttackKind[] {
  if (attacks === undefined || attacks === true) return [...ATTACK_KINDS];
  if (attacks === false) return [];
  for (const type of attacks) need((ALERT_TYPES as readonly string[]).includes(type), `attacks: unknown alert type "${String(type)}"`);
  const wanted = new Set<AlertType>(attacks);
  return ATTACK_KINDS.filter((k) => wanted.has(k.alertType));
}

function resolveCommon(options: CommonOptions): Common {
  need(Number.isFinite(options.seed), 'seed: must be a finite number');
  const requestsPerDay = options.requestsPerDay ?? DEFAULTS.requestsPerDay;
  need(Number.isFinite(requestsPerDay) && requestsPerDay > 0, 'requestsPerDay: must be a positive number');
  const recordsPerMessage = options.recordsPerMessage ?? DEFAULTS.recordsPerMessage;
  need(Number.isInteger(recordsPerMessage) && recordsPerMessage >= 1, 'recordsPerMessage: must be an integer ≥ 1');
  const services = options.services ?? DEFAULTS.services;
  need(Number.isInteger(services) && services >= 1 && services <= 4, 'services: must be an integer from 1 to 4');
  const proxyShare = options.proxyShare ?? DEFAULTS.proxyShare;
  need(Number.isFinite(proxyShare) && proxyShare >= 0 && proxyShare <= 1, 'proxyShare: must be between 0 and 1');
  const proxyIps = canonicalList(options.proxyIps ?? DEFAULTS.proxyIps);
  need(proxyShare === 0 || proxyIps.length > 0, 'proxyIps: needs at least one valid IP when proxyShare > 0');
  const clients = options.clients ?? Math.min(50_000, Math.max(300, Math.round(requestsPerDay / 2)));
  need(Number.isInteger(clients) && clients >= 50, 'clients: must be an integer ≥ 50');
  const logHeaders = options.logHeaders ?? DEFAULTS.logHeaders;

  const torIps = canonicalList(options.torExitIps);
  const torSet = new Set(torIps);
  const intelIps = canonicalList(options.suspiciousIps).filter((ip) => !torSet.has(ip));
  const reservedIps = new Set<string>([...torIps, ...intelIps]);
  const model = buildModel({ seed: options.seed, requestsPerDay, services, clients, proxyShare, proxyIps, reservedIps, logHeaders });
  const env: AttackEnv = { torIps, intelIps, logHeaders };
  return { model, env, kinds: enabledKinds(options.attacks), recordsPerMessage, logHeaders };
}

// ---------------------------------------------------------------------------------------------
// Baseline
// ---------------------------------------------------------------------------------------------

/** Baseline requests of one minute of event time (independent of every other minute). */
function baselineMinute(model: Model, minute: number): RequestSpec[] {
  const rng = Rng.fromKey(model.seed, 'minute', minute);
  const sliceStart = minute * MINUTE_MS;
  const mid = sliceStart + MINUTE_MS / 2;
  const shape = dailyShape(mid) * weeklyFactor(mid);
  const noise = dayNoise(model.seed, mid);
  const shopService = model.serviceOfApi.get('shop-api') as ServiceRuntime;
  const out: RequestSpec[] = [];
  for (const runtime of model.personas) {
    const persona = runtime.persona;
    const perMinute = ((model.requestsPerDay * persona.volumeShare) / 1440) * (1 + persona.rhythm * (shape - 1)) * noise;
    const n = rng.poisson(perMinute);
    for (let i = 0; i < n; i++) {
      const at: Instant = { ms: sliceStart + Math.floor(rng.next() * MINUTE_MS), ticks: rng.int(0, 9999) };
      const client = runtime.clients.pick(rng);
      if (persona.unmatchedRate > 0 && rng.chance(persona.unmatchedRate)) {
        out.push(makeUnmatchedRequest(rng, at, client, shopService, 'GET', rng.pick(persona.unmatchedPaths)));
      } else {
        out.push(makeRequest(model, rng, at, client, runtime.operations.pick(rng)));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Packing into Event Hub messages
// ---------------------------------------------------------------------------------------------

/**
 * Packs one minute's requests into messages: records of one client on one service share a
 * message (up to `cap` records), so the partition key (the client IP) is true of every record.
 * Messages come out ordered by their first record's time.
 */
function pack(requests: RequestSpec[], cap: number, logHeaders: boolean): GeneratedMessage[] {
  requests.sort((a, b) => compareInstants(a.at, b.at));
  const open = new Map<string, RequestSpec[]>();
  const groups: RequestSpec[][] = [];
  for (const spec of requests) {
    const key = `${spec.service.index}|${spec.caller.ip}`;
    let group = open.get(key);
    if (!group || group.length >= cap) {
      group = [];
      open.set(key, group);
      groups.push(group);
    }
    group.push(spec);
  }
  return groups.map((group) => {
    const first = group[0] as RequestSpec;
    return {
      time: first.at.ms,
      partitionKey: first.caller.ip,
      body: `{"records":[${group.map((spec) => JSON.stringify(toRecord(spec, logHeaders))).join(',')}]}`,
      recordCount: group.length,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The minute-by-minute engine
// ---------------------------------------------------------------------------------------------

/** Supplies attacks in order of their window. */
interface AttackSource {
  /** Window start of the next attack not yet planned (Infinity when none is left). */
  nextWindowStart(): number;
  /** Plans the next attack (undefined when it could not be injected). */
  planNext(): PlannedAttack | undefined;
}

interface ActiveAttack {
  attack: PlannedAttack;
  cursor: number;
}

function* runEngine(common: Common, fromMs: number, toMs: number, source: AttackSource): Generator<LiveItem> {
  const upcoming: PlannedAttack[] = [];
  const active: ActiveAttack[] = [];
  for (let minute = Math.floor(fromMs / MINUTE_MS); minute * MINUTE_MS < toMs; minute++) {
    const sliceStart = minute * MINUTE_MS;
    const sliceEnd = sliceStart + MINUTE_MS;
    // An attack never starts before its window, so everything starting in this minute is planned now.
    while (source.nextWindowStart() < sliceEnd) {
      const planned = source.planNext();
      if (planned) upcoming.push(planned);
    }
    upcoming.sort((a, b) => compareInstants((a.requests[0] as RequestSpec).at, (b.requests[0] as RequestSpec).at));
    while (upcoming.length > 0 && ((upcoming[0] as PlannedAttack).requests[0] as RequestSpec).at.ms < sliceEnd) {
      const attack = upcoming.shift() as PlannedAttack;
      active.push({ attack, cursor: 0 });
      yield { label: attack.label };
    }

    const requests = baselineMinute(common.model, minute).filter((r) => r.at.ms >= fromMs && r.at.ms < toMs);
    for (const entry of active) {
      const list = entry.attack.requests;
      while (entry.cursor < list.length && (list[entry.cursor] as RequestSpec).at.ms < sliceEnd) {
        const spec = list[entry.cursor] as RequestSpec;
        if (spec.at.ms >= fromMs && spec.at.ms < toMs) requests.push(spec);
        entry.cursor++;
      }
    }
    for (let i = active.length - 1; i >= 0; i--) {
      const entry = active[i] as ActiveAttack;
      if (entry.cursor >= entry.attack.requests.length) active.splice(i, 1);
    }
    for (const message of pack(requests, common.recordsPerMessage, common.logHeaders)) yield { message };
  }
}

// ---------------------------------------------------------------------------------------------
// Estimating the message count
// ---------------------------------------------------------------------------------------------

/**
 * Expected number of distinct clients of each persona in one minute, as a function of the
 * persona's expected request count, tabulated on a log grid (for the message estimate).
 */
function distinctClientCurves(model: Model): Array<(lambda: number) => number> {
  const grid: number[] = [];
  for (let e = -3; e <= 5; e += 0.125) grid.push(Math.pow(10, e));
  return model.personas.map((runtime) => {
    const shares: number[] = [];
    for (let i = 0; i < runtime.clients.items.length; i++) shares.push(runtime.clients.weightAt(i) / runtime.clients.total);
    const values = grid.map((lambda) => shares.reduce((sum, share) => sum + (1 - Math.exp(-lambda * share)), 0));
    return (lambda: number): number => {
      if (lambda <= (grid[0] as number)) return lambda;
      const pos = (Math.log10(lambda) + 3) / 0.125;
      const i = Math.min(grid.length - 2, Math.floor(pos));
      const frac = Math.min(1, pos - i);
      return (values[i] as number) + ((values[i + 1] as number) - (values[i] as number)) * frac;
    };
  });
}

function estimateMessages(common: Common, fromMs: number, toMs: number, attacks: readonly PlannedAttack[]): number {
  const { model } = common;
  const curves = distinctClientCurves(model);
  let total = 0;
  for (let minute = Math.floor(fromMs / MINUTE_MS); minute * MINUTE_MS < toMs; minute++) {
    const mid = minute * MINUTE_MS + MINUTE_MS / 2;
    const shape = dailyShape(mid) * weeklyFactor(mid);
    const noise = dayNoise(model.seed, mid);
    model.personas.forEach((runtime, i) => {
      const persona = runtime.persona;
      const lambda = ((model.requestsPerDay * persona.volumeShare) / 1440) * (1 + persona.rhythm * (shape - 1)) * noise;
      const distinct = (curves[i] as (l: number) => number)(lambda);
      total += Math.max(distinct, lambda / common.recordsPerMessage);
    });
  }
  for (const attack of attacks) {
    const groups = new Set(attack.requests.map((r) => `${Math.floor(r.at.ms / MINUTE_MS)}|${r.caller.ip}`));
    total += groups.size;
  }
  return Math.max(1, Math.round(total));
}

// ---------------------------------------------------------------------------------------------
// planTraffic
// ---------------------------------------------------------------------------------------------

/**
 * Plans a labeled range of traffic. Attacks are placed only after the warm-up, each inside its
 * own 20-minute detection window (aligned to 20 minutes of epoch time) where the range allows,
 * spread evenly over the attack period. Labels are known at once; messages are generated lazily.
 */
export function planTraffic(options: GeneratorOptions): TrafficPlan {
  need(options.start instanceof Date && Number.isFinite(options.start.getTime()), 'start: must be a valid Date');
  need(Number.isFinite(options.days) && options.days > 0, 'days: must be a positive number');
  const warmupDays = options.warmupDays ?? Math.max(0, options.days - 1);
  need(Number.isFinite(warmupDays) && warmupDays >= 0, 'warmupDays: must be a number ≥ 0');
  const rounds = options.attackRounds ?? DEFAULTS.attackRounds;
  need(Number.isInteger(rounds) && rounds >= 0, 'attackRounds: must be an integer ≥ 0');
  const common = resolveCommon(options);
  const { model, env } = common;

  const startMs = options.start.getTime();
  const endMs = startMs + Math.round(options.days * DAY_MS);
  const attackStartMs = startMs + Math.round(warmupDays * DAY_MS);

  const skipped: SkippedAttack[] = [];
  const skip = (kind: AttackKind, reason: string): void => {
    if (!skipped.some((s) => s.alertType === kind.alertType && s.variant === kind.variant)) {
      skipped.push({ alertType: kind.alertType, ...(kind.variant ? { variant: kind.variant } : {}), reason });
    }
  };

  const kinds: AttackKind[] = [];
  for (const kind of common.kinds) {
    const reason = unavailableReason(kind, env);
    if (reason) skip(kind, reason);
    else kinds.push(kind);
  }

  const firstWindow = Math.ceil(attackStartMs / WINDOW_MS) * WINDOW_MS;
  const windowCount = Math.max(0, Math.floor((endMs - firstWindow) / WINDOW_MS));
  const jobs: AttackKind[] = [];
  for (let r = 0; r < rounds; r++) jobs.push(...kinds);
  const attacks: PlannedAttack[] = [];
  if (jobs.length > 0 && windowCount === 0) {
    for (const kind of jobs) skip(kind, 'the attack period (after the warm-up) holds no complete 20-minute window');
  } else if (jobs.length > 0) {
    const order = Rng.fromKey(options.seed, 'schedule').shuffle(jobs);
    order.forEach((kind, j) => {
      const windowIndex = Math.min(windowCount - 1, Math.floor(((j + 0.5) * windowCount) / order.length));
      const result = planAttack(model, env, { index: j, kind, windowStart: firstWindow + windowIndex * WINDOW_MS });
      if (result.ok) attacks.push(result.attack);
      else skip(kind, result.reason);
    });
  }
  attacks.sort((a, b) => compareInstants((a.requests[0] as RequestSpec).at, (b.requests[0] as RequestSpec).at));

  const estimatedMessages = estimateMessages(common, startMs, endMs, attacks);
  return {
    labels: attacks.map((a) => a.label),
    skipped,
    estimatedMessages,
    resolved: {
      seed: options.seed,
      start: new Date(startMs).toISOString(),
      end: new Date(endMs).toISOString(),
      requestsPerDay: model.requestsPerDay,
      warmupDays,
      attackStart: new Date(attackStartMs).toISOString(),
      recordsPerMessage: common.recordsPerMessage,
      logHeaders: common.logHeaders,
      services: model.services.map((s) => s.name),
      clients: model.clients.length,
    },
    messages(): Iterable<GeneratedMessage> {
      return {
        *[Symbol.iterator](): Generator<GeneratedMessage> {
          let next = 0;
          const source: AttackSource = {
            nextWindowStart: () => (next < attacks.length ? Date.parse((attacks[next] as PlannedAttack).label.start) - WINDOW_MS : Infinity),
            planNext: () => attacks[next++],
          };
          for (const item of runEngine(common, startMs, endMs, source)) {
            if ('message' in item) yield item.message;
          }
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// liveTraffic
// ---------------------------------------------------------------------------------------------

/**
 * An endless stream from `from`: baseline traffic (the same as planTraffic gives for the same
 * seed and instant) plus an attack every `attackEveryMinutes` of event time, cycling through the
 * enabled alert types that can be injected. Each attack's label is yielded just before the
 * messages of the minute it starts in. Stop by abandoning the iterator.
 */
export function liveTraffic(options: LiveOptions): Iterable<LiveItem> {
  need(options.from instanceof Date && Number.isFinite(options.from.getTime()), 'from: must be a valid Date');
  const every = options.attackEveryMinutes ?? DEFAULTS.attackEveryMinutes;
  need(Number.isFinite(every) && every > 0, 'attackEveryMinutes: must be a positive number');
  return {
    *[Symbol.iterator](): Generator<LiveItem> {
      const common = resolveCommon(options);
      const rotation = common.kinds.filter((kind) => unavailableReason(kind, common.env) === undefined);
      const fromMs = options.from.getTime();
      let k = 0;
      const windowOf = (index: number): number => Math.ceil((fromMs + (index + 1) * every * MINUTE_MS) / WINDOW_MS) * WINDOW_MS;
      const source: AttackSource = {
        nextWindowStart: () => (rotation.length > 0 ? windowOf(k) : Infinity),
        planNext: () => {
          const index = k++;
          const kind = rotation[index % rotation.length] as AttackKind;
          const result = planAttack(common.model, common.env, { index, kind, windowStart: windowOf(index) });
          return result.ok ? result.attack : undefined;
        },
      };
      yield* runEngine(common, fromMs, Infinity, source);
    },
  };
}
