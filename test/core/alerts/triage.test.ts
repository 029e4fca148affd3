import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { newAlert } from '../../../shared/core/alerts/alert';
import { applyTriage, MAX_HISTORY, MAX_TAGS, triageChangeSchema } from '../../../shared/core/alerts/triage';
import { ValidationError } from '../../../shared/errors';
import { spikeFinding, T0 } from './helpers';

const alert = newAlert(spikeFinding(), { detectedAt: new Date(T0) });
const at = new Date('2026-11-23T09:00:00Z');

describe('applyTriage', () => {
  test('records status, owner, tags, feedback and the comment in one history entry with who and when', () => {
    const { alert: next, changed } = applyTriage(
      alert,
      { status: 'InProgress', owner: 'ana@contoso.com', addTags: ['case:1'], feedback: { useful: true, reason: 'real attack' }, comment: 'looking' },
      'ana@contoso.com',
      at,
    );
    assert.equal(changed, true);
    assert.equal(next.status, 'InProgress');
    assert.equal(next.owner, 'ana@contoso.com');
    assert.deepEqual(next.tags, ['case:1']);
    assert.deepEqual(next.feedback, { useful: true, reason: 'real attack', by: 'ana@contoso.com', at: at.toISOString() });
    assert.deepEqual(next.history, [
      {
        by: 'ana@contoso.com',
        at: at.toISOString(),
        status: { from: 'Active', to: 'InProgress' },
        owner: { from: null, to: 'ana@contoso.com' },
        tagsAdded: ['case:1'],
        feedback: { useful: true, reason: 'real attack' },
        comment: 'looking',
      },
    ]);
    assert.equal(alert.status, 'Active', 'the input is not modified');
    assert.equal(alert.history, undefined);
  });

  test('a change that changes nothing is not recorded; a comment alone is', () => {
    assert.equal(applyTriage(alert, { status: 'Active' }, 'bob', at).changed, false);
    assert.equal(applyTriage(alert, { removeTags: ['absent'] }, 'bob', at).changed, false);
    const commented = applyTriage(alert, { comment: 'seen this before' }, 'bob', at);
    assert.equal(commented.changed, true);
    assert.deepEqual(commented.alert.history?.[0], { by: 'bob', at: at.toISOString(), comment: 'seen this before' });
  });

  test('tags are unique ignoring case; removal records only what was there; owner null unassigns', () => {
    const tagged = applyTriage({ ...alert, tags: ['Case:1'], owner: 'ana' }, { addTags: ['case:1', 'fp'], removeTags: ['CASE:1', 'nope'], owner: null }, 'bob', at).alert;
    assert.deepEqual(tagged.tags, ['fp']);
    assert.equal(tagged.owner, undefined);
    assert.deepEqual(tagged.history?.[0]?.tagsAdded, ['fp']);
    assert.deepEqual(tagged.history?.[0]?.tagsRemoved, ['Case:1']);
    assert.deepEqual(tagged.history?.[0]?.owner, { from: 'ana', to: null });
  });

  test('history and tags stay bounded', () => {
    let current = alert;
    for (let i = 0; i < MAX_HISTORY + 5; i += 1) current = applyTriage(current, { comment: `note ${i}` }, 'bob', at).alert;
    assert.equal(current.history?.length, MAX_HISTORY);
    assert.equal(current.history?.[0]?.comment, 'note 5');
    const full = { ...alert, tags: Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`) };
    assert.throws(() => applyTriage(full, { addTags: ['one-more'] }, 'bob', at), (error: unknown) => error instanceof ValidationError && error.field === 'addTags');
  });
});

describe('triageChangeSchema', () => {
  test('names the bad field and refuses an empty change', () => {
    const field = (input: unknown) => triageChangeSchema.safeParse(input).error?.issues[0]?.path.join('.');
    assert.equal(field({ status: 'Closed' }), 'status');
    assert.equal(field({ addTags: ['bad\ttag'] }), 'addTags.0');
    assert.equal(field({ feedback: { useful: 'yes' } }), 'feedback.useful');
    assert.equal(field({ owner: '' }), 'owner');
    assert.equal(triageChangeSchema.safeParse({}).success, false);
    assert.equal(triageChangeSchema.safeParse({ owner: null }).success, true);
  });
});
