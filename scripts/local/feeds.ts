import type { LogHandler } from '@azure/functions';

import type { FunctionDefinition } from '../../functions/registry';
import type { Config } from '../../shared/config';
import { eventHubConnectionOf, startEventHubSource } from '../../shared/azure/eventHubSource';
import type { Label } from '../../shared/generator';
import type { PartitionStateStore } from '../../shared/ports';
import { TableCheckpointStore } from '../../shared/storage/eventHubCheckpointStore';
import { TableNames, type TableFactory } from '../../shared/storage/tables';
import { linesAsBatches } from '../messageLines';
import { runDemo, type DemoOptions } from './demoFeed';
import { invokeEventHubFunction, replayPartitionId } from './ingestFeed';

type EventHubDefinition = Extract<FunctionDefinition, { trigger: 'eventHub' }>;

/** A source of batches for the ingest function; `done` settles when a finite source ends. */
export interface RunningFeed {
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads the configured Event Hub with the SDK's consumer, checkpoints in Table Storage, and
 * hands each batch to the ingest function as the host would.
 */
export async function startEventHubFeed(options: {
  config: Config;
  ingest: EventHubDefinition;
  logHandler: LogHandler;
  tables: TableFactory;
}): Promise<RunningFeed> {
  const checkpointStore = new TableCheckpointStore(await options.tables.table(TableNames.eventHubCheckpoints));
  const source = await startEventHubSource(
    {
      connection: eventHubConnectionOf(options.config),
      eventHubName: options.config.eventHubName,
      consumerGroup: options.config.eventHubConsumerGroup,
      checkpointStore,
      maxBatchSize: 500,
      maxWaitTimeInSeconds: 5,
      logger: {
        info: (event, fields) => options.logHandler('information', event, fields),
        warn: (event, fields) => options.logHandler('warning', event, fields),
        error: (event, fields) => options.logHandler('error', event, fields),
      },
    },
    (batch) => invokeEventHubFunction(options.ingest, batch, options.logHandler),
  );
  return { done: new Promise<void>(() => undefined), stop: () => source.close() };
}

/** Ingests a file (or stdin) of message bodies, one per line, under a pseudo partition named after it. */
export async function startReplayFeed(options: {
  file: string;
  ingest: EventHubDefinition;
  logHandler: LogHandler;
  say: (text: string) => void;
}): Promise<RunningFeed> {
  const partitionId = await replayPartitionId(options.file);
  const controller = new AbortController();
  const done = (async () => {
    let messages = 0;
    for await (const batch of linesAsBatches(options.file, 500)) {
      if (controller.signal.aborted) return;
      await invokeEventHubFunction(options.ingest, { partitionId, messages: batch }, options.logHandler);
      messages += batch.length;
    }
    options.say(`  replay    done: ${messages} messages from ${options.file === '-' ? 'stdin' : options.file} (partition ${partitionId})`);
  })();
  return {
    done,
    stop: async () => {
      controller.abort();
      await done.catch(() => undefined);
    },
  };
}

/** Runs the built-in demo; resumes live traffic after the latest stored event time on a restart. */
export function startDemoFeed(options: {
  demo: DemoOptions;
  ingest: EventHubDefinition;
  logHandler: LogHandler;
  partitions: PartitionStateStore;
  say: (text: string) => void;
  describeLabel: (label: Label) => string;
  /** Learn baselines from everything before `asOf` (the clean part of the history). */
  learn: (asOf: Date) => Promise<void>;
  /** Evaluate the windows closed so far. */
  evaluate: () => Promise<void>;
}): RunningFeed {
  const controller = new AbortController();
  const done = (async () => {
    const times = (await options.partitions.list()).map((p) => p.lastEventTime).filter((t): t is number => t !== undefined);
    const resumeFrom = times.length > 0 ? new Date(Math.max(...times)) : undefined;
    await runDemo(
      options.demo,
      {
        onPhase: (phase, detail) => {
          if (phase === 'history') {
            options.say(`  demo      replaying history from ${detail.from.toISOString()} (~${detail.estimatedMessages ?? 0} messages, ${detail.labels.length} attacks in its last day)`);
            for (const skipped of detail.skipped) options.say(`  demo      not injected: ${skipped.alertType} (${skipped.reason})`);
          } else {
            options.say(`  demo      live traffic from ${detail.from.toISOString()}`);
          }
        },
        onLabel: (label) => options.say(`  attack    ${label.start} ${options.describeLabel(label)}`),
        onWarmupEnd: async (asOf) => {
          options.say(`  demo      learning baselines from the history before ${asOf.toISOString()}`);
          await options.learn(asOf);
        },
        onHistoryDone: () => options.evaluate(),
        onBatch: (batch) => invokeEventHubFunction(options.ingest, batch, options.logHandler),
      },
      { signal: controller.signal, now: () => new Date(), resumeFrom },
    );
  })();
  return {
    done,
    stop: async () => {
      controller.abort();
      await done.catch(() => undefined);
    },
  };
}
