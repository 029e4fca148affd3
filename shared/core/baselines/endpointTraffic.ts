import { splitTrafficKey, type WindowFeatures } from '../windowFeatures';

/** The span endpoint traffic is totalled over, as Defender judges endpoints unused after 30 days. */
export const ENDPOINT_TRAFFIC_DAYS = 30;

/** Requests per endpoint over a span of event time, as the daily baseline run totals them. */
export interface EndpointTraffic {
  /** Span of the windows counted: [from, to), epoch ms. */
  from: number;
  to: number;
  /** Endpoint key → requests (every status, every client). */
  requests: Map<string, number>;
}

/** Totals the requests of each endpoint over the windows of [from, to) it is fed (any order, each window once). */
export class EndpointTrafficBuilder {
  private readonly requests = new Map<string, number>();

  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {}

  add(features: WindowFeatures): void {
    if (features.start < this.from || features.start >= this.to) return;
    for (const [key, count] of features.endpointStatus) {
      const [endpointKey = ''] = splitTrafficKey(key);
      this.requests.set(endpointKey, (this.requests.get(endpointKey) ?? 0) + count);
    }
  }

  build(): EndpointTraffic {
    return { from: this.from, to: this.to, requests: this.requests };
  }
}

/** Compact JSON of the totals, for the baseline store. */
export function serializeEndpointTraffic(traffic: EndpointTraffic): string {
  return JSON.stringify({ v: 1, from: traffic.from, to: traffic.to, requests: [...traffic.requests] });
}

/** Inverse of serializeEndpointTraffic; throws on another format version. */
export function deserializeEndpointTraffic(text: string): EndpointTraffic {
  const body = JSON.parse(text) as { v: number; from: number; to: number; requests: Array<[string, number]> };
  if (body.v !== 1) throw new Error(`unknown endpoint traffic version ${String(body.v)}`);
  return { from: body.from, to: body.to, requests: new Map(body.requests) };
}
