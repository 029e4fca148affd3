/**
 * Turns the first zod issue of a failed record into a stable rejection code and a detail
 * naming the field.
 */
import type { z } from 'zod';

import { describeValue, type RejectionReason } from './rejection';

/** Per field path ("properties.url"): the code when it is missing, and when it is malformed. */
export type IssueCodes = Readonly<Record<string, readonly [missing: RejectionReason, bad: RejectionReason]>>;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

export function issueToRejection(
  error: z.ZodError,
  input: unknown,
  codes: IssueCodes,
): { reason: RejectionReason; detail: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { reason: 'bad_field', detail: 'record: invalid' };
  const path = issue.path.map(String).join('.');
  const value = valueAt(input, issue.path);
  const missing = value === undefined || value === null;
  const [missingCode, badCode] = codes[path] ?? ['missing_field', 'bad_field'];
  if (missing) return { reason: missingCode, detail: `${path}: missing` };
  const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message;
  return { reason: badCode, detail: `${path}: ${expected}, got ${describeValue(value)}` };
}
