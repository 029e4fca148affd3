import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { confidenceScore, SuspiciousIpDetector } from '../../../shared/core/detectors/suspiciousIp';
import { TorExitNodeDetector } from '../../../shared/core/detectors/torExitNode';
import { IntelSet, parseFeed } from '../../../shared/core/intel';
import { loadSnapshotLists } from '../../../shared/intel/snapshot';
import { ENDPOINT, IPSUM_FULL, IPSUM_LEVEL3, TOR_2026, dataFirstColumn, dataText, requestFrom } from '../intel/support';
import { BENIGN, everyListedAddress } from './intelLists';

describe('SuspiciousIpDetector', () => {
  const lists = loadSnapshotLists();
  const suspicious = new SuspiciousIpDetector(lists);
  const tor = new TorExitNodeDetector(lists);
  const torAddresses = new Set(dataFirstColumn(TOR_2026));
  const counts = new Map(parseFeed(dataText(IPSUM_FULL)).entries.map((e) => [e.value, e.confidence]));

  test('flags every IPsum level-3 address that is not a Tor exit, with its blocklist count', () => {
    const level3 = dataFirstColumn(IPSUM_LEVEL3);
    assert.equal(level3.length, 14_217);
    let flagged = 0;
    for (const ip of level3) {
      if (torAddresses.has(ip)) continue;
      const findings = suspicious.detect(requestFrom(ip));
      assert.equal(findings.length, 1, ip);
      const finding = findings[0];
      assert.equal(finding?.alertType, 'API_AccessFromSuspiciousIP');
      assert.equal(finding?.evidence.confidence, counts.get(ip));
      assert.ok((finding?.evidence.confidence as number) >= 3);
      flagged += 1;
    }
    assert.equal(flagged, 14_217 - 240);
  });

  test('stays silent for benign addresses (checked first to be on no list)', () => {
    const listed = everyListedAddress();
    for (const ip of BENIGN) assert.equal(listed.has(ip), false, `${ip} is listed in ../shared/data; pick another`);
    const both = new SuspiciousIpDetector(lists, { includeTorExitNodes: true });
    for (const ip of BENIGN) {
      assert.deepEqual(suspicious.detect(requestFrom(ip)), [], ip);
      assert.deepEqual(both.detect(requestFrom(ip)), [], ip);
    }
  });

  test('a Tor exit on IPsum raises one alert by default (the Tor one), two with includeTorExitNodes', () => {
    const overlap = [...torAddresses].filter((ip) => lists.threatIntel.has(ip));
    assert.equal(overlap.length, 240);
    const both = new SuspiciousIpDetector(lists, { includeTorExitNodes: true });
    for (const ip of overlap) {
      const event = requestFrom(ip);
      const byDefault = [...tor.detect(event), ...suspicious.detect(event)];
      assert.deepEqual(
        byDefault.map((f) => f.alertType),
        ['API_AccessFromTorExitNode'],
        ip,
      );
      const withOption = [...tor.detect(event), ...both.detect(event)];
      assert.deepEqual(
        withOption.map((f) => f.alertType),
        ['API_AccessFromTorExitNode', 'API_AccessFromSuspiciousIP'],
        ip,
      );
    }
  });

  test('reports the finding the alert needs, scored from the confidence', () => {
    const ip = '77.90.185.20';
    const event = requestFrom(ip, { callerIp: '10.0.0.4' });
    assert.deepEqual(suspicious.detect(event), [
      {
        alertType: 'API_AccessFromSuspiciousIP',
        time: event.time,
        endTime: event.time,
        entities: { clientIp: ip, endpoint: ENDPOINT, status: 200 },
        observed: ip,
        score: 10 / 3,
        evidence: { feed: 'ipsum-level3', listedAs: ip, snapshotDate: '2026-08-22', confidence: 10 },
        source: event.source,
      },
    ]);
  });

  test('score: 1 without a confidence or at the unit, growing with it, never below 1', () => {
    assert.equal(confidenceScore(undefined), 1);
    assert.equal(confidenceScore(3), 1);
    assert.equal(confidenceScore(1), 1);
    assert.equal(confidenceScore(9), 3);
    assert.equal(confidenceScore(8, 4), 2);
    assert.equal(confidenceScore(8, 0), 1);
  });

  test('network entries, minConfidence, and other feeds named in evidence', () => {
    const feedA = IntelSet.build({ name: 'drop', snapshotDate: '2026-08-20' }, parseFeed('198.51.100.0/24\n2001:db8:bad::/48\n').entries);
    const feedB = IntelSet.build({ name: 'ipsum', snapshotDate: '2026-08-22' }, parseFeed('198.51.100.7\t1\n203.0.113.9\t5\n').entries);
    const own = { tor: IntelSet.empty(), threatIntel: feedB.merge(feedA) };
    const detector = new SuspiciousIpDetector(own);
    const exact = detector.detect(requestFrom('198.51.100.7'))[0];
    assert.equal(exact?.evidence.listedAs, '198.51.100.7');
    assert.equal(exact?.evidence.alsoListedBy, 'drop');
    assert.equal(exact?.score, 1);
    assert.equal(detector.detect(requestFrom('2001:db8:bad::1'))[0]?.evidence.listedAs, '2001:db8:bad::/48');

    const strict = new SuspiciousIpDetector(own, { minConfidence: 3 });
    // The exact entry has confidence 1: the network (no confidence) still qualifies.
    assert.equal(strict.detect(requestFrom('198.51.100.7'))[0]?.evidence.listedAs, '198.51.100.0/24');
    const onlyB = new SuspiciousIpDetector({ tor: IntelSet.empty(), threatIntel: feedB }, { minConfidence: 3 });
    assert.deepEqual(onlyB.detect(requestFrom('198.51.100.7')), []);
    assert.equal(onlyB.detect(requestFrom('203.0.113.9')).length, 1);
  });

  test('judges the client IP only, never the immediate caller', () => {
    assert.deepEqual(suspicious.detect(requestFrom('192.0.2.10', { callerIp: '77.90.185.20' })), []);
  });

  test('never throws, whatever the client text', () => {
    for (const ip of ['', 'unknown', '1.2.3.4:80', '[::1]', '::ffff:77.90.185.20']) {
      assert.doesNotThrow(() => suspicious.detect(requestFrom(ip)));
    }
    // A mapped spelling of a listed address is the address.
    assert.equal(suspicious.detect(requestFrom('::ffff:77.90.185.20')).length, 1);
  });
});
