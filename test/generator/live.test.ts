import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { liveTraffic, planTraffic, type GeneratedMessage, type Label, type LiveItem } from '../../shared/generator';
import { flatten } from './support';

const FROM = new Date('2026-11-03T09:00:00.000Z');

/** Takes items until event time passes `untilMs`. */
function take(items: Iterable<LiveItem>, untilMs: number): LiveItem[] {
  const out: LiveItem[] = [];
  for (const item of items) {
    if ('message' in item && item.message.time >= untilMs) break;
    out.push(item);
  }
  return out;
}

describe('liveTraffic', () => {
  const hours = 7;
  const items = take(
    liveTraffic({ seed: 8, from: FROM, requestsPerDay: 3000, attackEveryMinutes: 30, torExitIps: ['185.220.101.33'], suspiciousIps: ['45.95.147.236'] }),
    FROM.getTime() + hours * 3_600_000,
  );
  const labels = items.flatMap((i) => ('label' in i ? [i.label] : []));
  const messages = items.flatMap((i) => ('message' in i ? [i.message] : []));

  test('streams messages in non-decreasing event time from `from`', () => {
    assert.ok(messages.length > 500);
    let last = FROM.getTime();
    for (const m of messages) {
      assert.ok(m.time >= last);
      last = m.time;
    }
  });

  test('attacks recur every interval and cycle through every kind', () => {
    assert.ok(labels.length >= 12 && labels.length <= 14, `${labels.length} labels in ${hours} hours`);
    const kinds = new Set(labels.map((l) => `${l.alertType}/${l.variant ?? ''}`));
    assert.equal(kinds.size, Math.min(13, labels.length));
    assert.equal(new Set(labels.map((l) => l.id)).size, labels.length);
  });

  test('each label is yielded before any of its records', () => {
    items.forEach((item, index) => {
      if (!('label' in item)) return;
      const label: Label = item.label;
      const start = Date.parse(label.start);
      const ips = new Set(label.clientIps);
      for (let j = 0; j < index; j++) {
        const earlier = items[j] as LiveItem;
        if (!('message' in earlier)) continue;
        for (const r of flatten([earlier.message])) {
          assert.ok(!(ips.has(r.clientIp) && r.ms >= start), `${label.alertType} record before its label`);
        }
      }
    });
  });

  test('the baseline is the same traffic planTraffic gives for the same seed and time', () => {
    const live = take(liveTraffic({ seed: 8, from: FROM, requestsPerDay: 3000, attacks: false }), FROM.getTime() + 3_600_000)
      .flatMap((i) => ('message' in i ? [i.message] : []));
    const planned: GeneratedMessage[] = [...planTraffic({ seed: 8, start: FROM, days: 1 / 24, requestsPerDay: 3000, attacks: false }).messages()];
    assert.deepEqual(live, planned);
  });

  test('types that cannot be injected are left out of the rotation', () => {
    const quiet = take(liveTraffic({ seed: 8, from: FROM, requestsPerDay: 1000, attackEveryMinutes: 20, logHeaders: false }), FROM.getTime() + 6 * 3_600_000);
    const types = new Set(quiet.flatMap((i) => ('label' in i ? [i.label.alertType] : [])));
    assert.ok(types.size >= 5);
    assert.ok(!types.has('API_AccessFromTorExitNode'));
    assert.ok(!types.has('API_AccessFromSuspiciousIP'));
    assert.ok(!types.has('API_AccessFromSuspiciousUserAgent'));
  });
});
