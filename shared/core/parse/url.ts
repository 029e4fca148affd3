/**
 * URL splitting, percent-decoding and query parameters, by hand: this runs for every request,
 * and a hand-written scan is several times faster than `new URL()` (which also normalizes
 * paths, and so would hide `..` and `%2e` tricks that a detector wants to see as sent).
 */
import type { RequestParam } from '../requestEvent';

/** Most parameters kept per request and location; the rest are dropped. */
export const MAX_PARAMS = 100;

export interface SplitUrl {
  /** The path as sent, percent-encoding kept; "/" when the URL has none. */
  path: string;
  /** The query without its "?", or undefined when the URL has no "?". */
  query: string | undefined;
}

function isSchemeChar(code: number, first: boolean): boolean {
  const letter = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
  if (first) return letter;
  return letter || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2d || code === 0x2e;
}

/**
 * Splits an absolute URL ("https://host:443/path?query#fragment") or an origin-form target
 * ("/path?query") into path and query. Returns undefined for anything else: empty text,
 * whitespace or control characters anywhere, a missing or malformed scheme, an empty host.
 * The fragment, if any, is dropped.
 */
export function splitUrl(url: string): SplitUrl | undefined {
  const length = url.length;
  if (length === 0) return undefined;
  let pathStart: number;
  let queryStart = -1;
  let end = length;

  if (url.charCodeAt(0) === 0x2f /* / */) {
    pathStart = 0;
  } else {
    // scheme "://" authority
    let i = 0;
    while (i < length && isSchemeChar(url.charCodeAt(i), i === 0)) i += 1;
    if (i === 0 || url.charCodeAt(i) !== 0x3a || url.charCodeAt(i + 1) !== 0x2f || url.charCodeAt(i + 2) !== 0x2f) {
      return undefined;
    }
    const authorityStart = i + 3;
    let j = authorityStart;
    while (j < length) {
      const code = url.charCodeAt(j);
      if (code === 0x2f || code === 0x3f || code === 0x23) break;
      if (code <= 0x20 || code === 0x7f) return undefined;
      j += 1;
    }
    if (j === authorityStart) return undefined;
    pathStart = j;
  }

  for (let k = pathStart; k < length; k += 1) {
    const code = url.charCodeAt(k);
    if (code <= 0x20 || code === 0x7f) return undefined;
    if (code === 0x23 /* # */) {
      end = k;
      break;
    }
    if (code === 0x3f /* ? */ && queryStart < 0) queryStart = k;
  }

  const pathEnd = queryStart >= 0 ? queryStart : end;
  const path = pathStart === pathEnd ? '/' : url.slice(pathStart, pathEnd);
  const query = queryStart >= 0 ? url.slice(queryStart + 1, end) : undefined;
  return { path, query };
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** The byte of a "%XX" escape at `index`, or -1 when there is no valid escape there. */
function escapedByte(text: string, index: number): number {
  if (index + 2 >= text.length || text.charCodeAt(index) !== 0x25) return -1;
  const high = hexValue(text.charCodeAt(index + 1));
  const low = hexValue(text.charCodeAt(index + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/**
 * Percent-decodes what can be decoded and keeps the raw text of what cannot: an escape that is
 * not "%" + two hex digits, or escaped bytes that are not valid UTF-8 (truncated, overlong,
 * surrogates), stay as written. Never throws.
 */
function lenientDecode(text: string): string {
  let out = '';
  let i = 0;
  const length = text.length;
  while (i < length) {
    const lead = text.charCodeAt(i) === 0x25 ? escapedByte(text, i) : -1;
    if (lead < 0) {
      const next = text.indexOf('%', i + 1);
      const stop = next < 0 ? length : next;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    let needed: number;
    let codePoint: number;
    let minimum: number;
    if (lead < 0x80) {
      out += String.fromCharCode(lead);
      i += 3;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      needed = 1;
      codePoint = lead & 0x1f;
      minimum = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      codePoint = lead & 0x0f;
      minimum = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      codePoint = lead & 0x07;
      minimum = 0x10000;
    } else {
      out += text.slice(i, i + 3);
      i += 3;
      continue;
    }
    let valid = true;
    for (let k = 1; k <= needed; k += 1) {
      const byte = escapedByte(text, i + k * 3);
      if (byte < 0 || (byte & 0xc0) !== 0x80) {
        valid = false;
        break;
      }
      codePoint = (codePoint << 6) | (byte & 0x3f);
    }
    if (valid && codePoint >= minimum && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      out += String.fromCodePoint(codePoint);
      i += (needed + 1) * 3;
    } else {
      out += text.slice(i, i + 3);
      i += 3;
    }
  }
  return out;
}

const PLUS = /\+/g;

/**
 * Percent-decodes a URL component; with `plusAsSpace` (query strings) "+" means a space.
 * Malformed escapes are kept as raw text rather than failing.
 */
export function decodeComponent(text: string, plusAsSpace: boolean): string {
  const spaced = plusAsSpace && text.indexOf('+') >= 0 ? text.replace(PLUS, ' ') : text;
  if (spaced.indexOf('%') < 0) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return lenientDecode(spaced);
  }
}

/**
 * Appends the query's parameters to `into`, in order: "a=1&a=2" gives two parameters named
 * "a". Names and values are decoded ("+" as space); a piece without "=" is a name with an
 * empty value; empty pieces ("a=1&&b=2") are skipped. At most {@link MAX_PARAMS} are kept.
 */
export function parseQuery(query: string, into: RequestParam[]): void {
  const length = query.length;
  let start = 0;
  let kept = 0;
  while (start <= length && kept < MAX_PARAMS) {
    let stop = query.indexOf('&', start);
    if (stop < 0) stop = length;
    if (stop > start) {
      const equals = query.indexOf('=', start);
      const hasValue = equals >= 0 && equals < stop;
      const name = decodeComponent(query.slice(start, hasValue ? equals : stop), true);
      const value = hasValue ? decodeComponent(query.slice(equals + 1, stop), true) : '';
      into.push({ name, value, location: 'query' });
      kept += 1;
    }
    start = stop + 1;
  }
}
