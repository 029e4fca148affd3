import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { liveTraffic, planTraffic, type GeneratedMessage, type Label, type SkippedAttack } from '../../shared/generator';
import type { FeedBatch, FeedMessage } from './ingestFeed';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DemoOptions {
  seed: number;
  /** Days of history replayed at start, ending now. */
  historyDays: number;
  requestsPerDay: number;
  /** Event-time seconds per wall-clock second in the live phase. */
  speed: number;
  /** Minutes of event time between live attacks. */
  attackEveryMinutes: number;
  /** Simulated Event Hub partitions (messages are spread by partition key, as the service does). */
  partitions: number;
  /** Messages per delivered batch. */
  batchSize: number;
  /** IPs the Tor and threat-intel attacks come from (the shipped intel snapshot). */
  torExitIps: readonly string[];
  suspiciousIps: readonly string[];
}

export interface DemoEvents {
  onPhase(phase: 'history' | 'live', detail: { from: Date; labels: Label[]; skipped: SkippedAttack[]; estimatedMessages?: number }): void;
  onLabel(label: Label): void;
  /** The history reached its attack day: everything before `time` is clean, learn from it. */
  onWarmupEnd(time: Date): Promise<void>;
  /** The whole history is ingested. */
  onHistoryDone(): Promise<void>;
  onBatch(batch: FeedBatch): Promise<void>;
}

/**
 * Spreads messages over pseudo partitions by a hash of the partition key and numbers them the
 * way Event Hubs does: sequence numbers increase by one per partition. They start from the run's
 * start time in microseconds, so a later run never reuses (and is never mistaken for) an
 * earlier run's positions.
 */
export class DemoPartitioner {
  private readonly next: number[];

  constructor(
    private readonly partitions: number,
    runStartedAt: Date,
  ) {
    this.next = Array.from({ length: partitions }, () => runStartedAt.getTime() * 1000);
  }

  place(message: GeneratedMessage): { partitionId: string; message: FeedMessage } {
    const digest = createHash('sha1').update(message.partitionKey).digest();
    const partition = digest.readUInt32BE(0) % this.partitions;
    const sequenceNumber = this.next[partition] ?? 0;
    this.next[partition] = sequenceNumber + 1;
    return {
      partitionId: String(partition),
      message: {
        body: message.body,
        sequenceNumber,
        offset: String(sequenceNumber),
        enqueuedTimeUtc: new Date(message.time),
        partitionKey: message.partitionKey,
      },
    };
  }
}

function intelOf(options: DemoOptions) {
  return { torExitIps: options.torExitIps, suspiciousIps: options.suspiciousIps };
}

/** Collects placed messages per partition and hands out full batches. */
class Batcher {
  private readonly pending = new Map<string, FeedMessage[]>();

  constructor(
    private readonly size: number,
    private readonly deliver: (batch: FeedBatch) => Promise<void>,
  ) {}

  async add(partitionId: string, message: FeedMessage): Promise<void> {
    const list = this.pending.get(partitionId) ?? [];
    list.push(message);
    this.pending.set(partitionId, list);
    if (list.length >= this.size) await this.flush(partitionId);
  }

  async flushAll(): Promise<void> {
    for (const partitionId of [...this.pending.keys()]) await this.flush(partitionId);
  }

  private async flush(partitionId: string): Promise<void> {
    const messages = this.pending.get(partitionId) ?? [];
    this.pending.delete(partitionId);
    if (messages.length > 0) await this.deliver({ partitionId, messages });
  }
}

/**
 * The built-in demo: replays `historyDays` of generated traffic ending now (attacks in its last
 * day), then streams live traffic with recurring attacks, `speed` times faster than real time,
 * until the signal aborts. `resumeFrom`, when storage already holds demo data, skips the
 * history and continues live from there, so restarts add no duplicate history.
 */
export async function runDemo(
  options: DemoOptions,
  events: DemoEvents,
  control: { signal: AbortSignal; now: () => Date; resumeFrom?: Date },
): Promise<void> {
  const runStartedAt = control.now();
  const partitioner = new DemoPartitioner(options.partitions, runStartedAt);
  const batcher = new Batcher(options.batchSize, events.onBatch);
  let liveFrom = control.resumeFrom ?? runStartedAt;

  if (control.resumeFrom === undefined) {
    const start = new Date(runStartedAt.getTime() - options.historyDays * DAY_MS);
    const plan = planTraffic({ ...intelOf(options), seed: options.seed, start, days: options.historyDays, requestsPerDay: options.requestsPerDay });
    events.onPhase('history', { from: start, labels: plan.labels, skipped: plan.skipped, estimatedMessages: plan.estimatedMessages });
    const warmupEnd = Date.parse(plan.resolved.attackStart);
    let warmedUp = false;
    for (const message of plan.messages()) {
      if (control.signal.aborted) return;
      if (!warmedUp && message.time >= warmupEnd) {
        warmedUp = true;
        await batcher.flushAll();
        await events.onWarmupEnd(new Date(warmupEnd));
      }
      const placed = partitioner.place(message);
      await batcher.add(placed.partitionId, placed.message);
    }
    await batcher.flushAll();
    await events.onHistoryDone();
    liveFrom = new Date(start.getTime() + options.historyDays * DAY_MS);
  }

  const live = liveTraffic({
    ...intelOf(options),
    seed: options.seed + 1,
    from: liveFrom,
    requestsPerDay: options.requestsPerDay,
    attackEveryMinutes: options.attackEveryMinutes,
  });
  events.onPhase('live', { from: liveFrom, labels: [], skipped: [] });
  const wallStart = control.now().getTime();
  const eventTimeNow = () => liveFrom.getTime() + (control.now().getTime() - wallStart) * options.speed;
  for (const item of live) {
    if (control.signal.aborted) break;
    if ('label' in item) {
      events.onLabel(item.label);
      continue;
    }
    while (item.message.time > eventTimeNow() && !control.signal.aborted) {
      await batcher.flushAll();
      await sleep(250, undefined, { signal: control.signal }).catch(() => undefined);
    }
    const placed = partitioner.place(item.message);
    await batcher.add(placed.partitionId, placed.message);
  }
  await batcher.flushAll();
}
