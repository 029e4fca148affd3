import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

import { createDependencies, ingestDependencies } from '../functions/deps';
import { parseConfig } from '../shared/config';
import { comparePriority, toDefenderExport, type Alert } from '../shared/core/alerts';
import { deserializeContentBaselines } from '../shared/core/baselines/contentBaseline';
import type { InstantDetector } from '../shared/core/detectors/instant';
import type { DetectionSettings } from '../shared/core/detectors/settings';
import { InventoryIndex, type Inventory } from '../shared/core/inventory';
import { WINDOW_MS, windowStart } from '../shared/core/windows';
import { evaluateWindows } from '../shared/services/evaluateWindows';
import { ingestBatch, type IngestDependencies } from '../shared/services/ingestBatch';
import { CONTENT_BASELINE, instantDetectors } from '../shared/services/instantDetectors';
import { recomputeBaselines } from '../shared/services/recomputeBaselines';
import { startEmbeddedAzurite } from './local/embeddedAzurite';
import { linesAsBatches } from './messageLines';

export interface DetectOptions {
  /** Logs to learn baselines from: one Event Hub message body per line. */
  train: string;
  /** Logs to score, after the training logs in event time. */
  score: string;
  /** Alerts raised while scoring, in Defender's continuous-export shape, one JSON object per line. */
  out: string;
  /** Instant detectors that need no baseline (patterns, intel); the baseline-driven ones are added. */
  detectors: readonly InstantDetector[];
  settings?: Partial<DetectionSettings>;
  /** The APIM inventory: names path parameters after the URL templates, and declared parameters are never "unseen". */
  inventory?: Inventory;
  /** Bytes of each file read so far. */
  onProgress?: (phase: 'train' | 'score', bytesRead: number) => void;
}

export interface DetectResult {
  trainEvents: number;
  scoreEvents: number;
  quarantined: number;
  baselineAsOf: string | null;
  windowsEvaluated: number;
  alerts: number;
}

const BATCH = 500;

/**
 * Runs the functions' own pipeline offline on an in-memory Azurite: ingests the training logs,
 * learns baselines as of their end, then ingests the scored logs with the instant detectors on,
 * evaluating windows as event time closes them, and writes every alert raised while scoring.
 */
export async function runDetect(options: DetectOptions): Promise<DetectResult> {
  const azurite = await startEmbeddedAzurite({ port: 0 });
  try {
    const config = parseConfig({ WARDEN_TABLES_CONNECTION_STRING: azurite.connectionString, WARDEN_TABLE_PREFIX: 'detect' });
    const deps = createDependencies(config);
    const detection = { ...config.detection, ...options.settings };
    const result: DetectResult = { trainEvents: 0, scoreEvents: 0, quarantined: 0, baselineAsOf: null, windowsEvaluated: 0, alerts: 0 };

    const inventory = options.inventory === undefined ? undefined : new InventoryIndex(options.inventory);
    const withInventory = (ingest: IngestDependencies): IngestDependencies => (inventory === undefined ? ingest : { ...ingest, inventory });

    await ingestFile(options.train, 'train', withInventory(ingestDependencies(deps, null)), result, (n) => options.onProgress?.('train', n));
    const trainState = await deps.partitions.get('train');
    const learned = await recomputeBaselines(deps, detection, trainState?.lastEventTime);
    result.baselineAsOf = learned.asOf;
    if (trainState?.lastEventTime !== undefined) await deps.cursor.setLastEvaluated(windowStart(trainState.lastEventTime) - WINDOW_MS);

    const rules = await deps.suppressionRules.list();
    const stored = await deps.baselines.read(CONTENT_BASELINE);
    const content = stored === undefined ? undefined : deserializeContentBaselines(stored.text);
    const detectors = instantDetectors(content, detection, options.detectors, inventory?.declaredParameters());
    const scoring = withInventory(ingestDependencies(deps, { detectors: async () => detectors, alerts: deps.alerts, rules: async () => rules }));
    const evaluate = (closeThrough?: number) =>
      evaluateWindows(deps, { settings: detection, allowedLatenessMs: config.allowedLatenessMs, maxWindows: 10_000, closeThrough });
    await ingestFile(options.score, 'score', scoring, result, (n) => options.onProgress?.('score', n), async () => {
      result.windowsEvaluated += (await evaluate()).windows.length;
    });
    const scoreState = await deps.partitions.get('score');
    result.windowsEvaluated += (await evaluate(scoreState?.lastEventTime)).windows.length;

    const exposure = exposureOf(options.inventory);
    const alerts = (await deps.alerts.list()).sort((a, b) => comparePriority(a, b, exposure));
    result.alerts = alerts.length;
    await writeLines(options.out, alerts.map((alert) => JSON.stringify(toDefenderExport(alert))));
    return result;
  } finally {
    await azurite.stop();
  }
}

async function ingestFile(
  file: string,
  partitionId: string,
  deps: IngestDependencies,
  result: DetectResult,
  onProgress: (bytesRead: number) => void,
  afterBatch?: () => Promise<void>,
): Promise<void> {
  for await (const batch of linesAsBatches(file, BATCH)) {
    const summary = await ingestBatch({ partitionId, messages: batch }, deps);
    if (partitionId === 'train') result.trainEvents += summary.events;
    else result.scoreEvents += summary.events;
    result.quarantined += summary.quarantined;
    onProgress(Number(batch[batch.length - 1]?.offset ?? 0));
    await afterBatch?.();
  }
}

async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  const out = createWriteStream(file);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/**
 * Endpoint exposure for alert priority: an API the inventory says needs no subscription key is
 * unauthenticated (1); anything else, or no inventory, counts 0.
 */
function exposureOf(inventory: Inventory | undefined): (alert: Alert) => number {
  const open = new Set((inventory?.apis ?? []).filter((api) => api.subscriptionRequired === false).map((api) => api.name));
  return (alert) => (open.has(alert.keyEntities.endpoint?.apiId ?? '') ? 1 : 0);
}
