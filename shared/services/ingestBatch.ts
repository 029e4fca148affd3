import type { SuppressionRule } from '../core/alerts';
import type { InstantDetector } from '../core/detectors/instant';
import type { InventoryIndex } from '../core/inventory';
import { makeRejection, parseMessage, type ParseOptions, type Rejection } from '../core/parse';
import type { Endpoint, RequestEvent } from '../core/requestEvent';
import { WindowAggregate, windowStart } from '../core/windows';
import type {
  AlertStore,
  Clock,
  EndpointActivity,
  EndpointActivityStore,
  PartitionIngestState,
  PartitionStateStore,
  QuarantineEntry,
  QuarantineStore,
  WindowStore,
} from '../ports';
import { raiseAlerts } from './raiseAlerts';

/** One Event Hub message as the trigger hands it over. */
export interface IngestMessage {
  body: unknown;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc?: Date;
}

/** A batch of messages from one partition, in sequence order. */
export interface IngestBatch {
  partitionId: string;
  messages: readonly IngestMessage[];
}

export interface IngestDependencies {
  windows: WindowStore;
  quarantine: QuarantineStore;
  partitions: PartitionStateStore;
  activity: EndpointActivityStore;
  parseOptions: ParseOptions;
  /** A stored last-seen time is rewritten only once it has moved on by this much. */
  lastSeenResolutionMs: number;
  clock: Clock;
  /** Per-process memory that saves reads across batches; one per process. */
  cache: IngestCache;
  /** Instant detection in the ingest path; absent, events are only stored (e.g. the CLI's training pass). */
  detection?: InstantDetection;
  /** The APIM inventory: when given, path parameters get their URL template's names before aggregation and detection. */
  inventory?: InventoryIndex;
}

/** The instant detectors and where their alerts go. */
export interface InstantDetection {
  /** The current detectors (they may be rebuilt as baselines are recomputed). */
  detectors: () => Promise<readonly InstantDetector[]>;
  alerts: AlertStore;
  /** Current suppression rules (the caller may cache them). */
  rules: () => Promise<readonly SuppressionRule[]>;
}

export interface IngestSummary {
  partitionId: string;
  messages: number;
  firstSequenceNumber?: number;
  lastSequenceNumber?: number;
  /** Records in the batch (events + quarantined + skipped, replays included). */
  records: number;
  /** New events applied to window aggregates. */
  events: number;
  /** Records already applied by an earlier delivery, left alone. */
  replayed: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  /** Records that are not API requests (another diagnostic category). */
  skipped: number;
  windowDeltas: number;
  endpointsTouched: number;
  /** Findings of the instant detectors. */
  findings: number;
}

/**
 * A delta holds the events of at most this many records (about 140K characters serialized with
 * typical parameters), so its entity stays below Table Storage's 1 MiB; a larger batch is cut at
 * a message boundary into several deltas.
 */
export const MAX_DELTA_KEYS = 1000;

/** What one ingest instance remembers between batches, per Event Hub partition. */
export class IngestCache {
  private readonly activity = new Map<string, Map<string, EndpointActivity>>();
  private readonly lastWritten = new Map<string, number>();

  /** Stored activity for a partition, unless someone else may have written since this process did. */
  activityFor(partitionId: string, stored: PartitionIngestState | undefined): Map<string, EndpointActivity> | undefined {
    const mine = this.lastWritten.get(partitionId);
    if (mine === undefined || mine !== stored?.lastSequenceNumber) return undefined;
    return this.activity.get(partitionId);
  }

  remember(partitionId: string, activity: Map<string, EndpointActivity>, lastSequenceNumber: number): void {
    this.activity.set(partitionId, activity);
    this.lastWritten.set(partitionId, lastSequenceNumber);
  }
}

interface Parsed {
  events: RequestEvent[];
  rejections: QuarantineEntry[];
  /** Sequence number of each skipped record's message. */
  skipped: number[];
}

/**
 * Ingests one Event Hub batch: parses every record, quarantines the bad ones, adds the good ones
 * to per-window partial aggregates and records endpoint last-seen times. Safe to call again with
 * the same (or an overlapping) batch: what was applied before is recognised and left alone.
 * Data errors never throw; storage errors do (after the store's own retries), so that the
 * host redelivers the batch.
 */
export async function ingestBatch(batch: IngestBatch, deps: IngestDependencies): Promise<IngestSummary> {
  const messages = [...batch.messages].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  const summary = emptySummary(batch.partitionId, messages);
  if (messages.length === 0) return summary;

  const previous = await deps.partitions.get(batch.partitionId);
  const parsed = parseAll(batch.partitionId, messages, deps.parseOptions);
  const inventory = deps.inventory;
  if (inventory !== undefined) parsed.events = parsed.events.map((event) => inventory.nameTemplateParams(event));
  summary.records = parsed.events.length + parsed.rejections.length + parsed.skipped.length;

  const fresh = await freshEventsByWindow(batch.partitionId, parsed.events, deps.windows);
  const freshEvents = [...fresh.values()].flat();
  if (deps.detection !== undefined) summary.findings = await detectInstant(freshEvents, deps.detection, deps.clock.now());
  summary.windowDeltas = await writeDeltas(batch.partitionId, fresh, deps.windows);
  summary.events = freshEvents.length;
  summary.replayed = parsed.events.length - freshEvents.length;

  // Quarantine, last-seen and counters are keyed by the partition's own watermark.
  const isNew = (sequenceNumber: number) => previous === undefined || sequenceNumber > previous.lastSequenceNumber;
  const newRejections = parsed.rejections.filter((entry) => isNew(entry.rejection.source.sequenceNumber));
  summary.replayed += parsed.rejections.length - newRejections.length;
  await deps.quarantine.add(newRejections);
  summary.quarantined = newRejections.length;
  for (const { rejection } of newRejections) {
    summary.quarantinedByReason[rejection.reason] = (summary.quarantinedByReason[rejection.reason] ?? 0) + 1;
  }
  summary.skipped = parsed.skipped.filter(isNew).length;
  summary.replayed += parsed.skipped.length - summary.skipped;

  const last = messages[messages.length - 1] as IngestMessage;
  if (!isNew(last.sequenceNumber)) return summary;

  const newEvents = parsed.events.filter((event) => isNew(event.source.sequenceNumber));
  const activity = await recordActivity(batch.partitionId, newEvents, previous, deps);
  summary.endpointsTouched = activity.touched;
  const state = nextState(previous, batch.partitionId, last, newEvents, summary, deps.clock.now());
  await deps.partitions.put(state);
  deps.cache.remember(batch.partitionId, activity.known, state.lastSequenceNumber);
  return summary;
}

function emptySummary(partitionId: string, messages: readonly IngestMessage[]): IngestSummary {
  return {
    partitionId,
    messages: messages.length,
    firstSequenceNumber: messages[0]?.sequenceNumber,
    lastSequenceNumber: messages[messages.length - 1]?.sequenceNumber,
    records: 0,
    events: 0,
    replayed: 0,
    quarantined: 0,
    quarantinedByReason: {},
    skipped: 0,
    windowDeltas: 0,
    endpointsTouched: 0,
    findings: 0,
  };
}

function parseAll(partitionId: string, messages: readonly IngestMessage[], options: ParseOptions): Parsed {
  const parsed: Parsed = { events: [], rejections: [], skipped: [] };
  for (const message of messages) {
    const position = { partitionId, sequenceNumber: message.sequenceNumber, offset: message.offset };
    for (const result of parseMessage(message.body, position, options)) {
      if (result.kind === 'event') {
        const late = futureSkew(result.event, message, options.maxRawChars);
        if (late === undefined) parsed.events.push(result.event);
        else parsed.rejections.push(quarantineEntry(late, message));
      }
      else if (result.kind === 'rejected') parsed.rejections.push(quarantineEntry(result.rejection, message));
      else parsed.skipped.push(message.sequenceNumber);
    }
  }
  return parsed;
}

/**
 * An event time after the message reached the Event Hub (beyond clock skew) cannot be real, and
 * would open windows in the future: such a record is quarantined. Old event times are fine:
 * replays of past logs carry them.
 */
export const MAX_FUTURE_SKEW_MS = 60 * 60 * 1000;

function futureSkew(event: RequestEvent, message: IngestMessage, maxRawChars: number): Rejection | undefined {
  if (message.enqueuedTimeUtc === undefined) return undefined;
  const skew = event.time - message.enqueuedTimeUtc.getTime();
  if (skew <= MAX_FUTURE_SKEW_MS) return undefined;
  const detail = `time: ${new Date(event.time).toISOString()} is ${Math.round(skew / 60_000)} minutes after the message was enqueued (${message.enqueuedTimeUtc.toISOString()})`;
  return makeRejection('time_in_future', detail, JSON.stringify(event), maxRawChars, event.source, event.format);
}

function quarantineEntry(rejection: Rejection, message: IngestMessage): QuarantineEntry {
  return message.enqueuedTimeUtc === undefined ? { rejection } : { rejection, enqueuedTimeUtc: message.enqueuedTimeUtc };
}

/**
 * The batch's events that no earlier delivery applied: those above their window's watermark,
 * grouped by window, in sequence order.
 */
async function freshEventsByWindow(
  partitionId: string,
  events: readonly RequestEvent[],
  store: WindowStore,
): Promise<Map<number, RequestEvent[]>> {
  const byWindow = new Map<number, RequestEvent[]>();
  for (const event of events) {
    const start = windowStart(event.time);
    const list = byWindow.get(start);
    if (list === undefined) byWindow.set(start, [event]);
    else list.push(event);
  }
  const watermarks = await store.readWatermarks(partitionId, [...byWindow.keys()]);
  const fresh = new Map<number, RequestEvent[]>();
  for (const [start, windowEvents] of [...byWindow].sort((a, b) => a[0] - b[0])) {
    const watermark = watermarks.get(start) ?? -1;
    const kept = windowEvents.filter((event) => event.source.sequenceNumber > watermark);
    if (kept.length > 0) fresh.set(start, kept);
  }
  return fresh;
}

/** Writes one delta (with its watermark, atomically) per window, or more for large batches. */
async function writeDeltas(partitionId: string, fresh: Map<number, RequestEvent[]>, store: WindowStore): Promise<number> {
  let deltas = 0;
  for (const [start, events] of fresh) {
    for (const slice of slicesByMessage(events)) {
      const aggregate = new WindowAggregate();
      for (const event of slice) aggregate.add(event);
      await store.writeDelta({
        partitionId,
        windowStart: start,
        firstSequenceNumber: (slice[0] as RequestEvent).source.sequenceNumber,
        lastSequenceNumber: (slice[slice.length - 1] as RequestEvent).source.sequenceNumber,
        aggregate,
      });
      deltas += 1;
    }
  }
  return deltas;
}

/**
 * Runs the instant detectors over fresh events and raises their alerts. It runs before the
 * deltas are written: if it fails, the batch is redelivered with the same events still fresh,
 * so no detection is lost (a repeat may then count twice in an alert's count).
 */
async function detectInstant(events: readonly RequestEvent[], detection: InstantDetection, now: Date): Promise<number> {
  const detectors = await detection.detectors();
  const findings = events.flatMap((event) => detectors.flatMap((detector) => detector.detect(event)));
  if (findings.length === 0) return 0;
  const detectedAt = new Date(findings.reduce((latest, finding) => Math.max(latest, finding.time), 0));
  await raiseAlerts(findings, { alerts: detection.alerts, rules: await detection.rules() }, { detectedAt, now });
  return findings.length;
}

/**
 * Cuts a window's events (in sequence order) into slices of at most MAX_DELTA_KEYS events,
 * never inside a message, so that a watermark always falls on a message boundary.
 */
function slicesByMessage(events: readonly RequestEvent[]): RequestEvent[][] {
  const slices: RequestEvent[][] = [];
  let current: RequestEvent[] = [];
  let i = 0;
  while (i < events.length) {
    const sequenceNumber = (events[i] as RequestEvent).source.sequenceNumber;
    let end = i;
    while (end < events.length && (events[end] as RequestEvent).source.sequenceNumber === sequenceNumber) end += 1;
    if (current.length > 0 && current.length + (end - i) > MAX_DELTA_KEYS) {
      slices.push(current);
      current = [];
    }
    for (let j = i; j < end; j += 1) current.push(events[j] as RequestEvent);
    i = end;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Writes first/last-seen times of the batch's endpoints, only where they moved by the resolution. */
async function recordActivity(
  partitionId: string,
  events: readonly RequestEvent[],
  previous: PartitionIngestState | undefined,
  deps: IngestDependencies,
): Promise<{ touched: number; known: Map<string, EndpointActivity> }> {
  const known = deps.cache.activityFor(partitionId, previous) ?? (await loadActivity(partitionId, deps.activity));
  const changed = new Map<string, EndpointActivity>();
  for (const event of events) {
    const current = changed.get(event.endpoint.key) ?? known.get(event.endpoint.key);
    const next = widen(current, event.endpoint, event.time);
    if (next !== current) changed.set(event.endpoint.key, next);
  }
  const due = [...changed.values()].filter((activity) => {
    const stored = known.get(activity.endpoint.key);
    return (
      stored === undefined ||
      activity.firstSeen < stored.firstSeen ||
      activity.lastSeen - stored.lastSeen >= deps.lastSeenResolutionMs
    );
  });
  await deps.activity.upsert(partitionId, due);
  for (const activity of due) known.set(activity.endpoint.key, activity);
  return { touched: changed.size, known };
}

async function loadActivity(partitionId: string, store: EndpointActivityStore): Promise<Map<string, EndpointActivity>> {
  const map = new Map<string, EndpointActivity>();
  for (const activity of await store.list(partitionId)) map.set(activity.endpoint.key, activity);
  return map;
}

function widen(current: EndpointActivity | undefined, endpoint: Endpoint, time: number): EndpointActivity {
  if (current === undefined) return { endpoint, firstSeen: time, lastSeen: time };
  if (time >= current.firstSeen && time <= current.lastSeen) return current;
  return { endpoint: current.endpoint, firstSeen: Math.min(current.firstSeen, time), lastSeen: Math.max(current.lastSeen, time) };
}

function nextState(
  previous: PartitionIngestState | undefined,
  partitionId: string,
  last: IngestMessage,
  newEvents: readonly RequestEvent[],
  summary: IngestSummary,
  now: Date,
): PartitionIngestState {
  let firstEventTime = previous?.firstEventTime;
  let lastEventTime = previous?.lastEventTime;
  for (const event of newEvents) {
    if (firstEventTime === undefined || event.time < firstEventTime) firstEventTime = event.time;
    if (lastEventTime === undefined || event.time > lastEventTime) lastEventTime = event.time;
  }
  const byReason = { ...(previous?.quarantinedByReason ?? {}) };
  for (const [reason, count] of Object.entries(summary.quarantinedByReason)) byReason[reason] = (byReason[reason] ?? 0) + count;
  return {
    partitionId,
    lastSequenceNumber: last.sequenceNumber,
    lastOffset: last.offset,
    firstEventTime,
    lastEventTime,
    lastEnqueuedTime: last.enqueuedTimeUtc ?? previous?.lastEnqueuedTime,
    processedAt: now,
    events: (previous?.events ?? 0) + newEvents.length,
    skipped: (previous?.skipped ?? 0) + summary.skipped,
    quarantined: (previous?.quarantined ?? 0) + summary.quarantined,
    quarantinedByReason: byReason,
  };
}
