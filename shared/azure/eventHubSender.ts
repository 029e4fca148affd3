import { EventHubProducerClient, type EventDataBatch, type EventHubClientOptions } from '@azure/event-hubs';

import { checkEntityPath, describeError, secretsOf, type EventHubConnection } from './eventHubSource';

export interface SendBodiesOptions {
  connection: EventHubConnection;
  eventHubName: string;
  /**
   * Batches kept open at once, one per partition key seen recently (default 64). When a new
   * key would exceed it, the oldest open batch is sent first, so memory stays bounded however
   * many distinct keys (client IPs) the input has.
   */
  maxOpenBatches?: number;
}

export interface BodyToSend {
  /** The event's text, sent as its UTF-8 bytes (as APIM sends a JSON record). */
  body: string;
  /** Events with the same key land in the same partition, in order. None: the service spreads them. */
  partitionKey?: string;
}

export interface SendResult {
  sent: number;
  batches: number;
}

/** An input event that cannot fit in any batch, even alone. */
export class EventTooLargeError extends Error {
  constructor(
    /** 1-based position of the event in the input. */
    readonly position: number,
    readonly sizeInBytes: number,
    readonly maxSizeInBytes: number,
    /** Events sent before the failure (everything before this one in the input). */
    readonly sent: number,
  ) {
    super(
      `Event ${position} is too large for an Event Hubs batch: its body is ${sizeInBytes} bytes and a batch ` +
        `holds at most ${maxSizeInBytes} bytes including AMQP framing (${sent} earlier events were sent)`,
    );
    this.name = 'EventTooLargeError';
  }
}

/**
 * Sends text events to an Event Hub, grouped into batches by partition key (a batch carries one
 * key), in input order per key. Batches are sent one at a time; `onProgress` gets the running
 * total after each. Always closes the producer. The caller's input is read lazily, so a file
 * can be streamed.
 */
export async function sendBodies(
  options: SendBodiesOptions,
  bodies: AsyncIterable<BodyToSend> | Iterable<BodyToSend>,
  onProgress?: (sent: number) => void,
): Promise<SendResult> {
  const maxOpen = Math.max(1, options.maxOpenBatches ?? 64);
  const producer = createProducer(options);
  const open = new Map<string | undefined, EventDataBatch>();
  let sent = 0;
  let batches = 0;

  const newBatch = (partitionKey: string | undefined): Promise<EventDataBatch> =>
    producer.createBatch(partitionKey === undefined ? {} : { partitionKey });

  const flush = async (partitionKey: string | undefined): Promise<void> => {
    const batch = open.get(partitionKey);
    open.delete(partitionKey);
    if (!batch || batch.count === 0) return;
    await producer.sendBatch(batch);
    sent += batch.count;
    batches++;
    onProgress?.(sent);
  };

  const flushAll = async (): Promise<void> => {
    for (const key of [...open.keys()]) await flush(key);
  };

  try {
    let position = 0;
    for await (const item of bodies) {
      position++;
      const problem =
        typeof item?.body !== 'string'
          ? 'body must be a string'
          : item.partitionKey !== undefined && typeof item.partitionKey !== 'string'
            ? 'partitionKey must be a string when given'
            : undefined;
      if (problem) {
        await flushAll();
        throw new TypeError(`Event ${position}: ${problem} (${sent} earlier events were sent)`);
      }
      const key = item.partitionKey;
      const event = { body: Buffer.from(item.body, 'utf8') };
      let batch = open.get(key);
      if (batch && batch.tryAdd(event)) continue;
      if (batch) await flush(key);
      if (open.size >= maxOpen) {
        const oldest = open.keys().next().value;
        await flush(oldest);
      }
      batch = await newBatch(key);
      if (!batch.tryAdd(event)) {
        await flushAll();
        throw new EventTooLargeError(position, event.body.length, batch.maxSizeInBytes, sent);
      }
      open.set(key, batch);
    }
    await flushAll();
    return { sent, batches };
  } catch (err) {
    if (err instanceof EventTooLargeError || err instanceof TypeError) throw err;
    throw new Error(
      `Sending to Event Hub '${options.eventHubName}' failed after ${sent} events: ${describeError(err, secretsOf(options.connection))}`,
    );
  } finally {
    await producer.close();
  }
}

/** A producer for one hub; throws (without quoting a key) when the connection is unusable or names another hub. */
export function createProducer(
  options: { connection: EventHubConnection; eventHubName: string },
  clientOptions: EventHubClientOptions = {},
): EventHubProducerClient {
  const connection = options.connection;
  try {
    if ('connectionString' in connection) {
      checkEntityPath(connection.connectionString, options.eventHubName);
      return new EventHubProducerClient(connection.connectionString, options.eventHubName, clientOptions);
    }
    return new EventHubProducerClient(connection.fullyQualifiedNamespace, options.eventHubName, connection.credential, clientOptions);
  } catch (err) {
    throw new Error(`Invalid Event Hubs connection: ${describeError(err, secretsOf(connection))}`);
  }
}
