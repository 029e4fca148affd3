/**
 * Path parameters and path templates.
 *
 * APIM's logs name the matched operation but not its URL template, so path parameters are
 * found by shape: a segment that looks like an identifier is a parameter. The same test folds
 * the paths of unmatched requests into templates, so that "/users/123" and "/users/456" are
 * one endpoint. What counts as an identifier:
 *
 * - an integer: "123", "0042";
 * - a UUID: "3f06647e-1c2b-4b8e-9d1a-530eb9f15261" (any case);
 * - a hex token of 8 or more characters with at least one digit: "5f8d0d55b547", a Mongo id
 *   (requiring a digit keeps words spelled only with a–f, like "acceded", out);
 * - a ULID: 26 Crockford base-32 characters starting with 0–7;
 * - a long base64url-like token: 16+ characters of [A-Za-z0-9_-] with at least one letter whose
 *   character classes (upper, lower, digit) change often, as random text does and words do not
 *   (at least 35% of neighbouring pairs with a digit present, 50% and both cases without);
 * - an e-mail address: "someone@example.com" (also percent-encoded "%40");
 * - any segment longer than 64 characters (keeps templates, and so endpoint keys, bounded).
 *
 * Path parameters are named by their position among identifier segments: "{id1}", "{id2}", …
 * ("/users/123/orders/9" gives {id1}=123 and {id2}=9). Their values are percent-decoded.
 *
 * Templates ("GET /users/{id}/orders/{id}") lower-case the fixed segments: APIM matches URL
 * paths case-insensitively, so "/Users/1" and "/users/1" reach the same place, and a scanner
 * varying case should not mint endpoints. Percent-encoding in fixed segments is kept.
 */
import type { RequestParam } from '../requestEvent';
import { cutRaw } from './rejection';
import { decodeComponent, MAX_PARAMS } from './url';

/** Longest template kept; longer ones are cut and end with "…". */
export const MAX_TEMPLATE_CHARS = 512;
/** Segments longer than this are folded whatever they contain. */
const MAX_FIXED_SEGMENT_CHARS = 64;

const EMAIL = /^[^@\s/]+@[^@\s/]+\.[A-Za-z]{2,}$/;

const CLASS_OTHER = 0;
const CLASS_DIGIT = 1;
const CLASS_UPPER = 2;
const CLASS_LOWER = 3;
const CLASS_SEPARATOR = 4;

function charClass(code: number): number {
  if (code >= 0x30 && code <= 0x39) return CLASS_DIGIT;
  if (code >= 0x41 && code <= 0x5a) return CLASS_UPPER;
  if (code >= 0x61 && code <= 0x7a) return CLASS_LOWER;
  if (code === 0x2d || code === 0x5f) return CLASS_SEPARATOR;
  return CLASS_OTHER;
}

function isHexCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

function isUuid(segment: string): boolean {
  if (segment.length !== 36) return false;
  for (let i = 0; i < 36; i += 1) {
    const code = segment.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) return false;
    } else if (!isHexCode(code)) {
      return false;
    }
  }
  return true;
}

function isCrockford(code: number): boolean {
  // 0-9 and A-Z without I, L, O, U, either case.
  if (code >= 0x30 && code <= 0x39) return true;
  const upper = code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
  return upper >= 0x41 && upper <= 0x5a && upper !== 0x49 && upper !== 0x4c && upper !== 0x4f && upper !== 0x55;
}

function isUlid(segment: string): boolean {
  if (segment.length !== 26) return false;
  const first = segment.charCodeAt(0);
  if (first < 0x30 || first > 0x37) return false;
  for (let i = 1; i < 26; i += 1) if (!isCrockford(segment.charCodeAt(i))) return false;
  return true;
}

/** Whether a raw (still percent-encoded) path segment looks like an identifier. */
export function isIdSegment(segment: string): boolean {
  const length = segment.length;
  if (length === 0) return false;
  if (length > MAX_FIXED_SEGMENT_CHARS) return true;

  let digits = 0;
  let hex = 0;
  let letters = 0;
  let upper = 0;
  let lower = 0;
  let base64url = 0;
  let changes = 0;
  let previous = -1;
  let hasAt = false;
  for (let i = 0; i < length; i += 1) {
    const code = segment.charCodeAt(i);
    const cls = charClass(code);
    if (cls === CLASS_DIGIT) digits += 1;
    else if (cls === CLASS_UPPER) upper += 1;
    else if (cls === CLASS_LOWER) lower += 1;
    if (cls !== CLASS_OTHER) base64url += 1;
    if (isHexCode(code)) hex += 1;
    if (code === 0x40 /* @ */) hasAt = true;
    if (cls === CLASS_SEPARATOR || cls === CLASS_OTHER) {
      previous = -1;
    } else {
      if (previous >= 0 && previous !== cls) changes += 1;
      previous = cls;
    }
  }
  letters = upper + lower;

  if (digits === length) return true;
  if (hex === length && length >= 8 && digits > 0) return true;
  if (isUuid(segment) || isUlid(segment)) return true;
  if (base64url === length && length >= 16 && letters > 0) {
    const ratio = changes / (length - 1);
    if (digits > 0 ? ratio >= 0.35 : upper > 0 && lower > 0 && ratio >= 0.5) return true;
  }
  if (hasAt) return EMAIL.test(segment);
  if (segment.indexOf('%40') >= 0) {
    return EMAIL.test(decodeComponent(segment, false));
  }
  return false;
}

/**
 * Appends the path's identifier segments to `params` as "{id1}", "{id2}", … and, when
 * `method` is given, returns the folded template "METHOD /fixed/{id}" (else "").
 */
export function analyzePath(path: string, method: string | undefined, params: RequestParam[]): string {
  const folding = method !== undefined;
  let template = folding ? `${method} ` : '';
  const prefixLength = template.length;
  const length = path.length;
  let found = 0;
  // Segments run between "/"s; a leading "/" opens the first one.
  let start = length > 0 && path.charCodeAt(0) === 0x2f ? 1 : 0;
  for (;;) {
    let stop = path.indexOf('/', start);
    if (stop < 0) stop = length;
    const segment = path.slice(start, stop);
    if (isIdSegment(segment)) {
      found += 1;
      if (found <= MAX_PARAMS) {
        params.push({ name: `{id${found}}`, value: decodeComponent(segment, false), location: 'path' });
      }
      if (folding) template += '/{id}';
    } else if (folding) {
      template += `/${segment.toLowerCase()}`;
    }
    if (stop >= length) break;
    start = stop + 1;
  }
  if (template.length - prefixLength > MAX_TEMPLATE_CHARS) {
    return `${cutRaw(template, prefixLength + MAX_TEMPLATE_CHARS)}…`;
  }
  return template;
}
