import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

import { InvocationContext, type LogHandler } from '@azure/functions';

import type { FunctionDefinition } from '../../functions/registry';

type EventHubDefinition = Extract<FunctionDefinition, { trigger: 'eventHub' }>;

/** One message as a feed delivers it, with its position in its (pseudo) partition. */
export interface FeedMessage {
  body: unknown;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc?: Date;
  partitionKey?: string;
}

export interface FeedBatch {
  partitionId: string;
  messages: readonly FeedMessage[];
}

/**
 * Calls the ingest function the way the host does for cardinality "many": the bodies as an
 * array, and the positions in triggerMetadata (partitionContext, sequenceNumberArray, …).
 */
export async function invokeEventHubFunction(definition: EventHubDefinition, batch: FeedBatch, logHandler: LogHandler): Promise<void> {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: definition.name,
    logHandler,
    triggerMetadata: {
      partitionContext: {
        partitionId: batch.partitionId,
        eventHubName: definition.options.eventHubName,
        consumerGroup: definition.options.consumerGroup,
      },
      sequenceNumberArray: batch.messages.map((m) => m.sequenceNumber),
      offsetArray: batch.messages.map((m) => m.offset),
      enqueuedTimeUtcArray: batch.messages.map((m) => m.enqueuedTimeUtc?.toISOString()),
      partitionKeyArray: batch.messages.map((m) => m.partitionKey),
    },
  });
  await definition.handler(
    batch.messages.map((m) => m.body),
    context,
  );
}

/**
 * The pseudo partition a replayed file is ingested under: its name plus a hash of its content,
 * so replaying the same file again is recognised (and changes nothing) while another file with
 * the same name is not mistaken for it.
 */
export async function replayPartitionId(file: string): Promise<string> {
  if (file === '-') return `stdin-${new Date().toISOString().replace(/[:.]/g, '')}`;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `file-${basename(file).replace(/[^\w.-]/g, '_')}-${hash.digest('hex').slice(0, 12)}`;
}
