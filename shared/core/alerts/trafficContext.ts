/**
 * Resource context for an alert's details: the traffic of its client on its endpoint, window by
 * window, around the alert, next to the endpoint's traffic from everyone — what an analyst looks
 * at to judge the alert (and the dashboard charts). Pure: the caller reads the windows.
 */
import type { WindowAggregate } from '../windows';
import { WINDOW_MS, windowStart } from '../windows';
import type { Alert } from './alert';

/** Windows shown before the alert's first window, for contrast with normal traffic. */
export const WINDOWS_BEFORE = 6;
/** Most windows shown (8 hours); a long-running alert shows its latest ones. */
export const MAX_WINDOWS = 24;

export interface TrafficFocus {
  clientIp?: string;
  endpointKey?: string;
}

export interface TrafficPoint {
  /** ISO 8601 start of the window (windows are 20 minutes). */
  windowStart: string;
  /** Requests matching the focus (the client on the endpoint, or whichever of the two the alert names). */
  requests: number;
  /** The same requests by HTTP status. */
  byStatus: Record<string, number>;
  /** When the alert names both a client and an endpoint: the endpoint's requests from every client, and how many clients. */
  endpointRequests?: number;
  endpointClients?: number;
}

/** Which entities the alert's traffic is about; undefined when it names neither client nor endpoint. */
export function trafficFocus(alert: Alert): TrafficFocus | undefined {
  const focus: TrafficFocus = {};
  if (alert.keyEntities.clientIp !== undefined) focus.clientIp = alert.keyEntities.clientIp;
  if (alert.keyEntities.endpoint !== undefined) focus.endpointKey = alert.keyEntities.endpoint.key;
  return Object.keys(focus).length === 0 ? undefined : focus;
}

/** Starts of the windows to show for an alert: a few before its start through its end, at most {@link MAX_WINDOWS}. */
export function contextWindows(alert: Pick<Alert, 'startTimeUtc' | 'endTimeUtc'>): number[] {
  const last = windowStart(Math.max(Date.parse(alert.endTimeUtc) - 1, Date.parse(alert.startTimeUtc)));
  const first = Math.max(windowStart(Date.parse(alert.startTimeUtc)) - WINDOWS_BEFORE * WINDOW_MS, last - (MAX_WINDOWS - 1) * WINDOW_MS);
  const starts: number[] = [];
  for (let start = first; start <= last; start += WINDOW_MS) starts.push(start);
  return starts;
}

/** One window's traffic for the focus. */
export function trafficPoint(start: number, aggregate: WindowAggregate, focus: TrafficFocus): TrafficPoint {
  const point: TrafficPoint = { windowStart: new Date(start).toISOString(), requests: 0, byStatus: {} };
  const both = focus.clientIp !== undefined && focus.endpointKey !== undefined;
  const clients = new Set<string>();
  let endpointRequests = 0;
  for (const { clientIp, endpointKey, status, count } of aggregate.traffic()) {
    const onEndpoint = focus.endpointKey === undefined || endpointKey === focus.endpointKey;
    if (both && onEndpoint) {
      endpointRequests += count;
      clients.add(clientIp);
    }
    if (!onEndpoint || (focus.clientIp !== undefined && clientIp !== focus.clientIp)) continue;
    point.requests += count;
    point.byStatus[String(status)] = (point.byStatus[String(status)] ?? 0) + count;
  }
  if (both) {
    point.endpointRequests = endpointRequests;
    point.endpointClients = clients.size;
  }
  return point;
}
