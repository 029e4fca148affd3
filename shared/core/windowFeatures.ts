import type { Endpoint } from './requestEvent';
import { WINDOW_MS, type WindowAggregate } from './windows';

/** Per-window observations the traffic detectors and baselines work on, derived from a merged aggregate. */
export interface WindowFeatures {
  start: number;
  end: number;
  /** Requests per (endpoint, status), all clients: key `endpointKey\tstatus`. */
  endpointStatus: Map<string, number>;
  /** Requests per (client IP, endpoint, status): key `ip\tendpointKey\tstatus`. */
  ipEndpointStatus: Map<string, number>;
  /** Distinct endpoints each client IP requested. */
  distinctEndpointsPerIp: Map<string, number>;
  /** Per client IP: requests to endpoints no APIM operation serves, and how many distinct such paths. */
  unknownEndpointsPerIp: Map<string, { requests: number; distinct: number }>;
  /** Every endpoint seen in the window, by key. */
  endpoints: Map<string, Endpoint>;
}

const SEPARATOR = '\t';

function trafficKey(...parts: Array<string | number>): string {
  return parts.join(SEPARATOR);
}

export function splitTrafficKey(key: string): string[] {
  return key.split(SEPARATOR);
}

/**
 * Derives the traffic features of one window from its merged aggregate (every partition).
 * @example windowFeatures(merged, windowStart(event.time)).distinctEndpointsPerIp.get('203.0.113.7')
 */
export function windowFeatures(aggregate: WindowAggregate, start: number): WindowFeatures {
  const features: WindowFeatures = {
    start,
    end: start + WINDOW_MS,
    endpointStatus: new Map(),
    ipEndpointStatus: new Map(),
    distinctEndpointsPerIp: new Map(),
    unknownEndpointsPerIp: new Map(),
    endpoints: new Map(),
  };
  const endpointsPerIp = new Map<string, Set<string>>();
  for (const { clientIp, endpointKey, status, count } of aggregate.traffic()) {
    features.ipEndpointStatus.set(trafficKey(clientIp, endpointKey, status), count);
    const endpointStatusKey = trafficKey(endpointKey, status);
    features.endpointStatus.set(endpointStatusKey, (features.endpointStatus.get(endpointStatusKey) ?? 0) + count);
    let seen = endpointsPerIp.get(clientIp);
    if (seen === undefined) endpointsPerIp.set(clientIp, (seen = new Set()));
    const firstTime = !seen.has(endpointKey);
    seen.add(endpointKey);
    const endpoint = aggregate.endpoint(endpointKey);
    if (endpoint === undefined) continue;
    features.endpoints.set(endpointKey, endpoint);
    if (endpoint.operationId === '') {
      const unknown = features.unknownEndpointsPerIp.get(clientIp) ?? { requests: 0, distinct: 0 };
      unknown.requests += count;
      if (firstTime) unknown.distinct += 1;
      features.unknownEndpointsPerIp.set(clientIp, unknown);
    }
  }
  for (const [ip, seen] of endpointsPerIp) features.distinctEndpointsPerIp.set(ip, seen.size);
  return features;
}
