import { ContentBaselineBuilder, serializeContentBaselines } from '../core/baselines/contentBaseline';
import { ENDPOINT_TRAFFIC_DAYS, EndpointTrafficBuilder, serializeEndpointTraffic } from '../core/baselines/endpointTraffic';
import { serializeTrafficBaselines, TrafficBaselineBuilder } from '../core/baselines/trafficBaseline';
import type { DetectionSettings } from '../core/detectors/settings';
import { windowFeatures } from '../core/windowFeatures';
import { WINDOW_MS, windowStart } from '../core/windows';
import type { BaselineStore, PartitionStateStore, WindowStore } from '../ports';
import { CONTENT_BASELINE } from './instantDetectors';

const DAY_MS = 24 * 60 * 60 * 1000;

export const TRAFFIC_BASELINE = 'traffic';
/** Requests per endpoint over the last 30 days, for the endpoints API (small, so reading it is cheap). */
export const ENDPOINT_TRAFFIC = 'endpoint-traffic';

export interface RecomputeSummary {
  /** Null when nothing was ingested yet (then nothing is written). */
  asOf: string | null;
  from: string | null;
  windows: number;
  endpointKeys: number;
  clientKeys: number;
  version: string | null;
}

/**
 * Learns baselines from the stored window history of the `baselineDays` before the event-time
 * watermark (the latest event ingested; the window it falls in is still open and left out) and
 * stores them as the current version, with each endpoint's requests over the last 30 days of
 * that history. `asOf` overrides the watermark (the CLI learns "as of the end of the training
 * logs").
 */
export async function recomputeBaselines(
  stores: { windows: WindowStore; partitions: PartitionStateStore; baselines: BaselineStore },
  settings: DetectionSettings,
  asOf?: number,
): Promise<RecomputeSummary> {
  const partitions = (await stores.partitions.list()).filter((p) => p.firstEventTime !== undefined && p.lastEventTime !== undefined);
  const latest = asOf ?? Math.max(...partitions.map((p) => p.lastEventTime as number));
  const earliest = Math.min(...partitions.map((p) => p.firstEventTime as number));
  if (partitions.length === 0 || earliest >= latest) return { asOf: null, from: null, windows: 0, endpointKeys: 0, clientKeys: 0, version: null };
  const to = windowStart(latest);
  const from = Math.max(to - settings.baselineDays * DAY_MS, windowStart(earliest));
  const trafficFrom = Math.max(to - ENDPOINT_TRAFFIC_DAYS * DAY_MS, windowStart(earliest));
  const partitionIds = partitions.map((p) => p.partitionId);
  const builder = new TrafficBaselineBuilder(from, to);
  const content = new ContentBaselineBuilder(from, to, settings.minClientSizeSamples);
  const totals = new EndpointTrafficBuilder(trafficFrom, to);
  let windows = 0;
  // Each builder takes the windows of its own span; both spans end at `to`.
  for (let start = Math.min(from, trafficFrom); start < to; start += WINDOW_MS) {
    const merged = await stores.windows.readWindow(start, partitionIds);
    if (start >= from) windows += 1;
    if (merged.events === 0) continue;
    const features = windowFeatures(merged, start);
    builder.add(features);
    content.add(merged, start);
    totals.add(features);
  }
  const baselines = builder.build();
  await stores.baselines.write(CONTENT_BASELINE, serializeContentBaselines(content.build()), to);
  await stores.baselines.write(ENDPOINT_TRAFFIC, serializeEndpointTraffic(totals.build()), to);
  const version = await stores.baselines.write(TRAFFIC_BASELINE, serializeTrafficBaselines(baselines), to);
  return {
    asOf: new Date(to).toISOString(),
    from: new Date(from).toISOString(),
    windows,
    endpointKeys: baselines.endpoints.size,
    clientKeys: baselines.ips.size,
    version,
  };
}
