import { mad, median, quantile } from '../sketch/robust';
import type { WindowFeatures } from '../windowFeatures';
import { WINDOW_MS } from '../windows';

/**
 * Summary of a key's per-window counts: how many windows, how many of them active (non-zero),
 * and robust statistics of the values. Quantiles use linear interpolation.
 */
export interface CountSummary {
  windows: number;
  active: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Median absolute deviation (unscaled). */
  mad: number;
}

/** Traffic of one (endpoint, status) over all clients: overall and per time-of-week slot, empty windows included. */
export interface EndpointTrafficBaseline {
  firstWindow: number;
  overall: CountSummary;
  /** Per slot (hour of day, UTC, and weekday/weekend): daily and weekly rhythm. */
  bySlot: Record<string, CountSummary>;
}

/** Everything the window traffic detectors compare against, learned from a span of windows. */
export interface TrafficBaselines {
  /** Span learned from: [from, to), epoch ms. */
  from: number;
  to: number;
  /** key `endpointKey\tstatus` */
  endpoints: Map<string, EndpointTrafficBaseline>;
  /** key `ip\tendpointKey\tstatus`: the IP's active windows only. */
  ips: Map<string, CountSummary>;
  /** Distinct endpoints per (IP, window), over every active pair: the population of clients. */
  sprayPopulation: CountSummary;
  /** Distinct endpoints per window, per IP (active windows only). */
  sprayByIp: Map<string, CountSummary>;
  /** Distinct unknown paths per (IP, window) over every pair that requested any. */
  unknownPopulation: CountSummary;
}

/** The time-of-week slot of a window: hour of day (UTC) and whether it is a weekend. */
export function slotOf(windowStart: number): string {
  const date = new Date(windowStart);
  const day = date.getUTCDay();
  return `${date.getUTCHours()}${day === 0 || day === 6 ? 'e' : 'd'}`;
}

/** Summarizes per-window values, in any order. */
export function summarize(values: readonly number[]): CountSummary {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { windows: 0, active: 0, p50: 0, p95: 0, p99: 0, max: 0, mad: 0 };
  const p50 = median(sorted);
  return {
    windows: sorted.length,
    active: values.filter((v) => v > 0).length,
    p50,
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
    mad: mad(sorted, { center: p50 }),
  };
}

/**
 * Learns traffic baselines from window features fed in any order (each window once). Empty
 * windows are implied: an endpoint's windows since it was first seen, without traffic, count 0.
 */
export class TrafficBaselineBuilder {
  private readonly endpointCounts = new Map<string, Map<number, number>>();
  private readonly ipCounts = new Map<string, number[]>();
  private readonly spray: number[] = [];
  private readonly sprayPerIp = new Map<string, number[]>();
  private readonly unknown: number[] = [];

  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {}

  add(features: WindowFeatures): void {
    if (features.start < this.from || features.start >= this.to) return;
    for (const [key, count] of features.endpointStatus) {
      let byWindow = this.endpointCounts.get(key);
      if (byWindow === undefined) this.endpointCounts.set(key, (byWindow = new Map()));
      byWindow.set(features.start, count);
    }
    for (const [key, count] of features.ipEndpointStatus) push(this.ipCounts, key, count);
    for (const [ip, distinct] of features.distinctEndpointsPerIp) {
      this.spray.push(distinct);
      push(this.sprayPerIp, ip, distinct);
    }
    for (const { distinct } of features.unknownEndpointsPerIp.values()) this.unknown.push(distinct);
  }

  build(): TrafficBaselines {
    const endpoints = new Map<string, EndpointTrafficBaseline>();
    for (const [key, byWindow] of this.endpointCounts) endpoints.set(key, this.endpointBaseline(byWindow));
    return {
      from: this.from,
      to: this.to,
      endpoints,
      ips: mapValues(this.ipCounts, summarize),
      sprayPopulation: summarize(this.spray),
      sprayByIp: mapValues(this.sprayPerIp, summarize),
      unknownPopulation: summarize(this.unknown),
    };
  }

  private endpointBaseline(byWindow: Map<number, number>): EndpointTrafficBaseline {
    const firstWindow = Math.min(...byWindow.keys());
    const slots = new Map<string, number[]>();
    const all: number[] = [];
    for (let start = firstWindow; start < this.to; start += WINDOW_MS) {
      const count = byWindow.get(start) ?? 0;
      all.push(count);
      push(slots, slotOf(start), count);
    }
    return { firstWindow, overall: summarize(all), bySlot: Object.fromEntries([...slots].map(([slot, counts]) => [slot, summarize(counts)])) };
  }
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function mapValues<K, V, W>(map: Map<K, V>, f: (value: V) => W): Map<K, W> {
  const out = new Map<K, W>();
  for (const [key, value] of map) out.set(key, f(value));
  return out;
}

type SummaryTuple = [number, number, number, number, number, number, number];

const toTuple = (s: CountSummary): SummaryTuple => [s.windows, s.active, s.p50, s.p95, s.p99, s.max, s.mad];
const fromTuple = ([windows, active, p50, p95, p99, max, mad]: SummaryTuple): CountSummary => ({ windows, active, p50, p95, p99, max, mad });

interface SerializedTrafficBaselines {
  v: 1;
  from: number;
  to: number;
  endpoints: Array<[string, number, SummaryTuple, Record<string, SummaryTuple>]>;
  ips: Array<[string, SummaryTuple]>;
  sprayPopulation: SummaryTuple;
  sprayByIp: Array<[string, SummaryTuple]>;
  unknownPopulation: SummaryTuple;
}

/** Compact JSON of traffic baselines (summaries as tuples), for storage. */
export function serializeTrafficBaselines(b: TrafficBaselines): string {
  const body: SerializedTrafficBaselines = {
    v: 1,
    from: b.from,
    to: b.to,
    endpoints: [...b.endpoints].map(([key, e]) => [
      key,
      e.firstWindow,
      toTuple(e.overall),
      Object.fromEntries(Object.entries(e.bySlot).map(([slot, s]) => [slot, toTuple(s)])),
    ]),
    ips: [...b.ips].map(([key, s]) => [key, toTuple(s)]),
    sprayPopulation: toTuple(b.sprayPopulation),
    sprayByIp: [...b.sprayByIp].map(([ip, s]) => [ip, toTuple(s)]),
    unknownPopulation: toTuple(b.unknownPopulation),
  };
  return JSON.stringify(body);
}

export function deserializeTrafficBaselines(text: string): TrafficBaselines {
  const body = JSON.parse(text) as SerializedTrafficBaselines;
  if (body.v !== 1) throw new Error(`unknown traffic baseline version ${String(body.v)}`);
  return {
    from: body.from,
    to: body.to,
    endpoints: new Map(
      body.endpoints.map(([key, firstWindow, overall, bySlot]) => [
        key,
        { firstWindow, overall: fromTuple(overall), bySlot: Object.fromEntries(Object.entries(bySlot).map(([slot, t]) => [slot, fromTuple(t)])) },
      ]),
    ),
    ips: new Map(body.ips.map(([key, t]) => [key, fromTuple(t)])),
    sprayPopulation: fromTuple(body.sprayPopulation),
    sprayByIp: new Map(body.sprayByIp.map(([ip, t]) => [ip, fromTuple(t)])),
    unknownPopulation: fromTuple(body.unknownPopulation),
  };
}
