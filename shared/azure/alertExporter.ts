/**
 * The SIEM export: alerts to an Event Hub through @azure/event-hubs, one event per alert (its
 * JSON as UTF-8 bytes, content type application/json), batched per partition key so that every
 * update of an alert lands on one partition, in order.
 */
import { RetryMode, type EventDataBatch, type EventHubClientOptions, type EventHubProducerClient } from '@azure/event-hubs';

import type { AlertExportEvent, AlertExporter, AlertExportResult } from '../ports';
import { createProducer } from './eventHubSender';
import { describeError, secretsOf, type EventHubConnection } from './eventHubSource';

export interface AlertExporterOptions {
  connection: EventHubConnection;
  eventHubName: string;
  /**
   * The SDK's own retries of a send. Default: 2 retries, 1 s then 2 s apart: enough for a blip;
   * a longer outage is the outbox's to ride out (the entries stay queued for the next run).
   */
  retryOptions?: EventHubClientOptions['retryOptions'];
}

const DEFAULT_RETRY = { maxRetries: 2, retryDelayInMs: 1_000, maxRetryDelayInMs: 10_000, mode: RetryMode.Exponential };

/** Groups events by partition key, keys in order of first appearance, input order within a key. */
function byPartitionKey(events: readonly AlertExportEvent[]): Map<string, AlertExportEvent[]> {
  const groups = new Map<string, AlertExportEvent[]>();
  for (const event of events) {
    const group = groups.get(event.partitionKey);
    if (group === undefined) groups.set(event.partitionKey, [event]);
    else group.push(event);
  }
  return groups;
}

/**
 * An exporter that opens a producer per `send` and closes it after: a run every minute needs no
 * connection kept between runs, and a broken connection never outlives the run that saw it.
 */
export function createAlertExporter(options: AlertExporterOptions): AlertExporter {
  const secrets = secretsOf(options.connection);
  return {
    async send(events: readonly AlertExportEvent[]): Promise<AlertExportResult> {
      const result: AlertExportResult = { sent: [], tooLarge: [], failed: [], batches: 0 };
      if (events.length === 0) return result;
      let current: readonly AlertExportEvent[] = events;
      let producer: EventHubProducerClient | undefined;
      try {
        producer = createProducer(options, { retryOptions: { ...DEFAULT_RETRY, ...options.retryOptions } });
        for (const [partitionKey, group] of byPartitionKey(events)) {
          current = group;
          await sendGroup(producer, partitionKey, group, result);
        }
      } catch (error) {
        // The group that failed (every event when no producer could be made), minus what it sent before; later groups were not attempted.
        const settled = new Set([...result.sent, ...result.tooLarge]);
        result.failed = current.map((event) => event.alertId).filter((id) => !settled.has(id));
        result.error = `Sending to Event Hub '${options.eventHubName}' failed: ${describeError(error, secrets)}`;
      } finally {
        await producer?.close().catch(() => undefined);
      }
      return result;
    },
  };
}

/** Sends one key's events, in order, in as few batches as they fit in; an event too large even alone is set aside. */
async function sendGroup(producer: EventHubProducerClient, partitionKey: string, group: readonly AlertExportEvent[], result: AlertExportResult): Promise<void> {
  let batch: EventDataBatch = await producer.createBatch({ partitionKey });
  let inBatch: string[] = [];
  const flush = async (): Promise<void> => {
    if (inBatch.length === 0) return;
    await producer.sendBatch(batch);
    result.sent.push(...inBatch);
    result.batches += 1;
    inBatch = [];
  };
  for (const event of group) {
    const data = { body: Buffer.from(event.body, 'utf8'), contentType: 'application/json' };
    if (batch.tryAdd(data)) {
      inBatch.push(event.alertId);
      continue;
    }
    await flush();
    batch = await producer.createBatch({ partitionKey });
    if (batch.tryAdd(data)) inBatch.push(event.alertId);
    else result.tooLarge.push(event.alertId);
  }
  await flush();
}
