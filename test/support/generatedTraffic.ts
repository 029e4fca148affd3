import { planTraffic, type GeneratorOptions, type Label } from '../../shared/generator';
import type { IngestBatch, IngestMessage, IngestSummary } from '../../shared/services/ingestBatch';
import { DemoPartitioner } from '../../scripts/local/demoFeed';

/**
 * Generates traffic and ingests it through `ingest`, spreading messages over `partitions`
 * pseudo partitions by partition key as the demo does, in batches of `batchSize`.
 */
export async function ingestGenerated(
  ingest: (batch: IngestBatch) => Promise<IngestSummary>,
  options: GeneratorOptions,
  partitions = 2,
  batchSize = 500,
): Promise<{ labels: Label[]; messages: number }> {
  const plan = planTraffic(options);
  const partitioner = new DemoPartitioner(partitions, options.start);
  const pending = new Map<string, IngestMessage[]>();
  let messages = 0;
  const flush = async (partitionId: string) => {
    const batch = pending.get(partitionId) ?? [];
    pending.delete(partitionId);
    if (batch.length > 0) await ingest({ partitionId, messages: batch });
  };
  for (const generated of plan.messages()) {
    const { partitionId, message } = partitioner.place(generated);
    const batch = pending.get(partitionId) ?? [];
    batch.push(message);
    pending.set(partitionId, batch);
    messages += 1;
    if (batch.length >= batchSize) await flush(partitionId);
  }
  for (const partitionId of [...pending.keys()]) await flush(partitionId);
  return { labels: plan.labels, messages };
}
