/**
 * Field schemas and patterns that suppression and automation rules share, so both validate and
 * match the same way. Pure.
 */
import { z } from 'zod';

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Trimmed, non-empty text of at most `max` characters, without control characters. */
export function ruleText(max: number) {
  return z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !CONTROL.test(value), { error: 'must not contain control characters' });
}

export const ruleIsoTime = z
  .string({ error: 'must be an ISO 8601 date-time string' })
  .trim()
  .pipe(z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z' }));

export const ruleId = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(RULE_ID, { error: 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit' });

/** The error of a strict object: names unknown fields. */
export const strictObjectError = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys' ? `unknown field(s): ${(issue.keys ?? []).join(', ')}` : 'must be an object',
};

/** A glob where `*` matches any run of characters, case-insensitive, anchored. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'is');
}

/** Validation issues as "<field path>: <message>", the first naming the field a 400 reports. */
export function issueLines(issues: readonly { path: readonly PropertyKey[]; message: string }[], root: string): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path === '' ? root : path}: ${issue.message}`;
  });
}
