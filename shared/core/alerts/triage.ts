/**
 * Triage: what analysts change on an alert (status with a comment, owner, tags, whether it was
 * useful), validated once and applied as one recorded history entry. Pure: who and when are
 * parameters.
 */
import { z } from 'zod';

import { ValidationError } from '../../errors';
import { ALERT_STATUSES, type Alert, type AlertHistoryEntry } from './alert';
import { ruleText } from './ruleFields';

/** History kept per alert; older entries are dropped first, so a noisy alert's record stays bounded. */
export const MAX_HISTORY = 100;
/** Tags per alert. */
export const MAX_TAGS = 20;

/** A tag: a short label of letters, digits and `-_.:/@ ` (e.g. "false-positive", "case:4711"). */
export const tagSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:/@-]{0,63}$/u, { error: 'must be 1-64 letters, digits or - _ . : / @ and spaces, starting with a letter or digit' });

const tagList = z.array(tagSchema).min(1).max(MAX_TAGS);

/** One triage change; at least one field. `owner: null` unassigns. */
export const triageChangeSchema = z
  .strictObject({
    status: z.enum(ALERT_STATUSES, { error: `must be one of ${ALERT_STATUSES.join(', ')}` }).optional(),
    comment: ruleText(2000).optional(),
    owner: ruleText(256).nullable().optional(),
    addTags: tagList.optional(),
    removeTags: tagList.optional(),
    feedback: z.strictObject({ useful: z.boolean({ error: 'must be true or false' }), reason: ruleText(1000).optional() }).optional(),
  })
  .refine((change) => Object.keys(change).length > 0, { error: 'give at least one of status, comment, owner, addTags, removeTags, feedback' });

export type TriageChange = z.infer<typeof triageChangeSchema>;

/**
 * The alert with the change applied and recorded (who, when, before → after, comment), or the
 * alert unchanged when the change changes nothing (setting the status it has, adding tags it
 * carries); a comment alone is recorded. The input is not modified.
 *
 * @throws ValidationError when the alert would carry more than {@link MAX_TAGS} tags.
 */
export function applyTriage(alert: Alert, change: TriageChange, by: string, at: Date): { alert: Alert; changed: boolean } {
  const entry: AlertHistoryEntry = { by, at: at.toISOString() };
  const next: Alert = { ...alert };
  if (change.status !== undefined && change.status !== alert.status) {
    entry.status = { from: alert.status, to: change.status };
    next.status = change.status;
  }
  if (change.owner !== undefined && change.owner !== (alert.owner ?? null)) {
    entry.owner = { from: alert.owner ?? null, to: change.owner };
    if (change.owner === null) delete next.owner;
    else next.owner = change.owner;
  }
  applyTags(next, entry, change);
  if (change.feedback !== undefined) {
    entry.feedback = { ...change.feedback };
    next.feedback = { ...change.feedback, by, at: entry.at };
  }
  if (change.comment !== undefined) entry.comment = change.comment;
  const changed = Object.keys(entry).length > 2;
  if (!changed) return { alert, changed };
  next.history = [...(alert.history ?? []), entry].slice(-MAX_HISTORY);
  return { alert: next, changed };
}

/** Adds and removes tags (case-insensitively unique, first spelling kept), recording what actually changed. */
function applyTags(next: Alert, entry: AlertHistoryEntry, change: TriageChange): void {
  const tags = [...(next.tags ?? [])];
  const has = (tag: string): number => tags.findIndex((existing) => existing.toLowerCase() === tag.toLowerCase());
  const added = (change.addTags ?? []).filter((tag) => {
    if (has(tag) >= 0) return false;
    tags.push(tag);
    return true;
  });
  const removed = (change.removeTags ?? []).flatMap((tag) => {
    const index = has(tag);
    return index < 0 ? [] : tags.splice(index, 1);
  });
  if (tags.length > MAX_TAGS) throw new ValidationError(`addTags: an alert carries at most ${MAX_TAGS} tags`, 'addTags');
  if (added.length > 0) entry.tagsAdded = added;
  if (removed.length > 0) entry.tagsRemoved = removed;
  if (added.length > 0 || removed.length > 0) next.tags = tags;
}
