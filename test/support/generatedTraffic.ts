import { planTraffic, type GeneratorOptions, type Label } from '../../shared/generator';
import type { IngestBatch, IngestMessage, IngestSummary } from '../../shared/services/ingestBatch';

/**
 * Generates traffic and ingests it through `ingest`, spreading messages over `partitions`
 * pseudo partitions by partition key (as Event Hubs does), in batches of `batchSize`.
 */
export async function ingestGenerated(
  ingest: (batch: IngestBatch) => Promise<IngestSummary>,
  options: GeneratorOptions,
  partitions = 2,
  batchSize = 500,
): Promise<{ labels: Label[]; messages: number }> {
  const plan = planTraffic(options);
  const pending = Array.from({ length: partitions }, (): IngestMessage[] => []);
  const next = Array.from({ length: partitions }, () => 0);
  let messages = 0;
  const flush = async (partition: number) => {
    const batch = pending[partition] ?? [];
    if (batch.length > 0) await ingest({ partitionId: String(partition), messages: batch.splice(0) });
  };
  for (const message of plan.messages()) {
    let hash = 0;
    for (let i = 0; i < message.partitionKey.length; i += 1) hash = (hash * 31 + message.partitionKey.charCodeAt(i)) >>> 0;
    const partition = hash % partitions;
    const sequenceNumber = (next[partition] = (next[partition] ?? 0) + 1);
    pending[partition]?.push({ body: message.body, sequenceNumber, offset: String(sequenceNumber), enqueuedTimeUtc: new Date(message.time) });
    messages += 1;
    if ((pending[partition]?.length ?? 0) >= batchSize) await flush(partition);
  }
  for (let p = 0; p < partitions; p += 1) await flush(p);
  return { labels: plan.labels, messages };
}
