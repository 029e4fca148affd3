/**
 * Scalar field readers shared by both input formats. Each returns undefined for a value it
 * does not accept; callers turn that into a rejection naming the field.
 */

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An ISO 8601 date-time as epoch milliseconds. Accepts up to 9 fractional digits (APIM writes
 * 7: "2024-05-13T09:15:26.4496706Z"), truncated to the millisecond, and a "Z" or ±hh:mm offset.
 * A time without an offset is taken as UTC (.NET's round-trip format of a DateTime of unspecified
 * kind looks like that). Years 1970–9999 only; calendar dates are checked (no February 30th).
 */
export function parseEventTime(text: string): number | undefined {
  if (text.length > 40) return undefined;
  const match = ISO_TIME.exec(text);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (DAYS_IN_MONTH[month - 1] ?? 0) || (month === 2 && day === 29 && !leap)) return undefined;
  const fraction = match[7];
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (match[9] !== undefined) {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

const DECIMAL = /^[0-9]{1,15}(?:\.[0-9]{1,9})?$/;

/** A finite, non-negative number, given as a JSON number or a plain decimal string ("12", "3.5"). */
export function readNonNegative(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    return DECIMAL.test(text) ? Number(text) : undefined;
  }
  return undefined;
}

/** An HTTP status: an integer from 0 (no response was sent) to 999, as a number or digit string. */
export function readStatus(value: unknown): number | undefined {
  const number = readNonNegative(value);
  return number !== undefined && Number.isInteger(number) && number <= 999 ? number : undefined;
}

const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;

/** An HTTP method (an RFC 9110 token of at most 32 characters), upper-cased. */
export function readMethod(value: string): string | undefined {
  const text = value.trim();
  return METHOD_TOKEN.test(text) ? text.toUpperCase() : undefined;
}

/** A string with surrounding whitespace removed, or undefined when that leaves nothing. */
export function optionalText(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  return text === '' ? undefined : text;
}

const APIM_SERVICE = /\/providers\/microsoft\.apimanagement\/service\/([^/]+)/i;

/**
 * The APIM service name from an ARM resource id
 * ("/SUBSCRIPTIONS/…/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/CONTOSO-APIM" → "contoso-apim"),
 * or "" when the id does not name one.
 */
export function serviceFromResourceId(resourceId: string | null | undefined): string {
  if (typeof resourceId !== 'string') return '';
  const match = APIM_SERVICE.exec(resourceId);
  return match?.[1]?.toLowerCase() ?? '';
}
