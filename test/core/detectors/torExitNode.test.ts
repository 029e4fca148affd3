import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { TorExitNodeDetector } from '../../../shared/core/detectors/torExitNode';
import { IntelSet, parseFeed, type IntelLists } from '../../../shared/core/intel';
import { loadSnapshotLists } from '../../../shared/intel/snapshot';
import { ENDPOINT, TOR_2026, dataFirstColumn, dataText, requestFrom } from '../intel/support';
import { BENIGN, everyListedAddress } from './intelLists';

describe('TorExitNodeDetector', () => {
  const lists = loadSnapshotLists();
  const detector = new TorExitNodeDetector(lists);

  test('flags every address of the 2026-08-22 Tor exit list, IPv4 and IPv6', () => {
    const addresses = dataFirstColumn(TOR_2026);
    assert.equal(addresses.length, 2277);
    let v6 = 0;
    for (const ip of addresses) {
      const findings = detector.detect(requestFrom(ip));
      assert.equal(findings.length, 1, ip);
      assert.equal(findings[0]?.alertType, 'API_AccessFromTorExitNode');
      if (ip.includes(':')) v6 += 1;
    }
    assert.equal(v6, 914);
  });

  test('stays silent for benign addresses (checked first to be on no list)', () => {
    const listed = everyListedAddress();
    for (const ip of BENIGN) assert.equal(listed.has(ip), false, `${ip} is listed in ../shared/data; pick another`);
    for (const ip of BENIGN) assert.deepEqual(detector.detect(requestFrom(ip)), [], ip);
  });

  test('reports the finding the alert needs', () => {
    const ip = '185.220.101.1';
    const tor = IntelSet.build({ name: 'tor-exit-relays', snapshotDate: '2026-08-22' }, [{ value: ip }]);
    const own = new TorExitNodeDetector({ tor, threatIntel: IntelSet.empty() });
    const event = requestFrom(ip, { callerIp: '10.0.0.4' });
    assert.deepEqual(own.detect(event), [
      {
        alertType: 'API_AccessFromTorExitNode',
        time: event.time,
        endTime: event.time,
        entities: { clientIp: ip, endpoint: ENDPOINT, status: 200 },
        observed: ip,
        score: 1,
        evidence: { feed: 'tor-exit-relays', listedAs: ip, snapshotDate: '2026-08-22' },
        source: event.source,
      },
    ]);
  });

  test('quotes the threat-intel listing when the exit is also on a feed', () => {
    const both = dataFirstColumn(TOR_2026).find((ip) => lists.threatIntel.has(ip));
    assert.ok(both !== undefined);
    const finding = detector.detect(requestFrom(both))[0];
    assert.equal(finding?.evidence.alsoListedBy, 'ipsum-level3');
    assert.equal(finding?.evidence.alsoListedAs, both);
    assert.equal(finding?.evidence.alsoListedConfidence, lists.threatIntel.lookup(both)?.confidence);
  });

  test('judges the client IP only, never the immediate caller', () => {
    const exit = dataFirstColumn(TOR_2026)[0] as string;
    assert.deepEqual(detector.detect(requestFrom('192.0.2.10', { callerIp: exit })), []);
    assert.equal(detector.detect(requestFrom(exit, { callerIp: '10.1.1.1' })).length, 1);
  });

  test('matches a network entry and reads fresh lists through a source function', () => {
    let current: IntelLists = { tor: IntelSet.empty(), threatIntel: IntelSet.empty() };
    const own = new TorExitNodeDetector(() => current);
    assert.deepEqual(own.detect(requestFrom('2001:db8:1::5')), []);
    current = { tor: IntelSet.build({ name: 'tor', snapshotDate: '2026-08-23' }, parseFeed('2001:db8:1::/48\n').entries), threatIntel: IntelSet.empty() };
    assert.equal(own.detect(requestFrom('2001:db8:1::5'))[0]?.evidence.listedAs, '2001:db8:1::/48');
  });

  test('never throws, whatever the client text', () => {
    for (const ip of ['', 'unknown', '::ffff:', '1.2.3.4:80', '[::1]', 'a'.repeat(10_000)]) {
      assert.deepEqual(detector.detect(requestFrom(ip)), []);
    }
  });

  test('the snapshot is the 2026-08-22 list', () => {
    assert.equal(lists.tor.size, parseFeed(dataText(TOR_2026)).entries.length);
    assert.deepEqual(
      lists.tor.feeds.map((f) => [f.name, f.snapshotDate, f.entries]),
      [['tor-exit-relays', '2026-08-22', 2277]],
    );
  });
});
