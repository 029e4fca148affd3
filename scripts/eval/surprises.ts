/**
 * Benign surprises for the generated evaluation: things that happen to real APIs, are not
 * attacks, and must not raise alerts. They are applied to the generator's scored messages as
 * they stream by, so every record keeps the generator's GatewayLogs shape:
 *
 * - **campaign**: a marketing campaign sends 2–3× an endpoint's usual traffic for two hours,
 *   from many new visitors (each a few requests, ordinary browser User-Agents). Every original
 *   request to the endpoint in the period gets one or two copies from campaign visitors.
 * - **outage**: a backend slows down for 30 minutes: every request that reached a backend in
 *   the period takes 3–5× longer (backendTime and durationMs). These records are changed in
 *   place, not added: latency can only be slowed on the requests that happened.
 * - **wave**: a wave of new legitimate clients (a newsletter, a press article) for three
 *   hours: most ordinary browser requests of the period are repeated by new clients, each with
 *   a short browsing session (2–10 requests within 5–20 minutes), a real browser User-Agent and
 *   the same ordinary parameters.
 *
 * Records of injected attacks are never touched or copied (the caller says which ones are).
 */
import type { GeneratedMessage } from '../../shared/generator';
import { Rng } from '../../shared/generator';
import { parseEventTime } from '../../shared/core/parse';
import { canonical, gatewayTime } from './common';

const MINUTE = 60_000;

export type SurpriseKind = 'campaign' | 'outage' | 'wave';

export interface Period {
  start: number;
  end: number;
}

export interface SurprisePlan {
  campaign?: Period & { apiId: string; operationId: string };
  outage?: Period;
  wave?: Period;
}

export interface SurpriseSummary {
  kind: SurpriseKind;
  description: string;
  start: string;
  end: string;
  /** Records added (copies from new clients). */
  addedRecords: number;
  /** Original records changed in place (the outage's slowed requests). */
  modifiedRecords: number;
  /** New client IPs. */
  clients: number;
}

/**
 * Where the surprises go in a scoring period that starts at `scoreStart` (midnight UTC in the
 * default scenarios): on its first day, wave 09:00–12:00, campaign 13:00–15:00, outage
 * 16:10–16:40 (across a window boundary). A scoring period shorter than a day scales them down.
 */
export function defaultSurprisePlan(scoreStart: number, scoreDays: number): SurprisePlan {
  const day = Math.min(1, scoreDays) * 86_400_000;
  const at = (fraction: number) => scoreStart + Math.round((fraction * day) / MINUTE) * MINUTE;
  const outageStart = at(16 / 24 + 10 / 1440);
  return {
    wave: { start: at(9 / 24), end: at(12 / 24) },
    campaign: { start: at(13 / 24), end: at(15 / 24), apiId: 'shop-api', operationId: 'get-product' },
    outage: { start: outageStart, end: outageStart + 30 * MINUTE },
  };
}

interface Visitor {
  ip: string;
  userAgent: string;
  /** Session end (epoch ms) and how many more requests it will send. */
  until: number;
  left: number;
}

type GatewayRecord = Record<string, unknown> & { properties: Record<string, unknown> };

/** Public unicast prefixes new clients are drawn from (v4 first octets, v6 leading groups). */
const V4_FIRST_OCTETS = [24, 31, 37, 46, 62, 68, 73, 78, 81, 82, 86, 88, 92, 95, 98, 109, 151, 176, 178, 188, 201, 213];
const V6_PREFIXES = ['2a02', '2a01', '2a00', '2600', '2603', '2001'];

export interface SurpriseOptions {
  seed: number;
  /** IPs a new client must not get (baseline clients, Tor and threat-intel lists), canonical. */
  excludedIps: ReadonlySet<string>;
  /** Real browser User-Agents for new clients. */
  browserUserAgents: readonly string[];
  /** True when a record of this client at this time belongs to an injected attack. */
  isAttack: (clientIp: string, time: number) => boolean;
}

export class BenignSurprises {
  readonly waveClients = new Set<string>();
  readonly campaignClients = new Set<string>();
  private readonly rng: Rng;
  private readonly used = new Set<string>();
  private readonly counts: Record<SurpriseKind, { added: number; modified: number }> = {
    campaign: { added: 0, modified: 0 },
    outage: { added: 0, modified: 0 },
    wave: { added: 0, modified: 0 },
  };
  private waveVisitors: Visitor[] = [];
  private campaignVisitors: Visitor[] = [];

  constructor(
    readonly plan: SurprisePlan,
    private readonly options: SurpriseOptions,
  ) {
    this.rng = Rng.fromKey(options.seed, 'eval-benign-surprises');
  }

  /** Whether a message (one minute of one client) can touch a surprise period at all. */
  private touches(time: number): boolean {
    const inside = (p: Period | undefined) => p !== undefined && time + MINUTE > p.start && time < p.end;
    return inside(this.plan.campaign) || inside(this.plan.outage) || inside(this.plan.wave);
  }

  /**
   * One scored message: its body (changed when the outage slows its records) and the extra
   * messages (copies from new clients) to merge into the stream at their own times.
   */
  process(message: GeneratedMessage): { body: string; extras: Array<{ time: number; body: string }> } {
    if (!this.touches(message.time)) return { body: message.body, extras: [] };
    const parsed = JSON.parse(message.body) as { records: GatewayRecord[] };
    const extras: Array<{ time: number; body: string }> = [];
    let changed = false;
    const client = canonical(message.partitionKey);
    for (const record of parsed.records) {
      const time = parseEventTime(String(record.time));
      if (time === undefined || this.options.isAttack(client, time)) continue;
      if (this.slowDown(record, time)) changed = true;
      for (const copy of this.campaignCopies(record, time)) extras.push(copy);
      for (const copy of this.waveCopies(record, time)) extras.push(copy);
    }
    return { body: changed ? JSON.stringify(parsed) : message.body, extras };
  }

  summaries(): SurpriseSummary[] {
    const out: SurpriseSummary[] = [];
    const iso = (ms: number) => new Date(ms).toISOString();
    const { campaign, outage, wave } = this.plan;
    if (wave !== undefined) {
      out.push({
        kind: 'wave',
        description: 'new legitimate clients: ordinary browser requests of the period repeated by new IPs with real browser User-Agents, short sessions',
        start: iso(wave.start),
        end: iso(wave.end),
        addedRecords: this.counts.wave.added,
        modifiedRecords: 0,
        clients: this.waveClients.size,
      });
    }
    if (campaign !== undefined) {
      out.push({
        kind: 'campaign',
        description: `campaign surge on ${campaign.apiId}/${campaign.operationId}: 2–3× its traffic from new visitors`,
        start: iso(campaign.start),
        end: iso(campaign.end),
        addedRecords: this.counts.campaign.added,
        modifiedRecords: 0,
        clients: this.campaignClients.size,
      });
    }
    if (outage !== undefined) {
      out.push({
        kind: 'outage',
        description: 'backend slowdown: every request that reached a backend took 3–5× longer',
        start: iso(outage.start),
        end: iso(outage.end),
        addedRecords: 0,
        modifiedRecords: this.counts.outage.modified,
        clients: 0,
      });
    }
    return out;
  }

  private slowDown(record: GatewayRecord, time: number): boolean {
    const outage = this.plan.outage;
    if (outage === undefined || time < outage.start || time >= outage.end) return false;
    const backend = record.properties.backendTime;
    if (typeof backend !== 'number') return false;
    const slowed = Math.round(backend * this.rng.uniform(3, 5));
    record.properties.backendTime = slowed;
    record.durationMs = Math.round(Number(record.durationMs) + slowed - backend);
    this.counts.outage.modified += 1;
    return true;
  }

  private campaignCopies(record: GatewayRecord, time: number): Array<{ time: number; body: string }> {
    const campaign = this.plan.campaign;
    if (campaign === undefined || time < campaign.start || time >= campaign.end) return [];
    if (record.properties.apiId !== campaign.apiId || record.properties.operationId !== campaign.operationId) return [];
    const copies = this.rng.chance(0.5) ? 2 : 1;
    const out: Array<{ time: number; body: string }> = [];
    for (let i = 0; i < copies; i += 1) {
      const at = Math.min(campaign.end - 1, time + Math.floor(this.rng.uniform(0, 4 * MINUTE)));
      const visitor = this.visitor(this.campaignVisitors, this.campaignClients, at, [1, 6], [3, 12]);
      out.push(this.copy(record, at, visitor));
      this.counts.campaign.added += 1;
    }
    return out;
  }

  private waveCopies(record: GatewayRecord, time: number): Array<{ time: number; body: string }> {
    const wave = this.plan.wave;
    if (wave === undefined || time < wave.start || time >= wave.end) return [];
    const props = record.properties;
    const status = Number(props.responseCode);
    const headers = props.requestHeaders as Record<string, string> | undefined;
    const browser = typeof headers?.['User-Agent'] === 'string' && headers['User-Agent'].startsWith('Mozilla/');
    if (!browser || !(status < 400) || props.apiId === '' || props.operationId === '' || !this.rng.chance(0.8)) return [];
    const at = Math.min(wave.end - 1, time + Math.floor(this.rng.uniform(0, 30_000)));
    const visitor = this.visitor(this.waveVisitors, this.waveClients, at, [2, 10], [5, 20]);
    this.counts.wave.added += 1;
    return [this.copy(record, at, visitor)];
  }

  /** A visitor whose session is open at `at` and still has requests left, or a new one. */
  private visitor(pool: Visitor[], clients: Set<string>, at: number, requests: [number, number], minutes: [number, number]): Visitor {
    const open = pool.filter((v) => v.left > 0 && v.until > at);
    if (pool.length !== open.length) pool.splice(0, pool.length, ...open);
    // New visitors keep arriving: an open session is reused three times in four.
    if (open.length > 0 && this.rng.chance(0.75)) {
      const chosen = this.rng.pick(open);
      chosen.left -= 1;
      return chosen;
    }
    const visitor: Visitor = {
      ip: this.freshIp(),
      userAgent: this.rng.pick(this.options.browserUserAgents),
      until: at + this.rng.int(minutes[0], minutes[1]) * MINUTE,
      left: this.rng.int(requests[0], requests[1]) - 1,
    };
    clients.add(visitor.ip);
    pool.push(visitor);
    return visitor;
  }

  private copy(record: GatewayRecord, at: number, visitor: Visitor): { time: number; body: string } {
    const props = { ...record.properties };
    const headers: Record<string, string> = { ...((props.requestHeaders as Record<string, string> | undefined) ?? {}) };
    delete headers['X-Forwarded-For'];
    headers['User-Agent'] = visitor.userAgent;
    props.requestHeaders = headers;
    const copy = { ...record, time: gatewayTime(at, this.rng.int(0, 9999)), callerIpAddress: visitor.ip, correlationId: this.rng.uuid(), properties: props };
    return { time: at, body: JSON.stringify({ records: [copy] }) };
  }

  private freshIp(): string {
    for (;;) {
      let ip: string;
      if (this.rng.chance(0.25)) {
        const groups = [this.rng.pick(V6_PREFIXES), ...Array.from({ length: 7 }, () => this.rng.int(1, 0xffff).toString(16))];
        ip = canonical(groups.join(':'));
      } else {
        ip = [this.rng.pick(V4_FIRST_OCTETS), this.rng.int(0, 255), this.rng.int(0, 255), this.rng.int(1, 254)].join('.');
      }
      if (!this.used.has(ip) && !this.options.excludedIps.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
  }
}
