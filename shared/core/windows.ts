import { makeEndpoint, type Endpoint, type RequestEvent } from './requestEvent';

/** Detection windows are 20 minutes of event time, aligned to the epoch (…:00, :20, :40 UTC). */
export const WINDOW_MS = 20 * 60 * 1000;

/** Start (epoch ms) of the window an event time falls in. */
export function windowStart(time: number): number {
  return Math.floor(time / WINDOW_MS) * WINDOW_MS;
}

/** One counted key of a window: requests from a client IP to an endpoint answered with a status. */
export interface TrafficCount {
  clientIp: string;
  endpointKey: string;
  status: number;
  count: number;
}

/** Serialized form: endpoints are listed once and referred to by index, to keep entities small. */
interface SerializedAggregate {
  v: 1;
  events: number;
  minTime: number;
  maxTime: number;
  endpoints: Array<Omit<Endpoint, 'key'>>;
  /** [clientIp, endpoint index, status, count] */
  counts: Array<[string, number, number, number]>;
}

const SEPARATOR = '\t';

/**
 * A mergeable partial aggregate of one window's traffic: request counts per
 * (client IP, endpoint, status). Partials built from different Event Hub partitions or batches
 * merge by adding counts, so the merged result does not depend on how events were spread.
 */
export class WindowAggregate {
  private readonly counts = new Map<string, number>();
  private readonly endpoints = new Map<string, Endpoint>();
  events = 0;
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;

  add(event: RequestEvent): void {
    const key = event.clientIp + SEPARATOR + event.endpoint.key + SEPARATOR + event.status;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (!this.endpoints.has(event.endpoint.key)) this.endpoints.set(event.endpoint.key, event.endpoint);
    this.events += 1;
    if (event.time < this.minTime) this.minTime = event.time;
    if (event.time > this.maxTime) this.maxTime = event.time;
  }

  merge(other: WindowAggregate): void {
    for (const [key, count] of other.counts) this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    for (const [key, endpoint] of other.endpoints) if (!this.endpoints.has(key)) this.endpoints.set(key, endpoint);
    this.events += other.events;
    this.minTime = Math.min(this.minTime, other.minTime);
    this.maxTime = Math.max(this.maxTime, other.maxTime);
  }

  /** Number of distinct counted keys; drives the size of the serialized form. */
  get keyCount(): number {
    return this.counts.size;
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

  serialize(): string {
    const index = new Map<string, number>();
    const endpoints: SerializedAggregate['endpoints'] = [];
    for (const [key, { service, apiId, operationId, pathTemplate }] of this.endpoints) {
      index.set(key, endpoints.length);
      endpoints.push({ service, apiId, operationId, pathTemplate });
    }
    const counts: SerializedAggregate['counts'] = [];
    for (const t of this.traffic()) counts.push([t.clientIp, index.get(t.endpointKey) ?? -1, t.status, t.count]);
    const body: SerializedAggregate = { v: 1, events: this.events, minTime: this.minTime, maxTime: this.maxTime, endpoints, counts };
    return JSON.stringify(body);
  }

  /** Inverse of serialize(); throws on text that serialize() did not write. */
  static deserialize(text: string): WindowAggregate {
    const body = JSON.parse(text) as SerializedAggregate;
    if (body.v !== 1) throw new Error(`unknown window aggregate version ${String(body.v)}`);
    const aggregate = new WindowAggregate();
    const endpoints = body.endpoints.map((parts) => makeEndpoint(parts));
    for (const endpoint of endpoints) aggregate.endpoints.set(endpoint.key, endpoint);
    for (const [clientIp, endpointIndex, status, count] of body.counts) {
      const endpoint = endpoints[endpointIndex];
      if (endpoint === undefined) throw new Error(`window aggregate refers to endpoint ${endpointIndex}`);
      aggregate.counts.set(clientIp + SEPARATOR + endpoint.key + SEPARATOR + status, count);
    }
    aggregate.events = body.events;
    aggregate.minTime = body.minTime;
    aggregate.maxTime = body.maxTime;
    return aggregate;
  }
}
