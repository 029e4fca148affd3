import {
  EventHubConsumerClient,
  earliestEventPosition,
  latestEventPosition,
  parseEventHubConnectionString,
  type CheckpointStore,
  type EventHubConsumerClientOptions,
  type PartitionContext,
  type ReceivedEventData,
  type Subscription,
  type TokenCredential,
} from '@azure/event-hubs';

import type { Config, EventHubConnection as ConfiguredConnection } from '../config';
import { silentLogger, type Logger } from '../ports';
import { createCredential } from './credential';

/** How to reach an Event Hubs namespace: a connection string (SAS, or the local emulator) or Entra ID. */
export type EventHubConnection =
  | { connectionString: string }
  | { fullyQualifiedNamespace: string; credential: TokenCredential };

export interface EventHubMessage {
  body: unknown;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc: Date;
  partitionKey?: string;
}

/** Events of one partition, oldest first, as the Functions host hands them to a trigger with cardinality many. */
export interface EventHubBatch {
  partitionId: string;
  messages: EventHubMessage[];
}

export interface EventHubSourceOptions {
  connection: EventHubConnection;
  eventHubName: string;
  consumerGroup: string;
  /** Where ownership and checkpoints live (e.g. TableCheckpointStore). */
  checkpointStore: CheckpointStore;
  /** Most events per batch (default 100, like the Functions host). */
  maxBatchSize?: number;
  /** How long to wait for a first event before polling again (default 10). */
  maxWaitTimeInSeconds?: number;
  /** Where a partition without a checkpoint starts (default 'earliest'). */
  startPosition?: 'earliest' | 'latest';
  /**
   * Partition load balancing between instances. Default: greedy (claim a fair share at once,
   * so one instance owns every partition right after start), every 10 s, claims expire after 60 s.
   */
  loadBalancing?: {
    strategy?: 'balanced' | 'greedy';
    updateIntervalInMs?: number;
    partitionOwnershipExpirationIntervalInMs?: number;
  };
  logger?: Logger;
}

export interface EventHubSource {
  /** Stops receiving, waits for batches being processed (and their checkpoints), releases the partitions. */
  close(): Promise<void>;
}

/**
 * Reads an Event Hub through the SDK's load-balanced consumer, handing non-empty batches to
 * `onBatch`: within a partition one batch at a time, in order; different partitions run
 * concurrently. Bodies are as the SDK decodes them (parsed JSON when the data is JSON, else
 * the bytes as a Buffer).
 *
 * Delivery is at least once: after `onBatch` resolves, the batch's last event is checkpointed.
 * If `onBatch` throws, the error is logged, the subscription keeps going, and the partition's
 * checkpoint is held where it was for as long as this source runs (later batches are still
 * processed but not checkpointed), so that the failed batch is received again after a restart
 * or when the partition is next claimed. A `close()` while batches are received but not yet
 * handed over leaves them unprocessed and uncheckpointed; they come again after a restart.
 */
export async function startEventHubSource(
  options: EventHubSourceOptions,
  onBatch: (batch: EventHubBatch) => Promise<void>,
): Promise<EventHubSource> {
  const logger = options.logger ?? silentLogger;
  const secrets = secretsOf(options.connection);
  const scope = {
    eventHubName: options.eventHubName,
    consumerGroup: options.consumerGroup,
  };
  const clientOptions: EventHubConsumerClientOptions = {
    loadBalancingOptions: {
      strategy: options.loadBalancing?.strategy ?? 'greedy',
      updateIntervalInMs: options.loadBalancing?.updateIntervalInMs ?? 10_000,
      partitionOwnershipExpirationIntervalInMs: options.loadBalancing?.partitionOwnershipExpirationIntervalInMs ?? 60_000,
    },
  };
  const client = createConsumerClient(options, clientOptions, secrets);

  try {
    const partitionIds = await client.getPartitionIds();
    logger.info('eventhub.source.starting', { ...scope, partitions: partitionIds.length });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new Error(`Cannot read Event Hub '${options.eventHubName}': ${describeError(err, secrets)}`);
  }

  /** Partitions whose checkpoint is held because a batch failed since the partition was (re)claimed. */
  const held = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  async function handle(events: ReceivedEventData[], context: PartitionContext): Promise<void> {
    const partitionId = context.partitionId;
    const last = events[events.length - 1];
    if (!last || closing) return;
    const batch: EventHubBatch = { partitionId, messages: events.map(toMessage) };
    try {
      await onBatch(batch);
    } catch (err) {
      held.add(partitionId);
      logger.error('eventhub.batch.failed', {
        ...scope,
        partitionId,
        events: events.length,
        firstSequenceNumber: events[0]?.sequenceNumber,
        lastSequenceNumber: last.sequenceNumber,
        error: describeError(err, secrets),
      });
      return;
    }
    if (held.has(partitionId)) {
      logger.warn('eventhub.checkpoint.held', { ...scope, partitionId, lastSequenceNumber: last.sequenceNumber });
      return;
    }
    try {
      await context.updateCheckpoint(last);
    } catch (err) {
      // The next batch's checkpoint covers this one; until then a restart re-reads it.
      logger.warn('eventhub.checkpoint.failed', {
        ...scope,
        partitionId,
        sequenceNumber: last.sequenceNumber,
        error: describeError(err, secrets),
      });
    }
  }

  const subscription: Subscription = client.subscribe(
    {
      processInitialize: async (context) => {
        // A newly started partition reader resumes from the stored checkpoint, which is
        // before any batch that failed: those come again, so the checkpoint may move again.
        held.delete(context.partitionId);
        logger.info('eventhub.partition.opened', { ...scope, partitionId: context.partitionId });
      },
      processClose: async (reason, context) => {
        logger.info('eventhub.partition.closed', { ...scope, partitionId: context.partitionId, reason });
      },
      processEvents: async (events, context) => {
        const task = handle(events, context);
        inFlight.add(task);
        try {
          await task;
        } finally {
          inFlight.delete(task);
        }
      },
      processError: async (err, context) => {
        logger.warn('eventhub.source.error', {
          ...scope,
          ...(context.partitionId ? { partitionId: context.partitionId } : {}),
          error: describeError(err, secrets),
        });
      },
    },
    {
      maxBatchSize: options.maxBatchSize ?? 100,
      maxWaitTimeInSeconds: options.maxWaitTimeInSeconds ?? 10,
      startPosition: options.startPosition === 'latest' ? latestEventPosition : earliestEventPosition,
    },
  );

  let closed: Promise<void> | undefined;
  return {
    close() {
      closed ??= (async () => {
        closing = true;
        try {
          await subscription.close();
          await Promise.allSettled([...inFlight]);
        } finally {
          await client.close();
          logger.info('eventhub.source.closed', scope);
        }
      })();
      return closed;
    },
  };
}

function toMessage(event: ReceivedEventData): EventHubMessage {
  return {
    body: event.body,
    sequenceNumber: event.sequenceNumber,
    offset: String(event.offset),
    enqueuedTimeUtc: event.enqueuedTimeUtc,
    ...(event.partitionKey !== undefined && event.partitionKey !== null ? { partitionKey: event.partitionKey } : {}),
  };
}

function createConsumerClient(
  options: EventHubSourceOptions,
  clientOptions: EventHubConsumerClientOptions,
  secrets: string[],
): EventHubConsumerClient {
  const connection = options.connection;
  try {
    if ('connectionString' in connection) {
      checkEntityPath(connection.connectionString, options.eventHubName);
      return new EventHubConsumerClient(
        options.consumerGroup,
        connection.connectionString,
        options.eventHubName,
        options.checkpointStore,
        clientOptions,
      );
    }
    return new EventHubConsumerClient(
      options.consumerGroup,
      connection.fullyQualifiedNamespace,
      options.eventHubName,
      connection.credential,
      options.checkpointStore,
      clientOptions,
    );
  } catch (err) {
    throw new Error(`Invalid Event Hubs connection: ${describeError(err, secrets)}`);
  }
}

/**
 * The SDK's own mismatch error quotes the whole connection string, key included; fail first
 * with a message that names only the two hub names.
 */
export function checkEntityPath(connectionString: string, eventHubName: string): void {
  let entityPath: string | undefined;
  try {
    entityPath = parseEventHubConnectionString(connectionString).eventHubName;
  } catch (err) {
    throw new Error(`Invalid Event Hubs connection string: ${describeError(err, secretsOf({ connectionString }))}`);
  }
  if (entityPath && entityPath !== eventHubName) {
    throw new Error(`The connection string's EntityPath '${entityPath}' does not match the Event Hub name '${eventHubName}'`);
  }
}

/** Values that must never reach a log line or an error message. */
export function secretsOf(connection: EventHubConnection): string[] {
  if (!('connectionString' in connection)) return [];
  const secrets = [connection.connectionString];
  for (const part of connection.connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if ((key === 'sharedaccesskey' || key === 'sharedaccesssignature') && value) secrets.push(value);
  }
  return secrets.sort((a, b) => b.length - a.length);
}

/** An error's name and message with secrets and anything that looks like a key or signature masked. */
export function describeError(err: unknown, secrets: string[] = []): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return redact(text, secrets);
}

export function redact(text: string, secrets: string[] = []): string {
  let result = text;
  for (const secret of secrets) if (secret) result = result.split(secret).join('***');
  return result
    .replace(/(SharedAccessKey\s*=\s*)[^;"'\s]+/gi, '$1***')
    .replace(/(SharedAccessSignature\s*=\s*)[^;"']+/gi, '$1***')
    .replace(/([?&\s]sig=)[^&;"'\s]+/gi, '$1***');
}

/** The SDK's connection from the app's configuration: a connection string, or the namespace with the identity. */
export function sdkConnection(connection: ConfiguredConnection): EventHubConnection {
  return connection.kind === 'connectionString'
    ? { connectionString: connection.connectionString }
    : { fullyQualifiedNamespace: connection.fullyQualifiedNamespace, credential: createCredential(connection.clientId) };
}

/** The SDK's connection to the logs hub. */
export function eventHubConnectionOf(config: Config): EventHubConnection {
  if (config.eventHub === undefined) throw new Error('no Event Hub connection is configured');
  return sdkConnection(config.eventHub);
}
