import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

import { parseMessage, type ParseOptions } from '../shared/core/parse';
import { linesAsBatches } from './messageLines';

export interface ParseFileResult {
  messages: number;
  records: number;
  events: number;
  skipped: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
}

/**
 * Parses a file of Event Hub message bodies, one per line ("-" for stdin), writing each
 * normalized RequestEvent as a JSON line to `out` and each rejection to `quarantineOut` if given.
 * Bad records are counted, never fatal.
 */
export async function parseFile(
  source: string,
  options: ParseOptions & { out: Writable; quarantineOut?: string; onProgress?: (bytesRead: number) => void },
): Promise<ParseFileResult> {
  const result: ParseFileResult = { messages: 0, records: 0, events: 0, skipped: 0, quarantined: 0, quarantinedByReason: {} };
  const quarantine: WriteStream | undefined = options.quarantineOut === undefined ? undefined : createWriteStream(options.quarantineOut);
  for await (const batch of linesAsBatches(source, 500)) {
    let chunk = '';
    let rejected = '';
    for (const message of batch) {
      result.messages += 1;
      const position = { partitionId: 'file', sequenceNumber: message.sequenceNumber, offset: message.offset };
      for (const parsed of parseMessage(message.body, position, options)) {
        result.records += 1;
        if (parsed.kind === 'event') {
          result.events += 1;
          chunk += `${JSON.stringify(parsed.event)}\n`;
        } else if (parsed.kind === 'rejected') {
          result.quarantined += 1;
          const reason = parsed.rejection.reason;
          result.quarantinedByReason[reason] = (result.quarantinedByReason[reason] ?? 0) + 1;
          rejected += `${JSON.stringify(parsed.rejection)}\n`;
        } else {
          result.skipped += 1;
        }
      }
    }
    if (!options.out.write(chunk)) await once(options.out, 'drain');
    if (quarantine !== undefined && rejected !== '' && !quarantine.write(rejected)) await once(quarantine, 'drain');
    options.onProgress?.(Number(batch[batch.length - 1]?.offset ?? 0));
  }
  if (quarantine !== undefined) await new Promise<void>((resolve, reject) => quarantine.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return result;
}
