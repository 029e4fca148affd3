import type { CountSummary, TrafficBaselines } from '../baselines/trafficBaseline';
import { slotOf } from '../baselines/trafficBaseline';
import type { Endpoint } from '../requestEvent';
import { splitTrafficKey, type WindowFeatures } from '../windowFeatures';
import type { Finding } from './finding';
import type { DetectionSettings } from './settings';

/** MAD → standard deviation of a normal distribution. */
const MAD_SCALE = 1.4826;
/** Slots with fewer windows than this fall back to the endpoint's overall distribution. */
const MIN_SLOT_WINDOWS = 6;

/**
 * The count above which a window is a spike for a key: the largest of the key's high quantile
 * times the spike factor, its median plus the MAD multiplier in scaled MADs, and the floor.
 */
export function spikeThreshold(summary: CountSummary, settings: DetectionSettings, floor: number): number {
  return Math.max(summary.p99 * settings.spikeFactor, summary.p50 + settings.spikeMadMultiplier * MAD_SCALE * summary.mad, floor);
}

function baselineOf(summary: CountSummary): Record<string, number> {
  return { windows: summary.windows, activeWindows: summary.active, p50: summary.p50, p95: summary.p95, p99: summary.p99, max: summary.max, mad: summary.mad };
}

function windowFinding(features: WindowFeatures, fields: Omit<Finding, 'time' | 'endTime'>): Finding {
  return { time: features.start, endTime: features.end, ...fields };
}

/**
 * API_SpikeInAPITraffic: one client sent an endpoint many more requests (with one status) in a
 * window than its own history for that key allows. Silent for keys with too little history.
 * @example detectTrafficSpikes(windowFeatures(merged, start), baselines, DEFAULT_DETECTION_SETTINGS)
 */
export function detectTrafficSpikes(features: WindowFeatures, baselines: TrafficBaselines, settings: DetectionSettings): Finding[] {
  const findings: Finding[] = [];
  for (const [key, count] of features.ipEndpointStatus) {
    const summary = baselines.ips.get(key);
    if (summary === undefined || summary.active < settings.minIpActiveWindows) continue;
    const threshold = spikeThreshold(summary, settings, settings.ipSpikeFloor);
    if (count <= threshold) continue;
    const [clientIp = '', endpointKey = '', status = '0'] = splitTrafficKey(key);
    findings.push(
      windowFinding(features, {
        alertType: 'API_SpikeInAPITraffic',
        entities: { clientIp, endpoint: endpointOf(features, endpointKey), status: Number(status) },
        observed: count,
        baseline: baselineOf(summary),
        score: count / threshold,
        evidence: { threshold, requests: count, status: Number(status) },
      }),
    );
  }
  return findings;
}

/**
 * API_PopulationSpikeInAPITraffic: all clients together sent an endpoint many more requests (with
 * one status) than the endpoint's history at this time of day and week allows.
 */
export function detectPopulationSpikes(features: WindowFeatures, baselines: TrafficBaselines, settings: DetectionSettings): Finding[] {
  const findings: Finding[] = [];
  const slot = slotOf(features.start);
  for (const [key, count] of features.endpointStatus) {
    const baseline = baselines.endpoints.get(key);
    if (baseline === undefined || baseline.overall.windows < settings.minEndpointWindows) continue;
    const slotSummary = baseline.bySlot[slot];
    const summary = slotSummary !== undefined && slotSummary.windows >= MIN_SLOT_WINDOWS ? slotSummary : baseline.overall;
    const threshold = spikeThreshold(summary, settings, settings.populationSpikeFloor);
    if (count <= threshold) continue;
    const [endpointKey = '', status = '0'] = splitTrafficKey(key);
    const clients = [...features.ipEndpointStatus.keys()].filter((k) => k.endsWith(`\t${endpointKey}\t${status}`)).length;
    findings.push(
      windowFinding(features, {
        alertType: 'API_PopulationSpikeInAPITraffic',
        entities: { endpoint: endpointOf(features, endpointKey), status: Number(status) },
        observed: count,
        baseline: { ...baselineOf(summary), slot: summary === slotSummary ? slot : 'overall' },
        score: count / threshold,
        evidence: { threshold, requests: count, clients, status: Number(status) },
      }),
    );
  }
  return findings;
}

/**
 * API_SprayInRequests: one client requested many more distinct endpoints in a window than
 * clients do (the population), and than it itself does when it has a history.
 */
export function detectSpray(features: WindowFeatures, baselines: TrafficBaselines, settings: DetectionSettings): Finding[] {
  const findings: Finding[] = [];
  const population = spikeThreshold(baselines.sprayPopulation, settings, settings.sprayFloor);
  for (const [clientIp, distinct] of features.distinctEndpointsPerIp) {
    const own = baselines.sprayByIp.get(clientIp);
    const threshold = own !== undefined && own.active >= settings.minIpActiveWindows ? Math.max(population, own.max * 2) : population;
    if (distinct <= threshold) continue;
    findings.push(
      windowFinding(features, {
        alertType: 'API_SprayInRequests',
        entities: { clientIp },
        observed: distinct,
        baseline: baselineOf(own ?? baselines.sprayPopulation),
        score: distinct / threshold,
        evidence: { threshold, distinctEndpoints: distinct, baselineOf: own === undefined ? 'population' : 'client' },
      }),
    );
  }
  return findings;
}

/**
 * API_AccessToUnknownEndpoints (our own, Low): one client requested many distinct paths that no
 * APIM operation serves in a window, far more than clients usually do: probing for hidden
 * resources.
 */
export function detectUnknownEndpoints(features: WindowFeatures, baselines: TrafficBaselines, settings: DetectionSettings): Finding[] {
  const findings: Finding[] = [];
  const threshold = spikeThreshold(baselines.unknownPopulation, settings, settings.unknownEndpointsFloor);
  for (const [clientIp, { requests, distinct }] of features.unknownEndpointsPerIp) {
    if (distinct <= threshold) continue;
    findings.push(
      windowFinding(features, {
        alertType: 'API_AccessToUnknownEndpoints',
        entities: { clientIp },
        observed: distinct,
        baseline: baselineOf(baselines.unknownPopulation),
        score: distinct / threshold,
        evidence: { threshold, distinctUnknownPaths: distinct, requests },
      }),
    );
  }
  return findings;
}

function endpointOf(features: WindowFeatures, key: string): Endpoint | undefined {
  return features.endpoints.get(key);
}
