/**
 * From an Event Hub message body to its records. The trigger hands over a string, bytes
 * (UTF-8, maybe with a BOM) or a value it already parsed from JSON. Accepted layouts:
 * - the diagnostic-settings envelope `{"records":[…]}`;
 * - a single record object;
 * - a JSON array of records (or of envelopes);
 * - JSON lines: one JSON value (record, array or envelope) per line.
 * A body that is not JSON, or a line that is not, becomes an `invalid_json` part; the other
 * lines still count.
 */
import type { RejectionReason } from './rejection';

export type BodyPart =
  /** One record: any JSON value (checked later); `text` is its raw text when known exactly. */
  | { kind: 'record'; value: unknown; text: string | undefined }
  /** A piece of the body that yields no record. */
  | { kind: 'invalid'; reason: RejectionReason; detail: string; text: string };

const utf8 = new TextDecoder('utf-8');

/** Text of a byte body: UTF-8, a leading BOM dropped, malformed bytes as U+FFFD. */
export function decodeBytes(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** JSON text of a value for quarantine, never throwing (cycles, BigInt, throwing getters). */
export function safeStringify(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return typeof text === 'string' ? text : String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
}

function isEnvelope(value: unknown): value is { records: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.prototype.hasOwnProperty.call(value, 'records')
  );
}

/**
 * Expands one parsed JSON value into parts: an envelope into its records, an array into its
 * elements (an element that is an envelope is expanded too), anything else into one record.
 * `text` is the raw text of `value` when known; it is passed to a record only when the record
 * is that whole value.
 */
function expand(value: unknown, text: string | undefined, out: BodyPart[]): void {
  if (Array.isArray(value)) {
    for (const element of value) {
      if (isEnvelope(element)) expandEnvelope(element, undefined, out);
      else out.push({ kind: 'record', value: element, text: undefined });
    }
    return;
  }
  if (isEnvelope(value)) {
    expandEnvelope(value, text, out);
    return;
  }
  out.push({ kind: 'record', value, text });
}

function expandEnvelope(envelope: { records: unknown }, text: string | undefined, out: BodyPart[]): void {
  const records = envelope.records;
  if (!Array.isArray(records)) {
    out.push({
      kind: 'invalid',
      reason: 'unknown_format',
      detail: 'records: expected an array of records',
      text: text ?? safeStringify(envelope),
    });
    return;
  }
  for (const record of records) out.push({ kind: 'record', value: record, text: undefined });
}

function describeJsonError(error: unknown): string {
  return error instanceof Error ? error.message : 'not JSON';
}

/** Splits JSON lines; returns undefined when no line at all is JSON (then the body is one bad part). */
function splitJsonLines(text: string): BodyPart[] | undefined {
  const out: BodyPart[] = [];
  let parsedAny = false;
  let start = 0;
  const length = text.length;
  while (start < length) {
    let stop = text.indexOf('\n', start);
    if (stop < 0) stop = length;
    let line = text.slice(start, stop);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    start = stop + 1;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (error) {
      out.push({ kind: 'invalid', reason: 'invalid_json', detail: `line: ${describeJsonError(error)}`, text: line });
      continue;
    }
    parsedAny = true;
    expand(value, line, out);
  }
  return parsedAny ? out : undefined;
}

function splitText(text: string): BodyPart[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    return [{ kind: 'invalid', reason: 'empty_message', detail: 'message body is empty', text: body }];
  }
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch (error) {
    const lines = body.indexOf('\n') >= 0 ? splitJsonLines(body) : undefined;
    if (lines !== undefined) return lines;
    return [{ kind: 'invalid', reason: 'invalid_json', detail: `body: ${describeJsonError(error)}`, text: body }];
  }
  const out: BodyPart[] = [];
  expand(value, body, out);
  return out;
}

/** Splits a message body into record parts, in order. Never throws. */
export function splitBody(body: unknown): BodyPart[] {
  if (typeof body === 'string') return splitText(body);
  if (body instanceof Uint8Array) return splitText(decodeBytes(body));
  if (body instanceof ArrayBuffer) return splitText(decodeBytes(new Uint8Array(body)));
  if (typeof body === 'object' && body !== null) {
    const out: BodyPart[] = [];
    expand(body, undefined, out);
    return out;
  }
  return [
    {
      kind: 'invalid',
      reason: 'unsupported_body',
      detail: `message body is ${body === null ? 'null' : typeof body}, expected JSON text, bytes or an object`,
      text: safeStringify(body),
    },
  ];
}
