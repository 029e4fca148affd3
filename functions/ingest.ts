import type { InvocationContext } from '@azure/functions';

import { ingestBatch, type IngestBatch, type IngestMessage } from '../shared/services/ingestBatch';
import { loggerFor } from './context';
import { getDependencies, ingestDependencies } from './deps';

/**
 * Event Hub trigger (cardinality many): one batch from one partition. Bad records are
 * quarantined inside ingestBatch; a storage failure throws, so the host's retry policy
 * redelivers the batch, which ingestBatch then applies exactly once.
 */
export async function ingest(messages: unknown, context: InvocationContext): Promise<void> {
  const deps = getDependencies();
  const batch = batchFromTrigger(messages, context.triggerMetadata ?? {});
  const summary = await ingestBatch(batch, ingestDependencies(deps));
  const logger = loggerFor(context);
  if (summary.quarantined > 0) logger.warn('ingest.quarantined', { partitionId: summary.partitionId, byReason: summary.quarantinedByReason });
  logger.info('ingest.batch', { ...summary });
}

/**
 * Pairs each message with its trigger metadata (the host's `sequenceNumberArray`,
 * `offsetArray`, `enqueuedTimeUtcArray` and `partitionContext`). Without sequence numbers a
 * batch cannot be applied exactly once, so their absence is an error, not a guess.
 */
export function batchFromTrigger(messages: unknown, metadata: Record<string, unknown>): IngestBatch {
  const bodies = Array.isArray(messages) ? messages : [messages];
  const sequenceNumbers = metadata.sequenceNumberArray;
  if (!Array.isArray(sequenceNumbers) || sequenceNumbers.length !== bodies.length) {
    throw new Error('ingest needs triggerMetadata.sequenceNumberArray with one entry per message (cardinality many)');
  }
  const offsets = Array.isArray(metadata.offsetArray) ? metadata.offsetArray : [];
  const enqueued = Array.isArray(metadata.enqueuedTimeUtcArray) ? metadata.enqueuedTimeUtcArray : [];
  const partitionContext = (metadata.partitionContext ?? {}) as { partitionId?: unknown };
  const partitionId = String(partitionContext.partitionId ?? metadata.partitionId ?? '');
  if (partitionId === '') throw new Error('ingest needs triggerMetadata.partitionContext.partitionId');
  const list: IngestMessage[] = bodies.map((body, i) => {
    const sequenceNumber = Number(sequenceNumbers[i]);
    if (!Number.isSafeInteger(sequenceNumber)) throw new Error(`sequence number ${String(sequenceNumbers[i])} is not an integer`);
    const message: IngestMessage = { body, sequenceNumber, offset: String(offsets[i] ?? '') };
    const time = enqueued[i] === undefined ? undefined : new Date(enqueued[i] as string);
    if (time !== undefined && !Number.isNaN(time.getTime())) message.enqueuedTimeUtc = time;
    return message;
  });
  return { partitionId, messages: list };
}
