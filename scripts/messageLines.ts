import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One message body read from a line, with a stable position: line number and byte offset. */
export interface LineMessage {
  body: string;
  sequenceNumber: number;
  offset: string;
}

/**
 * Reads message bodies, one per line, from a file or stdin ("-") and yields them in batches.
 * A line's sequence number is its line number and its offset the byte offset of its start
 * (LF line endings), so positions are stable across replays. Blank lines are passed over.
 */
export async function* linesAsBatches(source: string | Readable, batchSize: number): AsyncIterable<LineMessage[]> {
  const input = typeof source === 'string' ? (source === '-' ? process.stdin : createReadStream(source)) : source;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let batch: LineMessage[] = [];
  let lineNumber = 0;
  let offset = 0;
  for await (const line of lines) {
    const start = offset;
    offset += Buffer.byteLength(line) + 1;
    lineNumber += 1;
    if (line.trim() === '') continue;
    batch.push({ body: line, sequenceNumber: lineNumber, offset: String(start) });
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
