import { deserializeContentBaselines } from '../core/baselines/contentBaseline';
import { deserializeTrafficBaselines, type TrafficBaselines } from '../core/baselines/trafficBaseline';
import { windowsDue } from '../core/closedWindows';
import type { Finding } from '../core/detectors/finding';
import { detectDistributedEnumeration, detectParameterEnumeration } from '../core/detectors/paramEnumeration';
import type { DetectionSettings } from '../core/detectors/settings';
import { detectPopulationSpikes, detectSpray, detectTrafficSpikes, detectUnknownEndpoints } from '../core/detectors/windowTraffic';
import { windowFeatures, type WindowFeatures } from '../core/windowFeatures';
import { WINDOW_MS } from '../core/windows';
import type { AlertStore, BaselineStore, Clock, EvaluationCursorStore, PartitionStateStore, SuppressionRuleStore, WindowStore } from '../ports';
import { raiseAlerts, type RaiseSummary } from './raiseAlerts';
import { CONTENT_BASELINE } from './instantDetectors';
import { TRAFFIC_BASELINE } from './recomputeBaselines';

export interface EvaluateDependencies {
  windows: WindowStore;
  partitions: PartitionStateStore;
  baselines: BaselineStore;
  alerts: AlertStore;
  suppressionRules: SuppressionRuleStore;
  cursor: EvaluationCursorStore;
  clock: Clock;
}

export interface EvaluateOptions {
  settings: DetectionSettings;
  /** A window is evaluated once the event-time watermark is this far past its end. */
  allowedLatenessMs: number;
  /** At most this many windows per run (a long replay catches up over several runs). */
  maxWindows: number;
  /**
   * Treat every window up to this event time as closed, lateness or not: the end of a finite
   * input (the CLI's scored file), after which no event can come.
   */
  closeThrough?: number;
}

export interface EvaluateSummary extends RaiseSummary {
  windows: string[];
  findings: number;
  /** True when no baseline exists yet: windows are passed over silently until one does. */
  withoutBaseline: boolean;
}

/** The window detectors, in the order they run. */
const WINDOW_DETECTORS: ReadonlyArray<(f: WindowFeatures, b: TrafficBaselines, s: DetectionSettings) => Finding[]> = [
  detectTrafficSpikes,
  detectPopulationSpikes,
  detectSpray,
  detectUnknownEndpoints,
];

/**
 * Evaluates every window closed by the event-time watermark since the last run: merges the
 * window's partial aggregates from every partition, runs the window detectors against the
 * current baselines, and raises alerts. Each window is evaluated once; the cursor moves after
 * each window, so a failure resumes where it stopped.
 */
export async function evaluateWindows(deps: EvaluateDependencies, options: EvaluateOptions): Promise<EvaluateSummary> {
  const summary: EvaluateSummary = { windows: [], findings: 0, created: 0, updated: 0, suppressed: 0, withoutBaseline: false };
  const partitions = await deps.partitions.list();
  const times = partitions.filter((p) => p.lastEventTime !== undefined && p.firstEventTime !== undefined);
  if (times.length === 0) return summary;
  const latest = Math.max(...times.map((p) => p.lastEventTime as number));
  const due = windowsDue({
    watermark: options.closeThrough === undefined ? latest : Math.max(latest, options.closeThrough) + WINDOW_MS + options.allowedLatenessMs,
    firstEventTime: Math.min(...times.map((p) => p.firstEventTime as number)),
    lastEvaluated: await deps.cursor.lastEvaluated(),
    allowedLatenessMs: options.allowedLatenessMs,
    limit: options.maxWindows,
  });
  if (due.length === 0) return summary;
  const stored = await deps.baselines.read(TRAFFIC_BASELINE);
  const baselines = stored === undefined ? undefined : deserializeTrafficBaselines(stored.text);
  const storedContent = await deps.baselines.read(CONTENT_BASELINE);
  const content = storedContent === undefined ? undefined : deserializeContentBaselines(storedContent.text);
  summary.withoutBaseline = baselines === undefined;
  const rules = await deps.suppressionRules.list();
  const partitionIds = partitions.map((p) => p.partitionId);
  for (const start of due) {
    if (baselines !== undefined) {
      const merged = await deps.windows.readWindow(start, partitionIds);
      const features = windowFeatures(merged, start);
      const findings = WINDOW_DETECTORS.flatMap((detect) => detect(features, baselines, options.settings));
      if (content !== undefined) {
        findings.push(...detectParameterEnumeration(merged, start, content, options.settings));
        findings.push(...detectDistributedEnumeration(merged, start, content, options.settings));
      }
      summary.findings += findings.length;
      const raised = await raiseAlerts(findings, { alerts: deps.alerts, rules }, { detectedAt: new Date(features.end), now: deps.clock.now() });
      summary.created += raised.created;
      summary.updated += raised.updated;
      summary.suppressed += raised.suppressed;
    }
    await deps.cursor.setLastEvaluated(start);
    summary.windows.push(new Date(start).toISOString());
  }
  return summary;
}
