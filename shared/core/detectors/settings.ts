/**
 * Every detection threshold, by name, with its default. config.ts maps app settings onto these;
 * tests and the CLI pass their own. Counts are per 20-minute window.
 */
export interface DetectionSettings {
  /** Days of window history baselines are learned from. */
  baselineDays: number;
  /** A per-IP traffic baseline needs the IP to have been active in this many windows of the key. */
  minIpActiveWindows: number;
  /** A per-endpoint traffic baseline needs this many windows since the endpoint was first seen. */
  minEndpointWindows: number;
  /** Spike thresholds: observed must exceed the baseline's high quantile times this factor … */
  spikeFactor: number;
  /** … and its median plus this many (scaled) MADs … */
  spikeMadMultiplier: number;
  /** … and this many requests (per IP) … */
  ipSpikeFloor: number;
  /** … or, for the population of all clients of an endpoint, this many. */
  populationSpikeFloor: number;
  /** Spray: distinct endpoints per window above the population's high quantile times the factor, and at least this many. */
  sprayFloor: number;
  /** Unknown endpoints: at least this many distinct paths that no operation serves, from one client, in one window. */
  unknownEndpointsFloor: number;
  /** Payload and latency spikes need this many requests of the (endpoint, status) in the baseline. */
  minSizeSamples: number;
  /** A client with this many requests of an (endpoint, status) is judged by its own size history. */
  minClientSizeSamples: number;
  /** A payload or latency spike exceeds the baseline's 99.9th percentile times this … */
  sizeFactor: number;
  /** … and is at least this large: request body bytes, … */
  requestPayloadFloor: number;
  /** … response bytes, … */
  responsePayloadFloor: number;
  /** … or milliseconds of latency. */
  latencyFloorMs: number;
  /** Unseen parameters are judged on endpoints with at least this many requests in the baseline. */
  minEndpointRequestsForParams: number;
  /** Unseen value types are judged on parameters seen in at least this many requests. */
  minParamRequestsForTypes: number;
  /** Enumeration: distinct values of a parameter above the baseline's 99.9th percentile times this … */
  enumerationFactor: number;
  /** … and at least this many from one client in a window, … */
  enumerationFloor: number;
  /** … or this many from all clients together (distributed). */
  distributedEnumerationFloor: number;
  /** Distributed enumeration needs at least this many clients sending values in the window. */
  distributedEnumerationMinClients: number;
}

export const DEFAULT_DETECTION_SETTINGS: Readonly<DetectionSettings> = Object.freeze({
  baselineDays: 30,
  minIpActiveWindows: 6,
  minEndpointWindows: 72,
  spikeFactor: 3,
  spikeMadMultiplier: 8,
  ipSpikeFloor: 30,
  populationSpikeFloor: 100,
  sprayFloor: 12,
  unknownEndpointsFloor: 6,
  minSizeSamples: 100,
  minClientSizeSamples: 50,
  sizeFactor: 4,
  requestPayloadFloor: 65_536,
  responsePayloadFloor: 1_048_576,
  latencyFloorMs: 5_000,
  minEndpointRequestsForParams: 500,
  minParamRequestsForTypes: 100,
  enumerationFactor: 3,
  enumerationFloor: 25,
  distributedEnumerationFloor: 60,
  distributedEnumerationMinClients: 5,
});
