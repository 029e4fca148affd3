/**
 * The fixed part of a simulation, built once from the options: APIM services, which API each
 * hosts, the client population (IPs, User-Agents, weights) and the daily/weekly rhythm.
 */
import ipaddr from 'ipaddr.js';
import { APIS, PARTNER_CLIENTS, PERSONAS, SERVICE_TEMPLATES, type ApiSpec, type OperationSpec, type Persona, type PersonaId } from './catalog';
import { Rng, WeightedTable } from './prng';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** Detection window length (DESIGN.md: 20-minute event-time windows). */
export const WINDOW_MS = 20 * MINUTE_MS;

export interface ServiceRuntime {
  index: number;
  /** Name as in the resource id (lower case, as the Endpoint model keeps it). */
  name: string;
  host: string;
  resourceId: string;
  location: string;
  deploymentVersion: string;
  apis: ApiSpec[];
}

/** Who sends a request, as the gateway sees it. */
export interface Caller {
  /** The real client IP, canonical text form. */
  ip: string;
  /** The immediate caller APIM logs as callerIpAddress (a proxy, or the client itself). */
  callerIp: string;
  /** X-Forwarded-For value when the client came through a proxy. */
  forwardedFor?: string;
  userAgent: string;
  subscriptionId: string;
  tlsVersion: string;
  protocol: string;
  /** Typical size of this client's request headers (cookies, tokens), bytes. */
  headerBytes: number;
}

export interface Client extends Caller {
  index: number;
  persona: PersonaId;
  /** Relative activity within the persona. */
  weight: number;
}

export interface PersonaRuntime {
  persona: Persona;
  clients: WeightedTable<Client>;
  operations: WeightedTable<OperationSpec>;
  /** Sum of the persona's operation weights (to turn a weight into a share). */
  operationWeightTotal: number;
}

export interface Model {
  seed: number;
  services: ServiceRuntime[];
  serviceOfApi: Map<string, ServiceRuntime>;
  clients: Client[];
  personas: PersonaRuntime[];
  requestsPerDay: number;
  /** Canonical text of every IP a baseline client uses, plus reserved list IPs. */
  usedIps: Set<string>;
  /** Canonical Tor and threat-intel IPs: never used by baseline clients or fresh attackers. */
  reservedIps: Set<string>;
  logHeaders: boolean;
}

export interface ModelOptions {
  seed: number;
  requestsPerDay: number;
  services: number;
  clients: number;
  proxyShare: number;
  proxyIps: readonly string[];
  reservedIps: Set<string>;
  logHeaders: boolean;
}

/** Canonical text form of an IP address (IPv4-mapped IPv6 becomes IPv4), or undefined when invalid. */
export function canonicalIp(text: string): string | undefined {
  const trimmed = text.trim();
  if (!ipaddr.isValid(trimmed)) return undefined;
  try {
    return ipaddr.process(trimmed).toString();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Rhythm
// ---------------------------------------------------------------------------------------------

/** Relative traffic by UTC hour for a European shop: trough around 03:00, plateau 12:00–20:00. */
const HOURLY = [
  0.35, 0.22, 0.15, 0.12, 0.12, 0.18, 0.35, 0.6, 0.85, 1.05, 1.2, 1.3,
  1.35, 1.4, 1.45, 1.45, 1.4, 1.35, 1.4, 1.45, 1.35, 1.1, 0.8, 0.55,
];
const HOURLY_MEAN = HOURLY.reduce((a, b) => a + b, 0) / HOURLY.length;
/** Relative traffic by UTC weekday (0 = Sunday); the mean over a week is 1. */
const WEEKDAY = [0.68, 1.12, 1.12, 1.12, 1.12, 1.12, 0.72];

/** Daily shape (mean 1 over a day), linearly interpolated between hour centres. */
export function dailyShape(ms: number): number {
  const hourFloat = ((ms % DAY_MS) + DAY_MS) % DAY_MS / 3_600_000 - 0.5;
  const h0 = Math.floor(hourFloat);
  const frac = hourFloat - h0;
  const a = HOURLY[(h0 + 24) % 24] as number;
  const b = HOURLY[(h0 + 25) % 24] as number;
  return (a + (b - a) * frac) / HOURLY_MEAN;
}

export function weeklyFactor(ms: number): number {
  return WEEKDAY[new Date(ms).getUTCDay()] as number;
}

/** Highest value dailyShape × weeklyFactor reaches. */
export const PEAK_RHYTHM = (Math.max(...HOURLY) / HOURLY_MEAN) * Math.max(...WEEKDAY);

/** Day-to-day variation: a deterministic factor per UTC day, around 1. */
export function dayNoise(seed: number, ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  return Math.exp(0.07 * Rng.fromKey(seed, 'day', day).normal());
}

/** Requests per ms for a persona at an instant. */
export function personaRate(model: Model, persona: Persona, ms: number): number {
  const shape = dailyShape(ms) * weeklyFactor(ms);
  const modulated = 1 + persona.rhythm * (shape - 1);
  return ((model.requestsPerDay * persona.volumeShare) / DAY_MS) * modulated * dayNoise(model.seed, ms);
}

/** Highest expected count of a persona's requests in one 20-minute window (day noise at +3 sd). */
export function personaPeakWindowCount(model: Model, persona: Persona): number {
  const modulated = 1 + persona.rhythm * (PEAK_RHYTHM - 1);
  return ((model.requestsPerDay * persona.volumeShare) / DAY_MS) * WINDOW_MS * modulated * Math.exp(0.21);
}

// ---------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------

/** First octets of IPv4 space the generator draws from: public unicast only. */
const V4_FIRST_OCTETS: number[] = [];
for (let a = 1; a <= 223; a++) {
  if ([10, 100, 127, 169, 172, 192, 198, 203].includes(a)) continue;
  V4_FIRST_OCTETS.push(a);
}
/** First groups of IPv6 prefixes used by real access networks (RIPE, ARIN, APNIC, LACNIC). */
const V6_FIRST_GROUPS = ['2a00', '2a01', '2a02', '2a02', '2a0a', '2600', '2601', '2603', '2605', '2607', '2804', '2409', '240e', '2406'];

export interface Network {
  v6: boolean;
  /** "a.b" for IPv4 (/16) or "xxxx:yyyy" for IPv6 (/32). */
  prefix: string;
}

export function randomNetwork(rng: Rng, v6: boolean): Network {
  if (v6) return { v6, prefix: `${rng.pick(V6_FIRST_GROUPS)}:${rng.int(1, 0xffff).toString(16)}` };
  return { v6, prefix: `${rng.pick(V4_FIRST_OCTETS)}.${rng.int(0, 255)}` };
}

export function addressIn(rng: Rng, network: Network): string {
  if (network.v6) {
    const groups: string[] = [];
    for (let i = 0; i < 6; i++) groups.push(rng.int(1, 0xffff).toString(16));
    return `${network.prefix}:${groups.join(':')}`;
  }
  return `${network.prefix}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/**
 * A public IP that no baseline client uses and no reserved (Tor / threat-intel) list holds.
 * When `taken` is given, the IP is also new to it and is added to it.
 */
export function freshIp(model: Model, rng: Rng, v6: boolean, taken?: Set<string>): string {
  for (;;) {
    const ip = addressIn(rng, randomNetwork(rng, v6));
    if (!model.usedIps.has(ip) && !(taken?.has(ip) ?? false)) {
      taken?.add(ip);
      return ip;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------------------------

function buildServices(seed: number, count: number): { services: ServiceRuntime[]; serviceOfApi: Map<string, ServiceRuntime> } {
  const subscription = Rng.fromKey(seed, 'azure-subscription').uuid().toUpperCase();
  const services: ServiceRuntime[] = [];
  for (let i = 0; i < count; i++) {
    const t = SERVICE_TEMPLATES[i] as (typeof SERVICE_TEMPLATES)[number];
    services.push({
      index: i,
      name: t.name,
      host: `${t.name}.azure-api.net`,
      resourceId: `/SUBSCRIPTIONS/${subscription}/RESOURCEGROUPS/${t.resourceGroup}/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/${t.name.toUpperCase()}`,
      location: t.location,
      deploymentVersion: t.deploymentVersion,
      apis: [],
    });
  }
  const serviceOfApi = new Map<string, ServiceRuntime>();
  APIS.forEach((apiSpec, i) => {
    const service = services[i % count] as ServiceRuntime;
    service.apis.push(apiSpec);
    serviceOfApi.set(apiSpec.apiId, service);
  });
  return { services, serviceOfApi };
}

function operationTable(persona: Persona): { table: WeightedTable<OperationSpec>; total: number } {
  const entries: Array<readonly [OperationSpec, number]> = [];
  let total = 0;
  for (const [key, weight] of Object.entries(persona.operations)) {
    const [apiId, operationId] = key.split('/') as [string, string];
    const op = APIS.find((a) => a.apiId === apiId)?.operations.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`persona ${persona.id} names unknown operation ${key}`);
    entries.push([op, weight]);
    total += weight;
  }
  return { table: new WeightedTable(entries), total };
}

export function buildModel(options: ModelOptions): Model {
  const { services, serviceOfApi } = buildServices(options.seed, options.services);
  const rng = Rng.fromKey(options.seed, 'population');
  const usedIps = new Set<string>(options.reservedIps);
  const clients: Client[] = [];
  const personas: PersonaRuntime[] = [];

  // Access networks: a few big ISPs carry many clients, many small ones carry few.
  const networkCount = Math.max(40, Math.round(options.clients / 20));
  const v4Networks = new WeightedTable(
    Array.from({ length: networkCount }, (_, i) => [randomNetwork(rng, false), 1 / (i + 2)] as const),
  );
  const v6Networks = new WeightedTable(
    Array.from({ length: Math.max(12, Math.round(networkCount / 3)) }, (_, i) => [randomNetwork(rng, true), 1 / (i + 2)] as const),
  );

  const spreadShare = PERSONAS.reduce((sum, persona) => sum + persona.clientShare, 0);
  for (const persona of PERSONAS) {
    const count =
      persona.id === 'partner' ? PARTNER_CLIENTS : Math.max(10, Math.round(((options.clients - PARTNER_CLIENTS) * persona.clientShare) / spreadShare));
    const members: Array<readonly [Client, number]> = [];
    for (let rank = 0; rank < count; rank++) {
      const v6 = rng.chance(persona.ipv6Share);
      let ip = '';
      do {
        ip = addressIn(rng, (v6 ? v6Networks : v4Networks).pick(rng));
      } while (usedIps.has(ip));
      usedIps.add(ip);
      // Zipf-like activity: a handful of heavy users, a long tail.
      const weight = 1 / Math.pow(rank + 3, 1.1);
      const behindProxy = persona.id === 'webDesktop' && options.proxyShare > 0 && options.proxyIps.length > 0 && rng.chance(options.proxyShare);
      const callerIp = behindProxy ? rng.pick(options.proxyIps) : ip;
      const client: Client = {
        index: clients.length,
        persona: persona.id,
        ip,
        callerIp,
        ...(behindProxy ? { forwardedFor: ip } : {}),
        userAgent: rng.pick(persona.userAgents),
        subscriptionId: persona.id === 'partner' ? (persona.subscriptions[rank % persona.subscriptions.length] as string) : rng.pick(persona.subscriptions),
        tlsVersion: persona.id === 'device' ? '1.2' : rng.chance(0.7) ? '1.3' : '1.2',
        protocol: persona.id === 'webDesktop' || persona.id === 'webMobile' ? (rng.chance(0.8) ? 'HTTP/2' : 'HTTP/1.1') : 'HTTP/1.1',
        headerBytes: Math.round(rng.lognormal(persona.id === 'webDesktop' ? 620 : persona.id === 'device' ? 180 : 420, 0.25)),
        weight,
      };
      clients.push(client);
      members.push([client, weight]);
    }
    const ops = operationTable(persona);
    personas.push({ persona, clients: new WeightedTable(members), operations: ops.table, operationWeightTotal: ops.total });
  }
  return {
    seed: options.seed,
    services,
    serviceOfApi,
    clients,
    personas,
    requestsPerDay: options.requestsPerDay,
    usedIps,
    reservedIps: options.reservedIps,
    logHeaders: options.logHeaders,
  };
}

export function personaRuntime(model: Model, id: PersonaId): PersonaRuntime {
  const found = model.personas.find((p) => p.persona.id === id);
  if (!found) throw new Error(`unknown persona ${id}`);
  return found;
}

/** Share of a persona's requests that go to an operation. */
export function operationShare(runtime: PersonaRuntime, apiId: string, operationId: string): number {
  return (runtime.persona.operations[`${apiId}/${operationId}`] ?? 0) / runtime.operationWeightTotal;
}

/** Probability that an operation answers with a status. */
export function statusShare(op: OperationSpec, status: number): number {
  const total = op.statuses.reduce((sum, [, w]) => sum + w, 0);
  return (op.statuses.find(([code]) => code === status)?.[1] ?? 0) / total;
}
