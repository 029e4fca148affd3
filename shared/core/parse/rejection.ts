/**
 * Why a record was refused, as stable snake_case codes. Quarantine rows, counters and
 * dashboards key on these codes, so existing ones are never renamed; new ones may be added.
 */
import type { InputFormat, SourcePosition } from '../requestEvent';

export type RejectionReason =
  /** The message (or one line of JSON lines) is not JSON. */
  | 'invalid_json'
  /** The message body is empty or only whitespace. */
  | 'empty_message'
  /** The message body is of a type the trigger should never hand over (number, boolean, null, …). */
  | 'unsupported_body'
  /** A record is a JSON value that is not an object (a string, number, nested array, …). */
  | 'not_an_object'
  /** An object that is neither a diagnostic-settings record nor a policy-log record. */
  | 'unknown_format'
  /** A policy-log record with a version (`v`) this parser does not know. */
  | 'unsupported_version'
  /** The record has no event time. */
  | 'missing_time'
  /** The event time is not an ISO 8601 date-time (UTC, or with an offset). */
  | 'bad_time'
  /** The record has no caller IP. */
  | 'missing_ip'
  /** The caller IP is not an IPv4 or IPv6 address. */
  | 'bad_ip'
  /** The record has no HTTP method. */
  | 'missing_method'
  /** The HTTP method is not an HTTP token. */
  | 'bad_method'
  /** The record has no URL. */
  | 'missing_url'
  /** The URL cannot be parsed as an absolute URL or an origin-form path. */
  | 'bad_url'
  /** The record has no response status. */
  | 'missing_status'
  /** The status is not an integer from 0 to 999. */
  | 'bad_status'
  /** A required number is missing, or a size or duration is not a finite non-negative number. */
  | 'bad_number'
  /** Another field has the wrong type (for example `properties` is not an object, `apiId` not a string). */
  | 'bad_field'
  /** A required field other than the ones above is missing. */
  | 'missing_field'
  /** The event time is more than the allowed skew after the time the message reached the Event Hub: a clock or data error. */
  | 'time_in_future'
  /** The parser itself failed on this record. Never expected; kept so that nothing is lost. */
  | 'internal_error';

/** A record that failed validation: goes to quarantine with the reason, never silently dropped. */
export interface Rejection {
  reason: RejectionReason;
  /** Human-readable explanation naming the field, e.g. `properties.responseCode: expected an integer, got "abc"`. */
  detail: string;
  /** The record's text, cut to `maxRawChars` characters. */
  raw: string;
  /** Length of the record's full text, in UTF-16 code units (what `raw.length` would have been). */
  rawLength: number;
  /** The format the record was recognized as, when it got that far. */
  format?: InputFormat;
  source: SourcePosition;
}

/** Cuts text to at most `max` UTF-16 code units without leaving half of a surrogate pair. */
export function cutRaw(text: string, max: number): string {
  const limit = Number.isFinite(max) && max > 0 ? Math.floor(max) : 0;
  if (text.length <= limit) return text;
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** Builds a rejection whose raw text is cut to `maxRawChars`. */
export function makeRejection(
  reason: RejectionReason,
  detail: string,
  rawText: string,
  maxRawChars: number,
  source: SourcePosition,
  format?: InputFormat,
): Rejection {
  const rejection: Rejection = {
    reason,
    detail,
    raw: cutRaw(rawText, maxRawChars),
    rawLength: rawText.length,
    source,
  };
  if (format !== undefined) rejection.format = format;
  return rejection;
}

/** A short, safe rendering of a bad value for a rejection's detail text. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
