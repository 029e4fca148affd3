/**
 * Small interfaces ("ports") that services depend on. Adapters in shared/storage and
 * shared/azure implement them; tests and the local run plug in the same adapters.
 */
import type { Rejection } from './core/parse';
import type { Endpoint } from './core/requestEvent';
import type { WindowAggregate } from './core/windows';

/** Structured logging with stable keys: `event` names what happened, fields carry counts and ids. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** Wall-clock time, injectable. Only used where event time cannot be (e.g. audit stamps). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A logger that drops everything, for callers that have nowhere to log. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** What a window store is asked to write: one batch's partial aggregate for one window. */
export interface WindowDelta {
  partitionId: string;
  windowStart: number;
  /** Sequence numbers of the first and last message whose events the aggregate holds. */
  firstSequenceNumber: number;
  lastSequenceNumber: number;
  aggregate: WindowAggregate;
}

/** Partial window aggregates per Event Hub partition, each with a watermark that makes replays no-ops. */
export interface WindowStore {
  /** The last sequence number applied to each of these windows for a partition; absent when none. */
  readWatermarks(partitionId: string, windowStarts: readonly number[]): Promise<Map<number, number>>;
  /** Stores a delta and advances that window's watermark to its last sequence number, atomically. */
  writeDelta(delta: WindowDelta): Promise<void>;
  /** Every delta of a window from these partitions, merged. */
  readWindow(windowStart: number, partitionIds: readonly string[]): Promise<WindowAggregate>;
  /** Deletes every window that starts before this time, all partitions; returns entities deleted. */
  deleteBefore(windowStart: number): Promise<number>;
}

/** A record that failed validation, with where it came from. */
export interface QuarantineEntry {
  rejection: Rejection;
  /** When the message reached the Event Hub, if known: the entry is filed under that day. */
  enqueuedTimeUtc?: Date;
}

export interface QuarantineStore {
  /** Idempotent: an entry's key derives from its source position. */
  add(entries: readonly QuarantineEntry[]): Promise<void>;
  /** Entries filed under a day (YYYY-MM-DD, or "undated"), oldest position first. */
  list(day: string, limit: number): Promise<QuarantineEntry[]>;
  /** Deletes entries filed under days before this one (YYYY-MM-DD); returns how many. */
  deleteBefore(day: string): Promise<number>;
}

/** What the ingest path knows about one Event Hub partition. */
export interface PartitionIngestState {
  partitionId: string;
  lastSequenceNumber: number;
  lastOffset: string;
  /** Earliest and latest event time seen (epoch ms); the latest is the partition's event-time watermark. */
  firstEventTime?: number;
  lastEventTime?: number;
  lastEnqueuedTime?: Date;
  /** Wall-clock time of the last batch that changed anything. */
  processedAt: Date;
  events: number;
  skipped: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
}

export interface PartitionStateStore {
  get(partitionId: string): Promise<PartitionIngestState | undefined>;
  put(state: PartitionIngestState): Promise<void>;
  list(): Promise<PartitionIngestState[]>;
}

/** When an endpoint was first and last seen in one partition's traffic (event time, epoch ms). */
export interface EndpointActivity {
  endpoint: Endpoint;
  firstSeen: number;
  lastSeen: number;
}

export interface EndpointActivityStore {
  list(partitionId: string): Promise<EndpointActivity[]>;
  upsert(partitionId: string, activities: readonly EndpointActivity[]): Promise<void>;
  /** Activity merged over every partition, one entry per endpoint. */
  listAll(): Promise<EndpointActivity[]>;
}
