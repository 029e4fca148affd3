import { charClassMask } from './paramChars';
import { classifyValue, type ParamType } from './paramTypes';
import { makeEndpoint, type Endpoint, type RequestEvent } from './requestEvent';
import { DistinctCounter } from './sketch/distinctCounter';
import { QuantileSketch } from './sketch/quantileSketch';

/** Detection windows are 20 minutes of event time, aligned to the epoch (…:00, :20, :40 UTC). */
export const WINDOW_MS = 20 * 60 * 1000;

/** Start (epoch ms) of the window an event time falls in. */
export function windowStart(time: number): number {
  return Math.floor(time / WINDOW_MS) * WINDOW_MS;
}

/** Relative accuracy of the size and latency sketches: 5 % keeps window deltas small. */
export const SIZE_SKETCH_ACCURACY = 0.05;
/** Distinct values of a parameter are exact up to this many per window (all clients)… */
export const PARAM_VALUES_CAPACITY = 256;
/** …and per client. Enumeration thresholds sit far below both. */
export const CLIENT_PARAM_VALUES_CAPACITY = 64;

/** One counted key of a window: requests from a client IP to an endpoint answered with a status. */
export interface TrafficCount {
  clientIp: string;
  endpointKey: string;
  status: number;
  count: number;
}

/** Request size, response size and latency of one (endpoint, status) in a window. */
export interface SizeSketches {
  request: QuantileSketch;
  response: QuantileSketch;
  latency: QuantileSketch;
}

/** One parameter of one endpoint in a window, over all clients. */
export interface ParamStats {
  requests: number;
  values: DistinctCounter;
  types: Map<ParamType, number>;
  /** Union of the values' character classes (shared/core/paramChars.ts). */
  chars: number;
}

interface SerializedAggregate {
  v: 2;
  events: number;
  minTime: number;
  maxTime: number;
  endpoints: Array<Omit<Endpoint, 'key'>>;
  names: string[];
  /** [clientIp, endpoint index, status, count] */
  counts: Array<[string, number, number, number]>;
  /** [endpoint index, status, request, response, latency] */
  sizes: Array<[number, number, string, string, string]>;
  /** [clientIp, endpoint index, status, request, response, latency] */
  clientSizes: Array<[string, number, number, string, string, string]>;
  /** [endpoint index, name index, requests, distinct values, { type: count }, character classes] */
  params: Array<[number, number, number, string, Record<string, number>, number]>;
  /** [clientIp, endpoint index, name index, distinct values] */
  clientParams: Array<[string, number, number, string]>;
}

const SEPARATOR = '\t';

/**
 * A mergeable partial aggregate of one window's traffic: request counts per (client IP,
 * endpoint, status); size and latency sketches per (endpoint, status) and per (client IP,
 * endpoint, status); per (endpoint,
 * parameter) the distinct values, value types and requests; per (client, endpoint, parameter)
 * the distinct values. Partials from different partitions or batches merge by adding counts and
 * merging sketches, so the result does not depend on how events were spread.
 */
export class WindowAggregate {
  private readonly counts = new Map<string, number>();
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly sizes = new Map<string, SizeSketches>();
  private readonly clientSizes = new Map<string, SizeSketches>();
  private readonly params = new Map<string, ParamStats>();
  private readonly clientParams = new Map<string, DistinctCounter>();
  events = 0;
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;

  add(event: RequestEvent): void {
    const endpointKey = event.endpoint.key;
    const countKey = event.clientIp + SEPARATOR + endpointKey + SEPARATOR + event.status;
    this.counts.set(countKey, (this.counts.get(countKey) ?? 0) + 1);
    if (!this.endpoints.has(endpointKey)) this.endpoints.set(endpointKey, event.endpoint);
    addSizes(sketchesFor(this.sizes, endpointKey + SEPARATOR + event.status), event);
    addSizes(sketchesFor(this.clientSizes, countKey), event);
    for (const param of event.params) {
      const paramKey = endpointKey + SEPARATOR + param.name;
      const stats = this.paramFor(paramKey);
      stats.requests += 1;
      stats.values.add(param.value);
      const type = classifyValue(param.value);
      stats.types.set(type, (stats.types.get(type) ?? 0) + 1);
      stats.chars = (stats.chars | charClassMask(param.value)) >>> 0;
      this.clientParamFor(event.clientIp + SEPARATOR + paramKey).add(param.value);
    }
    this.events += 1;
    if (event.time < this.minTime) this.minTime = event.time;
    if (event.time > this.maxTime) this.maxTime = event.time;
  }

  merge(other: WindowAggregate): void {
    for (const [key, count] of other.counts) this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    for (const [key, endpoint] of other.endpoints) if (!this.endpoints.has(key)) this.endpoints.set(key, endpoint);
    for (const [key, sizes] of other.sizes) mergeSizes(sketchesFor(this.sizes, key), sizes);
    for (const [key, sizes] of other.clientSizes) mergeSizes(sketchesFor(this.clientSizes, key), sizes);
    for (const [key, stats] of other.params) {
      const mine = this.paramFor(key);
      mine.requests += stats.requests;
      mine.values.merge(stats.values);
      for (const [type, n] of stats.types) mine.types.set(type, (mine.types.get(type) ?? 0) + n);
      mine.chars = (mine.chars | stats.chars) >>> 0;
    }
    for (const [key, counter] of other.clientParams) this.clientParamFor(key).merge(counter);
    this.events += other.events;
    this.minTime = Math.min(this.minTime, other.minTime);
    this.maxTime = Math.max(this.maxTime, other.maxTime);
  }

  endpoint(key: string): Endpoint | undefined {
    return this.endpoints.get(key);
  }

  *traffic(): Iterable<TrafficCount> {
    for (const [key, count] of this.counts) {
      const [clientIp = '', endpointKey = '', status = '0'] = key.split(SEPARATOR);
      yield { clientIp, endpointKey, status: Number(status), count };
    }
  }

  /** Size and latency sketches per (endpoint, status). */
  *sizeSketches(): Iterable<{ endpointKey: string; status: number; sketches: SizeSketches }> {
    for (const [key, sketches] of this.sizes) {
      const [endpointKey = '', status = '0'] = key.split(SEPARATOR);
      yield { endpointKey, status: Number(status), sketches };
    }
  }

  /** Size and latency sketches per (client IP, endpoint, status). */
  *clientSizeSketches(): Iterable<{ clientIp: string; endpointKey: string; status: number; sketches: SizeSketches }> {
    for (const [key, sketches] of this.clientSizes) {
      const [clientIp = '', endpointKey = '', status = '0'] = key.split(SEPARATOR);
      yield { clientIp, endpointKey, status: Number(status), sketches };
    }
  }

  /** Parameter statistics per (endpoint, parameter name), all clients. */
  *parameters(): Iterable<{ endpointKey: string; name: string; stats: ParamStats }> {
    for (const [key, stats] of this.params) {
      const [endpointKey = '', name = ''] = key.split(SEPARATOR);
      yield { endpointKey, name, stats };
    }
  }

  /** Distinct values per (client IP, endpoint, parameter name). */
  *clientParameters(): Iterable<{ clientIp: string; endpointKey: string; name: string; values: DistinctCounter }> {
    for (const [key, values] of this.clientParams) {
      const [clientIp = '', endpointKey = '', name = ''] = key.split(SEPARATOR);
      yield { clientIp, endpointKey, name, values };
    }
  }

  serialize(): string {
    const endpointIndex = new Map<string, number>();
    const endpoints: SerializedAggregate['endpoints'] = [];
    for (const [key, { service, apiId, operationId, pathTemplate }] of this.endpoints) {
      endpointIndex.set(key, endpoints.length);
      endpoints.push({ service, apiId, operationId, pathTemplate });
    }
    const names: string[] = [];
    const nameIndex = new Map<string, number>();
    const indexOfName = (name: string) => {
      let index = nameIndex.get(name);
      if (index === undefined) {
        index = names.length;
        names.push(name);
        nameIndex.set(name, index);
      }
      return index;
    };
    const e = (key: string) => endpointIndex.get(key) ?? -1;
    const body: SerializedAggregate = {
      v: 2,
      events: this.events,
      minTime: this.minTime,
      maxTime: this.maxTime,
      endpoints,
      names,
      counts: [...this.traffic()].map((t) => [t.clientIp, e(t.endpointKey), t.status, t.count]),
      sizes: [...this.sizeSketches()].map(({ endpointKey, status, sketches }) => [
        e(endpointKey),
        status,
        sketches.request.serialize(),
        sketches.response.serialize(),
        sketches.latency.serialize(),
      ]),
      clientSizes: [...this.clientSizeSketches()].map(({ clientIp, endpointKey, status, sketches }) => [
        clientIp,
        e(endpointKey),
        status,
        sketches.request.serialize(),
        sketches.response.serialize(),
        sketches.latency.serialize(),
      ]),
      params: [...this.parameters()].map(({ endpointKey, name, stats }) => [
        e(endpointKey),
        indexOfName(name),
        stats.requests,
        stats.values.serialize(),
        Object.fromEntries(stats.types),
        stats.chars,
      ]),
      clientParams: [...this.clientParameters()].map(({ clientIp, endpointKey, name, values }) => [
        clientIp,
        e(endpointKey),
        indexOfName(name),
        values.serialize(),
      ]),
    };
    return JSON.stringify(body);
  }

  /** Inverse of serialize(); throws on text that serialize() did not write. */
  static deserialize(text: string): WindowAggregate {
    const body = JSON.parse(text) as SerializedAggregate;
    if (body.v !== 2) throw new Error(`unknown window aggregate version ${String(body.v)}`);
    const aggregate = new WindowAggregate();
    const endpoints = body.endpoints.map((parts) => makeEndpoint(parts));
    for (const endpoint of endpoints) aggregate.endpoints.set(endpoint.key, endpoint);
    const endpointKey = (index: number): string => {
      const endpoint = endpoints[index];
      if (endpoint === undefined) throw new Error(`window aggregate refers to endpoint ${index}`);
      return endpoint.key;
    };
    const name = (index: number): string => {
      const value = body.names[index];
      if (value === undefined) throw new Error(`window aggregate refers to parameter name ${index}`);
      return value;
    };
    for (const [clientIp, e, status, count] of body.counts) aggregate.counts.set(clientIp + SEPARATOR + endpointKey(e) + SEPARATOR + status, count);
    for (const [e, status, ...sketches] of body.sizes) aggregate.sizes.set(endpointKey(e) + SEPARATOR + status, deserializeSizes(sketches));
    for (const [clientIp, e, status, ...sketches] of body.clientSizes) {
      aggregate.clientSizes.set(clientIp + SEPARATOR + endpointKey(e) + SEPARATOR + status, deserializeSizes(sketches));
    }
    for (const [e, n, requests, values, types, chars] of body.params) {
      aggregate.params.set(endpointKey(e) + SEPARATOR + name(n), {
        requests,
        values: DistinctCounter.deserialize(values),
        types: new Map(Object.entries(types) as Array<[ParamType, number]>),
        chars,
      });
    }
    for (const [clientIp, e, n, values] of body.clientParams) {
      aggregate.clientParams.set(clientIp + SEPARATOR + endpointKey(e) + SEPARATOR + name(n), DistinctCounter.deserialize(values));
    }
    aggregate.events = body.events;
    aggregate.minTime = body.minTime;
    aggregate.maxTime = body.maxTime;
    return aggregate;
  }

  private paramFor(key: string): ParamStats {
    let stats = this.params.get(key);
    if (stats === undefined) {
      stats = { requests: 0, values: DistinctCounter.create({ capacity: PARAM_VALUES_CAPACITY, samples: 5 }), types: new Map(), chars: 0 };
      this.params.set(key, stats);
    }
    return stats;
  }

  private clientParamFor(key: string): DistinctCounter {
    let counter = this.clientParams.get(key);
    if (counter === undefined) {
      counter = DistinctCounter.create({ capacity: CLIENT_PARAM_VALUES_CAPACITY, samples: 3 });
      this.clientParams.set(key, counter);
    }
    return counter;
  }
}

function sketchesFor(map: Map<string, SizeSketches>, key: string): SizeSketches {
  let sketches = map.get(key);
  if (sketches === undefined) {
    sketches = {
      request: QuantileSketch.create(SIZE_SKETCH_ACCURACY),
      response: QuantileSketch.create(SIZE_SKETCH_ACCURACY),
      latency: QuantileSketch.create(SIZE_SKETCH_ACCURACY),
    };
    map.set(key, sketches);
  }
  return sketches;
}

function addSizes(sketches: SizeSketches, event: RequestEvent): void {
  sketches.request.add(event.requestSize);
  sketches.response.add(event.responseSize);
  sketches.latency.add(event.latencyMs);
}

/** Merges `other` into `into` (sketches merge exactly, in any order). */
export function mergeSizes(into: SizeSketches, other: SizeSketches): void {
  into.request.merge(other.request);
  into.response.merge(other.response);
  into.latency.merge(other.latency);
}

function deserializeSizes([request, response, latency]: [string, string, string]): SizeSketches {
  return { request: QuantileSketch.deserialize(request), response: QuantileSketch.deserialize(response), latency: QuantileSketch.deserialize(latency) };
}
