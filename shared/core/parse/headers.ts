/**
 * Logged HTTP headers, client-IP resolution through trusted proxies, and Content-Length.
 */
import { type CidrSet, normalizeIp } from '../ip';

/** Header values by lower-case name; repeated headers are joined with ", " as HTTP allows. */
export type HeaderMap = ReadonlyMap<string, string>;

const EMPTY_HEADERS: HeaderMap = new Map();

function headerValueText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) {
    let joined: string | undefined;
    for (const item of value) {
      const text = headerValueText(item);
      if (text === undefined) continue;
      joined = joined === undefined ? text : `${joined}, ${text}`;
    }
    return joined;
  }
  return undefined;
}

function addHeader(map: Map<string, string>, name: unknown, value: unknown): void {
  if (typeof name !== 'string' || name === '') return;
  const text = headerValueText(value);
  if (text === undefined) return;
  const key = name.trim().toLowerCase();
  const existing = map.get(key);
  map.set(key, existing === undefined ? text : `${existing}, ${text}`);
}

/**
 * Reads a logged header collection, tolerating the shapes it is seen in:
 * - an object of name → value, the value a string or an array of strings
 *   (`{"User-Agent": "curl/8.5.0", "X-Forwarded-For": ["203.0.113.7"]}`), which is how
 *   APIM's `azuremonitor` diagnostic writes `requestHeaders`/`responseHeaders`;
 * - the same object serialized as a JSON string;
 * - an array of `{ "name": …, "value": … }` pairs.
 * Names are matched case-insensitively. Anything else reads as no headers.
 */
export function readHeaders(raw: unknown): HeaderMap {
  if (raw === undefined || raw === null) return EMPTY_HEADERS;
  let value: unknown = raw;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '' || (trimmed.charCodeAt(0) !== 0x7b && trimmed.charCodeAt(0) !== 0x5b)) return EMPTY_HEADERS;
    try {
      value = JSON.parse(trimmed) as unknown;
    } catch {
      return EMPTY_HEADERS;
    }
  }
  if (typeof value !== 'object' || value === null) return EMPTY_HEADERS;
  const map = new Map<string, string>();
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
        const pair = item as Record<string, unknown>;
        addHeader(map, pair['name'] ?? pair['Name'], pair['value'] ?? pair['Value']);
      }
    }
  } else {
    for (const name of Object.keys(value)) addHeader(map, name, (value as Record<string, unknown>)[name]);
  }
  return map;
}

/** A header's value by case-insensitive name; undefined when absent or empty. */
export function headerValue(headers: HeaderMap, lowerCaseName: string): string | undefined {
  const value = headers.get(lowerCaseName);
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The client's IP. When the immediate caller is a trusted proxy, the X-Forwarded-For list is
 * walked from the right (each proxy appends the peer it saw) past trusted proxies; the first
 * entry that is not a trusted proxy is the client. If that entry is not an IP address, if every
 * entry is a trusted proxy, or if there is no list, the caller itself is the client. A caller
 * that is not a trusted proxy is always the client: its X-Forwarded-For could say anything.
 */
export function resolveClientIp(callerIp: string, forwardedFor: string | undefined, trusted: CidrSet): string {
  if (forwardedFor === undefined || trusted.size === 0 || !trusted.contains(callerIp)) return callerIp;
  let end = forwardedFor.length;
  while (end > 0) {
    const comma = forwardedFor.lastIndexOf(',', end - 1);
    const entry = forwardedFor.slice(comma + 1, end).trim();
    end = comma < 0 ? 0 : comma;
    if (entry === '') continue;
    const ip = normalizeIp(entry);
    if (ip === undefined) return callerIp;
    if (!trusted.contains(ip)) return ip;
  }
  return callerIp;
}

const DIGITS = /^[0-9]{1,15}$/;

/**
 * A Content-Length as a byte count: a non-negative integer, or a decimal string of one.
 * Repeated identical values ("42, 42") count once; differing or malformed values read as
 * undefined, as HTTP requires them to be treated.
 */
export function parseContentLength(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  let result: number | undefined;
  for (const part of value.split(',')) {
    const text = part.trim();
    if (!DIGITS.test(text)) return undefined;
    const number = Number(text);
    if (result !== undefined && result !== number) return undefined;
    result = number;
  }
  return result;
}
